"""Administration of people, their units and roles, their API tokens and login lockouts (in Vietnamese)."""
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from organizations.admin import TenantAdminMixin, tenant_q

from .models import ApiToken, FailedLogin, Role, User


class RolesField(forms.MultipleChoiceField):
    """The JSON list of roles, edited as check boxes of the known roles."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", Role.choices)
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Vai trò")
        kwargs.setdefault("help_text", "Một người có thể giữ nhiều vai trò.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        # An instance stores a list; anything else (old data) shows no box ticked.
        return value if isinstance(value, (list, tuple)) else []

    def clean(self, value):
        chosen = super().clean(value)
        # Keep the order of Role, no duplicates, so the stored list is stable.
        return [role for role in Role.values if role in chosen]


class PersonChangeForm(UserChangeForm):
    roles = RolesField()

    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PersonCreationForm(UserCreationForm):
    roles = RolesField()

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "position", "unit", "commune", "roles")


@admin.register(User)
class UserAdmin(TenantAdminMixin, BaseUserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("username", "full_name", "position", "unit", "roles_display", "is_active")
    list_filter = ("is_active", "is_superuser", "unit__kind", "unit")
    list_select_related = ("unit",)
    search_fields = ("username", "full_name", "email", "unit__name")
    ordering = ("unit__order", "unit__sort_name", "username")
    # The unit is a plain select (a commune has a few dozen units, in their natural order): the
    # search box of an autocomplete widget has no accessible name. The login and join times are
    # records, not for editing.
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin cán bộ", {"fields": ("full_name", "position", "email", "email_notifications", "unit", "commune", "roles")}),
        ("Theo dõi nhiều xã (cấp tỉnh, huyện)", {"fields": ("supervised_communes",), "classes": ("collapse",)}),
        (
            "Quyền hệ thống",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"), "classes": ("collapse",)},
        ),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "full_name", "position", "unit", "commune", "roles", "password1", "password2"),
            },
        ),
    )

    filter_horizontal = ("supervised_communes", "groups", "user_permissions")
    # Who reads which communes, and who is a superuser, is for the technical administrator to say:
    # a commune's own administrator can neither widen their reach nor grant themselves everything.
    SUPERUSER_ONLY = ("supervised_communes", "is_superuser", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY if f not in fields]
        return fields

    @admin.display(description="vai trò")
    def roles_display(self, obj):
        return ", ".join(obj.role_labels) or "—"


@admin.register(ApiToken)
class ApiTokenAdmin(TenantAdminMixin, admin.ModelAdmin):
    tenant_paths = ("user__commune", "user__unit__commune")
    """Tokens are created by the person through the API; an administrator may only look or revoke."""

    list_display = ("user", "created_at", "last_used_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__full_name")
    fields = ("user", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FailedLogin)
class FailedLoginAdmin(admin.ModelAdmin):
    """Wrong passwords per username and address (django-axes). Unlocking deletes the record."""

    list_display = ("who", "address", "failures", "last_failure", "state")
    search_fields = ("username", "ip_address")
    fields = ("who", "address", "failures", "last_failure", "state", "door", "browser")
    readonly_fields = fields
    actions = ["unlock"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # A commune's administrator sees the lockouts of its own people only (by username).
        qs = super().get_queryset(request)
        communes = request.user.readable_commune_ids()
        if communes is None:
            return qs
        usernames = User.objects.filter(tenant_q(User, communes)).values("username")
        return qs.filter(username__in=usernames)

    @admin.display(description="tên đăng nhập đã nhập", ordering="username")
    def who(self, obj):
        return obj.username or "—"

    @admin.display(description="địa chỉ", ordering="ip_address")
    def address(self, obj):
        return obj.ip_address or "—"

    @admin.display(description="số lần sai", ordering="failures_since_start")
    def failures(self, obj):
        return obj.failures_since_start

    @admin.display(description="lần sai gần nhất", ordering="attempt_time")
    def last_failure(self, obj):
        return timezone.localtime(obj.attempt_time).strftime("%d/%m/%Y %H:%M")

    @admin.display(description="trạng thái")
    def state(self, obj):
        until = obj.attempt_time + timezone.timedelta(seconds=settings.LOGIN_RATE_WINDOW_SECONDS)
        if until <= timezone.now():
            return "Đã hết hạn khóa"
        if obj.failures_since_start >= settings.LOGIN_RATE_LIMIT:
            return f"Đang khóa đến {timezone.localtime(until).strftime('%H:%M %d/%m/%Y')}"
        return f"Còn {settings.LOGIN_RATE_LIMIT - obj.failures_since_start} lần thử"

    @admin.display(description="trang đăng nhập")
    def door(self, obj):
        return obj.path_info

    @admin.display(description="trình duyệt")
    def browser(self, obj):
        return obj.user_agent

    @admin.action(description="Mở khóa: cho phép đăng nhập lại ngay")
    def unlock(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"Đã mở khóa {count} cặp tên đăng nhập và địa chỉ.", messages.SUCCESS)
