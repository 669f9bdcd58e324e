"""The register of outgoing documents (sổ văn bản đi), issued files and Word templates."""
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


class IssuedFile(models.Model):
    """The Word file as issued: rendered once, stored, served unchanged forever."""

    document = models.OneToOneField("workflows.Document", on_delete=models.PROTECT, related_name="issued_file", verbose_name="văn bản")
    filename = models.CharField("tên tệp", max_length=200)
    content = models.BinaryField("nội dung")
    sha256 = models.CharField("SHA-256", max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tệp văn bản đã ban hành"
        verbose_name_plural = "tệp văn bản đã ban hành"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Tệp văn bản đã ban hành không thể thay đổi.")
        return super().save(*args, **kwargs)


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
