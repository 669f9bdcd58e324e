"""Reporting rounds: notifications shown in the web app (more models live beside it)."""
from django.conf import settings
from django.db import models


class Notification(models.Model):
    """An in-app message for one person, e.g. a deadline reminder or "your report was returned"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="người nhận")
    document = models.ForeignKey(
        "workflows.Document", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", verbose_name="văn bản"
    )
    kind = models.CharField("loại", max_length=40)
    message = models.TextField("nội dung")
    created_at = models.DateTimeField("lúc", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]
