"""Reporting rounds: in-app notifications, the reminder outbox and the commune's round settings."""
import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
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
    # Set (with read_at) when the step the notice asked for has been taken, by anyone (rounds.reminders.mark_done).
    done_at = models.DateTimeField("đã xử lý lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]


def _env_days(name, default):
    raw = os.environ.get(name)
    return raw.strip() if raw and raw.strip() else default


def parse_days(text):
    """'3,1' -> [3, 1] (distinct, largest first). Raises ValueError on anything else."""
    days = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) < 1 or int(part) > 60:
            raise ValueError(f"«{part}» không phải số ngày từ 1 đến 60.")
        days.add(int(part))
    return sorted(days, reverse=True)


def validate_days(text):
    try:
        parse_days(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class RoundSettings(models.Model):
    """Reminder timing and evaluation weights of one commune, editable in the admin.

    When a commune has no row yet it is created with the defaults below; those defaults can be
    set from the environment (ROUNDS_REMINDER_DAYS_BEFORE="3,1", ROUNDS_REVIEW_AFTER_DAYS="2").
    """

    commune = models.OneToOneField("organizations.Commune", on_delete=models.CASCADE, related_name="round_settings", verbose_name="cơ quan")
    reminder_days_before = models.CharField(
        "nhắc trước hạn (ngày)",
        max_length=50,
        default="3,1",
        validators=[validate_days],
        help_text="Các mốc nhắc trước hạn nộp, cách nhau bằng dấu phẩy. Ví dụ: 3,1",
    )
    review_after_days = models.PositiveIntegerField(
        "nhắc thẩm định sau (ngày)", default=2, validators=[MinValueValidator(1)],
        help_text="Nhắc người thẩm định khi báo cáo đã trình quá số ngày này mà chưa được xử lý.",
    )
    # Evaluation (đánh giá thi đua), see rounds.evaluation.
    weight_targets = models.DecimalField(
        "điểm chỉ tiêu", max_digits=6, decimal_places=2, default=Decimal("50"),
        help_text="Điểm tối đa cho tỷ lệ chỉ tiêu đạt (đạt 100% chỉ tiêu được trọn số điểm này).",
    )
    weight_on_time = models.DecimalField(
        "điểm đúng hạn", max_digits=6, decimal_places=2, default=Decimal("30"),
        help_text="Điểm tối đa cho tỷ lệ báo cáo nộp đúng hạn trong năm.",
    )
    weight_return = models.DecimalField(
        "điểm trừ mỗi lần bị trả lại", max_digits=6, decimal_places=2, default=Decimal("5"),
    )
    weight_initiative = models.DecimalField("điểm mỗi mô hình", max_digits=6, decimal_places=2, default=Decimal("5"))
    max_initiative_points = models.DecimalField(
        "điểm mô hình tối đa", max_digits=6, decimal_places=2, default=Decimal("20"),
    )

    class Meta:
        verbose_name = "cấu hình kỳ báo cáo và thi đua"
        verbose_name_plural = "cấu hình kỳ báo cáo và thi đua"

    def __str__(self):
        return f"Cấu hình của {self.commune}"

    @classmethod
    def for_commune(cls, commune_id):
        row = cls.objects.filter(commune_id=commune_id).first()
        if row is None:
            row = cls(
                commune_id=commune_id,
                reminder_days_before=_env_days("ROUNDS_REMINDER_DAYS_BEFORE", "3,1"),
                review_after_days=int(_env_days("ROUNDS_REVIEW_AFTER_DAYS", "2")),
            )
        return row

    @property
    def reminder_days(self):
        try:
            return parse_days(self.reminder_days_before)
        except ValueError:
            return [3, 1]


class ReminderLog(models.Model):
    """The outbox: one row per message that must go out exactly once.

    The key (document, kind, offset) is unique, so deciding that a message is due can happen any
    number of times and still yields one row. See rounds.reminders for the delivery protocol.
    """

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "Nhắc sắp đến hạn"
        OVERDUE = "overdue", "Báo quá hạn cho đơn vị"
        OVERDUE_COORDINATOR = "overdue_coordinator", "Báo quá hạn cho cơ quan thường trực"
        REVIEW_PENDING = "review_pending", "Nhắc thẩm định"
        RETURNED = "returned", "Báo văn bản bị trả lại"
        APPROVED = "approved", "Báo văn bản đã được duyệt"
        TO_REVIEW = "to_review", "Báo có văn bản chờ thẩm định"
        TO_SIGN = "to_sign", "Báo có văn bản chờ ký"
        TO_ISSUE = "to_issue", "Báo có văn bản chờ cấp số, phát hành"
        SIGNED = "signed", "Báo văn bản đã được ký"
        ISSUED = "issued", "Báo văn bản đã ban hành"
        ROUND_OPENED = "round_opened", "Báo mở kỳ báo cáo"
        URGE = "urge", "Đôn đốc đơn vị chậm nộp"
        HAND_OVER = "hand_over", "Báo được chuyển xử lý"
        CONSULT = "consult", "Đề nghị cho ý kiến phối hợp"
        CONSULT_ANSWER = "consult_answer", "Báo đơn vị đã trả lời phối hợp"
        INSTRUCT = "instruct", "Báo ý kiến chỉ đạo"

    class Status(models.TextChoices):
        PENDING = "pending", "Chờ gửi"
        MAIL_PENDING = "mail_pending", "Đã báo trong hệ thống, chờ gửi thư"
        SENT = "sent", "Đã gửi"
        REFUSED = "refused", "Đã báo trong hệ thống; máy chủ thư từ chối địa chỉ"
        SUPERSEDED = "superseded", "Không gửi (đã có nhắc gần hạn hơn)"

    document = models.ForeignKey("workflows.Document", on_delete=models.CASCADE, related_name="reminders", verbose_name="văn bản")
    kind = models.CharField("loại", max_length=30, choices=Kind.choices)
    # due_soon: days before the deadline; review_pending: the n-th submission; the notices of a
    # transition (returned, approved, to_review, to_sign, to_issue, signed, issued): the audit entry
    # id of the transition; overdue, round_opened: 0.
    offset = models.BigIntegerField("mốc")
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices, default=Status.PENDING)
    subject = models.CharField("tiêu đề", max_length=300)
    body = models.TextField("nội dung")
    user_ids = models.JSONField("người nhận trong hệ thống", default=list)
    emails = models.JSONField("địa chỉ thư", default=list)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    attempts = models.PositiveIntegerField("số lần thử", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    # Đôn đốc is asked by a person (rounds.urging); the automatic reminders have nobody here.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="người đôn đốc"
    )

    class Meta:
        verbose_name = "nhắc việc"
        verbose_name_plural = "nhắc việc"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "kind", "offset"], name="one_reminder_per_key")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.subject}"
