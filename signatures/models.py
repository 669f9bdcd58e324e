"""Where each signer's key is, and the signed PDFs.

A SigningKey says how to reach a private key, never the key itself: a PKCS#11 module, token and
key label (the PIN comes from the environment or settings by name, SIGNING_PIN_<name>), or a
PKCS#12 file on the server (its password likewise by name). One key per person, and one for the
organisation (the commune's seal, `commune` set, `user` empty).
"""
import hashlib

from django.conf import settings
from django.db import models


class Backend(models.TextChoices):
    PKCS11 = "pkcs11", "PKCS#11 (USB token, HSM, dịch vụ ký số từ xa)"
    PKCS12 = "pkcs12", "Tệp PKCS#12 (.p12/.pfx) trên máy chủ"


def image_path(instance, filename):
    owner = f"user-{instance.user_id}" if instance.user_id else f"org-{instance.commune_id}"
    return f"signature-images/{owner}.png"


class SigningKey(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="signing_key",
        verbose_name="người ký", help_text="Để trống nếu là khóa của cơ quan (con dấu).",
    )
    commune = models.OneToOneField(
        "organizations.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="signing_key",
        verbose_name="cơ quan", help_text="Chỉ điền với khóa của cơ quan (văn thư ký khi phát hành).",
    )
    backend = models.CharField("loại khóa", max_length=10, choices=Backend.choices, default=Backend.PKCS11)
    module_path = models.CharField("thư viện PKCS#11", max_length=300, blank=True, help_text="Ví dụ /usr/lib/softhsm/libsofthsm2.so")
    token_label = models.CharField("nhãn token", max_length=64, blank=True)
    key_label = models.CharField("nhãn khóa và chứng thư trong token", max_length=64, blank=True)
    pkcs12_path = models.CharField("đường dẫn tệp PKCS#12", max_length=300, blank=True)
    pin_name = models.CharField(
        "tên mã PIN", max_length=64,
        help_text="Mã PIN (hoặc mật khẩu tệp PKCS#12) lấy từ biến môi trường SIGNING_PIN_<tên> trên máy chủ; "
        "không bao giờ lưu trong cơ sở dữ liệu.",
    )
    image = models.ImageField(
        "ảnh chữ ký / con dấu", upload_to=image_path, blank=True,
        help_text="PNG nền trong suốt: chữ ký màu xanh của người ký, hoặc con dấu màu đỏ đúng kích thước của cơ quan.",
    )
    is_demo = models.BooleanField("khóa thử nghiệm", default=False, help_text="Chứng thư CHỈ DÙNG THỬ do hệ thống tự cấp.")

    class Meta:
        verbose_name = "khóa ký số"
        verbose_name_plural = "khóa ký số"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False, commune__isnull=True) | models.Q(user__isnull=True, commune__isnull=False)),
                name="signing_key_person_or_organisation",
            )
        ]

    def __str__(self):
        owner = self.user or self.commune
        return f"Khóa ký số của {owner}" + (" (CHỈ DÙNG THỬ)" if self.is_demo else "")


def pdf_path(instance, filename):
    return f"signed/{instance.document_id}/{filename}"


class SignedPdf(models.Model):
    """A signed PDF of a document, stored once with its SHA-256. Never edited.

    stage "prepared": the PDF handed to a signer who signs elsewhere (their own token and tool),
    kept to compare with what they upload; stage "signed": the signer's signature; stage "issued": numbered, dated and signed by the
    organisation: the document's original (bản gốc điện tử).
    """

    class Stage(models.TextChoices):
        PREPARED = "prepared", "Bản để ký nơi khác (chưa ký)"
        SIGNED = "signed", "Đã ký"
        ISSUED = "issued", "Bản gốc điện tử (đã phát hành)"

    document = models.ForeignKey("workflows.Document", on_delete=models.PROTECT, related_name="signed_pdfs", verbose_name="văn bản")
    stage = models.CharField("giai đoạn", max_length=10, choices=Stage.choices)
    version = models.PositiveIntegerField("phiên bản văn bản")
    file = models.FileField("tệp PDF", upload_to=pdf_path)
    filename = models.CharField("tên tệp", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="người thực hiện"
    )
    certificate_subject = models.CharField("chủ thể chứng thư", max_length=300)
    created_at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        verbose_name = "bản PDF đã ký"
        verbose_name_plural = "bản PDF đã ký"
        constraints = [models.UniqueConstraint(fields=["document", "stage"], name="one_signed_pdf_per_stage")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("Bản PDF đã ký không thể sửa.")
        return super().save(*args, **kwargs)

    def content(self):
        """The stored bytes; ValueError when they no longer match the recorded SHA-256."""
        with self.file.open("rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise ValueError("Tệp PDF đã ký trong kho lưu trữ không còn khớp mã băm SHA-256 đã ghi.")
        return data
