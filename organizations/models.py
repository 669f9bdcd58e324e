"""The issuing body (a commune People's Committee) and its units, as data."""
from django.db import models

from .ordering import UNIT_ORDER, sort_name


class Commune(models.Model):
    """An issuing body: UBND xã. Everything printed in document headers comes from here."""

    code = models.SlugField("mã", unique=True, max_length=40)
    name = models.CharField("tên đầy đủ", max_length=200, help_text="Ví dụ: Ủy ban nhân dân xã Diễn Châu")
    short_name = models.CharField("tên viết tắt", max_length=100, help_text="Ví dụ: UBND xã Diễn Châu")
    header_lines = models.JSONField(
        "tên cơ quan ban hành trên văn bản",
        default=list,
        help_text="Các dòng in hoa, đậm ở góc trái, ví dụ [\"ỦY BAN NHÂN DÂN\", \"XÃ DIỄN CHÂU\"]",
    )
    parent_name = models.CharField("cơ quan cấp trên", max_length=200, blank=True, help_text="Ví dụ: Ủy ban nhân dân tỉnh Nghệ An")
    place_name = models.CharField("địa danh", max_length=100, help_text="Dùng ở dòng địa danh, ngày tháng: Diễn Châu")
    abbreviation = models.CharField("ký hiệu cơ quan", max_length=20, help_text="Dùng trong số, ký hiệu văn bản: UBND")
    collective_title = models.CharField("thẩm quyền tập thể", max_length=100, default="ỦY BAN NHÂN DÂN", help_text="Dòng TM. trong khối chữ ký")
    chairman_title = models.CharField("chức vụ người đứng đầu", max_length=100, default="CHỦ TỊCH")
    vice_chairman_title = models.CharField("chức vụ cấp phó", max_length=100, default="PHÓ CHỦ TỊCH")
    shared_numbering = models.BooleanField(
        "một dãy số chung cho mọi loại văn bản",
        default=True,
        help_text="Bỏ chọn để mỗi loại văn bản (KH, BC, ...) có dãy số riêng trong năm (Nghị định 30/2020, Điều 15).",
    )

    class Meta:
        verbose_name = "cơ quan ban hành"
        verbose_name_plural = "cơ quan ban hành"

    def __str__(self):
        return self.name


class Unit(models.Model):
    """A unit responsible for part of the plan (section III)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Phòng, ban chuyên môn"
        OFFICE = "office", "Văn phòng"
        HEALTH = "health", "Trạm Y tế"
        SCHOOL = "school", "Trường học"
        POLICE = "police", "Công an"
        FRONT = "front", "Mặt trận, tổ chức chính trị - xã hội"
        HAMLET = "hamlet", "Ban cán sự xóm"

    class Function(models.TextChoices):
        # The coordinator drafts the plan and the compiled report and reviews unit reports;
        # the office reviews the commune's own documents.
        COORDINATOR = "coordinator", "Cơ quan thường trực (tổng hợp, thẩm định báo cáo đơn vị)"
        OFFICE = "office", "Văn phòng (thẩm định văn bản của UBND)"
        MEMBER = "member", "Đơn vị thực hiện"

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="units", verbose_name="cơ quan")
    code = models.SlugField("mã", max_length=40)
    name = models.CharField("tên đơn vị", max_length=200)
    abbreviation = models.CharField("ký hiệu", max_length=20, help_text="Dùng trong số văn bản và dòng \"Lưu: VT, …\"")
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    function = models.CharField("vai trò trong phong trào", max_length=20, choices=Function.choices, default=Function.MEMBER)
    head_title = models.CharField("chức vụ người đứng đầu", max_length=100, blank=True, help_text="Ví dụ: TRƯỞNG TRẠM")
    head_name = models.CharField("họ tên người đứng đầu", max_length=100, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_sample = models.BooleanField("dữ liệu mẫu", default=False, help_text="Đơn vị mẫu để chạy thử; quản trị viên thay bằng danh sách thật.")
    order = models.PositiveIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang hoạt động", default=True)
    # The name as the database sorts it naturally ("xóm 2" before "xóm 10"); kept by save().
    sort_name = models.CharField("tên để sắp xếp", max_length=250, editable=False, default="", db_index=True)

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = list(UNIT_ORDER)
        constraints = [models.UniqueConstraint(fields=["commune", "code"], name="unique_unit_code_per_commune")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_name = sort_name(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)
