"""The register of outgoing documents (sổ văn bản đi), issued files, PDFs and Word templates."""
import hashlib

from django.conf import settings
from django.db import models


class NumberSequence(models.Model):
    """The last number given by one issuing body in one year, for one sequence.

    `key` is "" for the shared sequence or a type abbreviation ("KH", "BC") when each type is
    numbered separately. The row is locked while a number is taken, so numbers never repeat.
    """

    commune = models.ForeignKey("organizations.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm")
    key = models.CharField("dãy số", max_length=10, blank=True)
    last_number = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "dãy số văn bản"
        verbose_name_plural = "dãy số văn bản"
        constraints = [models.UniqueConstraint(fields=["commune", "year", "key"], name="unique_sequence")]


class UnitSequence(models.Model):
    """The last number a unit gave its own reports in one year (the unit's register).

    A unit report is a document of that unit: on `submit` it takes the next number of this
    sequence (documents.register.assign_unit_number), inside the submit transaction and under this
    row's lock, so numbers are gapless and never repeat even when several reports of the unit are
    submitted at the same instant.
    """

    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị")
    year = models.PositiveIntegerField("năm")
    last_number = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "dãy số báo cáo của đơn vị"
        verbose_name_plural = "dãy số báo cáo của đơn vị"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unique_unit_sequence")]

    def __str__(self):
        return f"{self.unit} – {self.year}: {self.last_number:02d}"


class RegisterEntry(models.Model):
    """One line of the register. Written in the same transaction as the `issue` transition."""

    commune = models.ForeignKey("organizations.Commune", on_delete=models.PROTECT, related_name="register_entries", verbose_name="cơ quan")
    year = models.PositiveIntegerField("năm")
    sequence_key = models.CharField("dãy số", max_length=10, blank=True)
    number = models.PositiveIntegerField("số")
    symbol = models.CharField("số, ký hiệu", max_length=60)
    type_abbreviation = models.CharField("loại văn bản", max_length=10)
    issued_on = models.DateField("ngày ban hành")
    excerpt = models.TextField("trích yếu")
    signer_name = models.CharField("người ký", max_length=150)
    recipients = models.JSONField("nơi nhận", default=list)
    document = models.OneToOneField("workflows.Document", on_delete=models.PROTECT, related_name="register_entry", verbose_name="văn bản")
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="văn thư")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "sổ văn bản đi"
        verbose_name_plural = "sổ văn bản đi"
        ordering = ["year", "sequence_key", "number"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "sequence_key", "number"], name="unique_register_number"),
            models.UniqueConstraint(fields=["commune", "year", "symbol"], name="unique_register_symbol"),
        ]

    def __str__(self):
        return f"Số: {self.symbol}"


class StoredFileCorrupt(Exception):
    """A stored file no longer matches the SHA-256 recorded when it was made."""

    detail = (
        "Tệp đã lưu trên máy chủ không còn khớp với mã kiểm tra SHA-256 ghi lúc tạo, nên không được gửi đi. "
        "Hãy báo quản trị viên khôi phục tệp từ bản sao lưu."
    )

    def __init__(self, name):
        super().__init__(f"{name}: SHA-256 mismatch")
        self.name = name


def read_verified(field_file, sha256):
    """The bytes of a stored file, checked against its recorded SHA-256."""
    with field_file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileCorrupt(field_file.name)
    return data


def issued_file_path(instance, filename):
    return f"issued/{instance.document_id}/{filename}"


class IssuedFile(models.Model):
    """The Word file as issued: rendered once, kept in file storage with its SHA-256, served
    unchanged forever (the storage never overwrites a name; a download checks the hash)."""

    document = models.OneToOneField("workflows.Document", on_delete=models.PROTECT, related_name="issued_file", verbose_name="văn bản")
    filename = models.CharField("tên tệp", max_length=200)
    file = models.FileField("tệp", upload_to=issued_file_path, max_length=300)
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tệp văn bản đã ban hành"
        verbose_name_plural = "tệp văn bản đã ban hành"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Tệp văn bản đã ban hành không thể thay đổi.")
        return super().save(*args, **kwargs)

    @property
    def content(self):
        """The stored bytes, verified against the SHA-256 (StoredFileCorrupt otherwise)."""
        return read_verified(self.file, self.sha256)


def pdf_path(instance, filename):
    return f"pdf/{instance.document_id}/v{instance.version}-{instance.stage}-t{instance.template_version}/{filename}"


class DocumentPdf(models.Model):
    """The PDF of one version of a document, made once by a task (documents.pdfs) and kept.

    A version is identified by the document's version number, its state when rendered ("issued"
    for the issued file, whose PDF is converted from the stored .docx) and the Word template
    version in use (0: the built-in one), since each of these changes what the page shows.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "đang tạo"
        READY = "ready", "đã tạo"
        FAILED = "failed", "lỗi"

    document = models.ForeignKey("workflows.Document", on_delete=models.PROTECT, related_name="pdfs", verbose_name="văn bản")
    version = models.PositiveIntegerField("phiên bản")
    stage = models.CharField("trạng thái văn bản khi tạo", max_length=20)
    template_version = models.PositiveIntegerField("mẫu Word (0: mẫu gốc)", default=0)
    status = models.CharField("tình trạng", max_length=10, choices=Status.choices, default=Status.PENDING)
    filename = models.CharField("tên tệp", max_length=200, blank=True)
    file = models.FileField("tệp", upload_to=pdf_path, max_length=300, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    error = models.TextField("lỗi", blank=True)
    attempts = models.PositiveIntegerField("số lần thử", default=0)
    requested_at = models.DateTimeField("yêu cầu lúc")
    started_at = models.DateTimeField("bắt đầu lúc", null=True, blank=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "bản PDF"
        verbose_name_plural = "bản PDF"
        constraints = [
            models.UniqueConstraint(fields=["document", "version", "stage", "template_version"], name="unique_pdf_per_version")
        ]

    def __str__(self):
        return f"PDF {self.document_id} v{self.version} ({self.stage})"

    @property
    def content(self):
        return read_verified(self.file, self.sha256)


def template_upload_path(instance, filename):
    return f"word-templates/{instance.kind}/{filename}"


class TemplateVersion(models.Model):
    """A Word template uploaded by an administrator to replace the built-in one for a kind.

    Checked on upload (documents.templates.validate_template). The newest active version of a
    kind is used; earlier versions stay and can be activated again.
    """

    KIND_CHOICES = [
        ("plan", "Kế hoạch"),
        ("unit_report", "Báo cáo của đơn vị"),
        ("summary_report", "Báo cáo tổng hợp"),
    ]

    kind = models.CharField("loại văn bản", max_length=20, choices=KIND_CHOICES)
    file = models.FileField("tệp mẫu (.docx)", upload_to=template_upload_path)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True, help_text="Ví dụ: đổi cỡ chữ, sửa dòng nơi nhận")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người tải lên"
    )
    uploaded_at = models.DateTimeField("tải lên lúc", auto_now_add=True)
    active = models.BooleanField("đang dùng", default=True, help_text="Bỏ chọn để quay về mẫu trước hoặc mẫu gốc.")

    class Meta:
        verbose_name = "mẫu văn bản Word"
        verbose_name_plural = "mẫu văn bản Word"
        ordering = ["kind", "-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.original_name or self.file.name}"
