"""Where an issued document went: one row per recipient unit (in the system, or by e-mail)."""
from django.conf import settings
from django.db import models


class Delivery(models.Model):
    class Channel(models.TextChoices):
        INTERNAL = "internal", "Trong hệ thống (Văn bản đến)"
        EMAIL = "email", "Thư điện tử"

    class Status(models.TextChoices):
        DELIVERED = "delivered", "Đã gửi"
        FAILED = "failed", "Gửi lỗi"

    document = models.ForeignKey("workflows.Document", on_delete=models.CASCADE, related_name="deliveries", verbose_name="văn bản")
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="incoming", verbose_name="đơn vị nhận")
    channel = models.CharField("cách gửi", max_length=10, choices=Channel.choices)
    email = models.EmailField("địa chỉ thư", blank=True)
    status = models.CharField("tình trạng", max_length=10, choices=Status.choices, default=Status.DELIVERED)
    error = models.TextField("lỗi", blank=True)
    sent_at = models.DateTimeField("gửi lúc", auto_now_add=True)
    opened_at = models.DateTimeField("mở lúc", null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người mở"
    )

    class Meta:
        verbose_name = "văn bản đến"
        verbose_name_plural = "văn bản đến"
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["document", "unit"], name="one_delivery_per_unit")]

    def __str__(self):
        return f"{self.document} → {self.unit}"
