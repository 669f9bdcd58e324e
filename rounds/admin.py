from django.contrib import admin

from organizations.admin import TenantAdminMixin

from .models import ReminderLog, RoundSettings


@admin.register(RoundSettings)
class RoundSettingsAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("commune", "reminder_days_before", "review_after_days", "weight_targets", "weight_on_time", "weight_return", "weight_initiative")
    fieldsets = (
        ("Nhắc việc", {"fields": ("commune", "reminder_days_before", "review_after_days")}),
        ("Trọng số đánh giá thi đua", {"fields": ("weight_targets", "weight_on_time", "weight_return", "weight_initiative", "max_initiative_points")}),
    )


@admin.register(ReminderLog)
class ReminderLogAdmin(TenantAdminMixin, admin.ModelAdmin):
    tenant_paths = ("document__commune",)
    """Read-only: the outbox is written by the scheduler; admins look, they do not edit."""

    list_display = ("created_at", "kind", "document", "offset", "status", "sent_at", "attempts")
    list_filter = ("kind", "status")
    search_fields = ("subject", "document__title")
    readonly_fields = [f.name for f in ReminderLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
