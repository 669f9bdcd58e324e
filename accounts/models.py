"""People and their roles. A person belongs to one unit and may hold several roles.

API tokens belong to a person, expire after API_TOKEN_TTL_DAYS and are revoked when the person's
password changes or the account is deactivated (accounts.signals)."""
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AbstractUser, _user_has_perm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    DRAFTER = "drafter", "Soạn thảo"
    REVIEWER = "reviewer", "Thẩm định"
    SIGNER = "signer", "Ký duyệt"
    CLERK = "clerk", "Văn thư"
    ADMIN = "admin", "Quản trị"


class User(AbstractUser):
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    position = models.CharField("chức vụ", max_length=100, blank=True, help_text="Ví dụ: Phó Chủ tịch")
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name="đơn vị"
    )
    commune = models.ForeignKey(
        "organizations.Commune", on_delete=models.PROTECT, null=True, blank=True, related_name="people", verbose_name="cơ quan"
    )
    roles = models.JSONField("vai trò", default=list, blank=True, help_text="Một hoặc nhiều vai trò: " + ", ".join(Role.values))
    # Notices always appear in the application (the bell); this says whether they are also mailed.
    email_notifications = models.BooleanField(
        "nhận thông báo qua thư điện tử",
        default=True,
        help_text="Gửi thêm thư điện tử (nếu có địa chỉ) khi có văn bản chờ xử lý, bị trả lại, được duyệt, ký, ban hành và khi nhắc hạn.",
    )
    # Each commune is its own tenant: a person reads their own commune only. A province-level
    # officer who follows several communes is given them here, explicitly; it grants reading only.
    supervised_communes = models.ManyToManyField(
        "organizations.Commune",
        blank=True,
        related_name="supervisors",
        verbose_name="các xã được theo dõi",
        help_text="Chỉ dành cho cán bộ cấp tỉnh/huyện theo dõi nhiều xã: được xem (không được xử lý) văn bản của các xã này.",
    )

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self):
        return self.full_name or self.username

    def clean(self):
        """A drafter writes their unit's documents, so a person with that role belongs to a unit
        (admin forms and every full_clean() of a person check it; the field is named)."""
        super().clean()
        if self.has_role(Role.DRAFTER) and not self.unit_id:
            raise ValidationError({"unit": "Người có vai trò «Soạn thảo» phải thuộc một đơn vị: chọn đơn vị."})

    def has_perm(self, perm, obj=None):
        """Model permissions as Django has them (a superuser holds all). Permissions on one object
        are the workflow's rules (workflows.backends): being an administrator grants no role there,
        so an administrator may not approve or sign a document by being one."""
        if obj is None:
            return super().has_perm(perm)
        return self.is_active and _user_has_perm(self, perm, obj)

    def has_role(self, role):
        return role in (self.roles or [])

    @property
    def home_commune_id(self):
        """The commune this person works for: the one on the account, else their unit's. None for an
        account of no commune (an administrator of the whole installation), who sees every commune.
        The one answer to "which commune is this user's" for pages, the API and the exports."""
        if self.commune_id:
            return self.commune_id
        return self.unit.commune_id if self.unit_id else None

    @property
    def home_commune(self):
        """The Commune of `home_commune_id` (None likewise)."""
        if self.commune_id:
            return self.commune
        return self.unit.commune if self.unit_id else None

    def readable_commune_ids(self):
        """The communes whose data this person may read: their own and those they supervise
        (`supervised_communes`). None for a superuser, the technical administrator of the whole
        installation; an empty set for an account of no commune. Cached on the instance."""
        if not self.is_authenticated:
            return frozenset()
        if self.is_superuser:
            return None
        cached = getattr(self, "_readable_commune_ids", None)
        if cached is None:
            ids = set(self.supervised_communes.values_list("pk", flat=True)) if self.pk else set()
            if self.home_commune_id:
                ids.add(self.home_commune_id)
            cached = self._readable_commune_ids = frozenset(ids)
        return cached

    @property
    def role_labels(self):
        labels = dict(Role.choices)
        return [labels.get(r, r) for r in self.roles or []]


def token_expiry():
    return timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """Bearer token for the REST API. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="người dùng")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    last_used_at = models.DateTimeField("dùng lần cuối", null=True, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc", default=token_expiry, db_index=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "khóa truy cập API"
        verbose_name_plural = "khóa truy cập API"

    @property
    def expired(self):
        return self.expires_at <= timezone.now()


class FailedLogin(AccessAttempt):
    """django-axes' record of wrong passwords for one username and address, shown to administrators
    in Vietnamese; deleting it unlocks the pair at once."""

    class Meta:
        proxy = True
        verbose_name = "đăng nhập sai (khóa tạm thời)"
        verbose_name_plural = "đăng nhập sai (khóa tạm thời)"

    def __str__(self):
        return f"«{self.username or '—'}» từ {self.ip_address or 'địa chỉ không rõ'}"
