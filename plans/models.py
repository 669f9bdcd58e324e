"""The emulation plan as structured data: areas of work, targets, assignments, phases, periods.

Loaded from a human-editable YAML file by `manage.py load_plan`; see data/dien-chau-2026-2030.yaml.
"""
from django.db import models


class Plan(models.Model):
    commune = models.ForeignKey("organizations.Commune", on_delete=models.PROTECT, related_name="plans", verbose_name="cơ quan")
    code = models.SlugField("mã kế hoạch", max_length=40)
    title = models.TextField("trích yếu", help_text="Dòng dưới chữ KẾ HOẠCH")
    start_year = models.PositiveIntegerField("từ năm")
    end_year = models.PositiveIntegerField("đến năm")
    coordinator = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan thường trực"
    )
    # Free text of the plan that the system does not act on, kept in order so that the
    # Kế hoạch can be regenerated line for line (căn cứ, mục đích, yêu cầu, giải pháp, ...).
    content = models.JSONField("nội dung văn bản", default=dict)
    recipients = models.JSONField("nơi nhận", default=list)
    archive_line = models.CharField("dòng lưu", max_length=200, help_text="Ví dụ: VT, VHXH (Thanh)")
    signer = models.JSONField("khối chữ ký", default=dict)
    source_file = models.CharField("tệp dữ liệu", max_length=300, blank=True)
    loaded_at = models.DateTimeField("nạp lúc", auto_now=True)

    class Meta:
        verbose_name = "kế hoạch"
        verbose_name_plural = "kế hoạch"
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="unique_plan_code_per_commune")]

    def __str__(self):
        return f"Kế hoạch {self.code}"


class Area(models.Model):
    """One of the areas of work (nội dung thi đua), with its activities."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas", verbose_name="kế hoạch")
    number = models.PositiveIntegerField("số thứ tự")
    title = models.TextField("tên nội dung thi đua")
    activities = models.JSONField("nội dung thực hiện", default=list)

    class Meta:
        verbose_name = "nội dung thi đua"
        verbose_name_plural = "nội dung thi đua"
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="unique_area_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Target(models.Model):
    """A measurable target (chỉ tiêu), with how units report it and how the commune compiles it."""

    class InputKind(models.TextChoices):
        PERCENT = "percent", "Tỷ lệ phần trăm (0–100)"
        COUNT = "count", "Số lượng (số nguyên không âm)"
        BOOLEAN = "boolean", "Đạt / Chưa đạt"
        TEXT = "text", "Đánh giá bằng lời"

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", "đạt ít nhất"
        OVER = "over", "trên"
        ACHIEVED = "achieved", "đạt"
        INCREASE = "increase", "tăng so với kỳ trước"
        AS_REQUIRED = "as_required", "đạt theo quy định"

    class Aggregation(models.TextChoices):
        SINGLE = "single", "Số liệu của một đơn vị"
        SUM = "sum", "Tổng các đơn vị"
        SHARE_YES = "share_yes", "Tỷ lệ đơn vị đạt"
        MIN = "min", "Giá trị nhỏ nhất giữa các đơn vị"
        MEAN = "mean", "Trung bình các đơn vị"
        QUALITATIVE = "qualitative", "Tổng hợp bằng lời"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name="kế hoạch")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="targets", verbose_name="nội dung thi đua")
    code = models.CharField("mã", max_length=10, help_text="Ví dụ 2.2")
    order = models.PositiveIntegerField("thứ tự")
    text = models.TextField("chỉ tiêu")
    input_kind = models.CharField("đơn vị báo cáo bằng", max_length=10, choices=InputKind.choices)
    comparison = models.CharField("so sánh", max_length=12, choices=Comparison.choices)
    target_value = models.DecimalField("giá trị chỉ tiêu", max_digits=7, decimal_places=2, null=True, blank=True)
    measure_unit = models.CharField("đơn vị tính", max_length=50, blank=True, help_text="Ví dụ: %, mô hình/năm, mô hình/xóm")
    aggregation = models.CharField("cách tổng hợp cấp xã", max_length=12, choices=Aggregation.choices)
    reporting_units = models.ManyToManyField(
        "organizations.Unit", related_name="reported_targets", verbose_name="đơn vị báo cáo", blank=True
    )
    note = models.TextField("ghi chú", blank=True, help_text="Vì sao các đơn vị này báo cáo chỉ tiêu này (theo mục III)")

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_target_code")]

    def __str__(self):
        return f"{self.code} {self.text}"


class Assignment(models.Model):
    """Section III: the tasks given to one unit or a group of units."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments", verbose_name="kế hoạch")
    number = models.PositiveIntegerField("số thứ tự")
    heading = models.CharField("tiêu đề", max_length=300)
    tasks = models.JSONField("nhiệm vụ", default=list)
    units = models.ManyToManyField("organizations.Unit", related_name="assignments", verbose_name="đơn vị", blank=True)

    class Meta:
        verbose_name = "phân công nhiệm vụ"
        verbose_name_plural = "phân công nhiệm vụ"
        ordering = ["plan", "number"]

    def __str__(self):
        return f"{self.number}. {self.heading}"


class Phase(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases", verbose_name="kế hoạch")
    number = models.PositiveIntegerField("số thứ tự")
    name = models.CharField("tên giai đoạn", max_length=100)
    start_year = models.PositiveIntegerField("từ năm")
    end_year = models.PositiveIntegerField("đến năm")
    items = models.JSONField("nhiệm vụ", default=list)

    class Meta:
        verbose_name = "giai đoạn"
        verbose_name_plural = "giai đoạn"
        ordering = ["plan", "number"]

    def __str__(self):
        return self.name


class Period(models.Model):
    """A reporting period: 6 months, a year, the mid-term review (sơ kết) or the final review (tổng kết)."""

    class Kind(models.TextChoices):
        HALF_YEAR = "H1", "6 tháng đầu năm"
        YEAR = "Y", "Cả năm"
        MIDTERM = "SK", "Sơ kết giai đoạn"
        FINAL = "TK", "Tổng kết"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="periods", verbose_name="kế hoạch")
    phase = models.ForeignKey(Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="periods", verbose_name="giai đoạn")
    code = models.CharField("mã kỳ", max_length=10, help_text="Ví dụ 2026-H1, 2026-Y, 2027-SK, 2030-TK")
    kind = models.CharField("loại kỳ", max_length=2, choices=Kind.choices)
    year = models.PositiveIntegerField("năm")
    name = models.CharField("tên kỳ báo cáo", max_length=150)
    data_start = models.DateField("số liệu từ ngày")
    data_end = models.DateField("số liệu đến ngày")
    deadline = models.DateField("hạn nộp báo cáo")
    opened_at = models.DateTimeField("mở kỳ lúc", null=True, blank=True)

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["plan", "data_end", "-data_start"]  # a year before the phase review that ends with it
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_period_code")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_open(self):
        return self.opened_at is not None
