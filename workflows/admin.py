"""Administration of documents (in Vietnamese): look, never push.

State changes go only through workflows.services (they check roles, lock rows and write the audit
trail), so documents, versions and the audit trail are read-only here. Issued documents can never be
changed or deleted; a draft that never entered the workflow may be deleted.
"""
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from organizations.admin import TenantAdminMixin
from plans.formatting import unit_value_label
from plans.models import Target

from .content import SECTION_LABELS, SECTIONS
from .models import Attachment, AuditEntry, Consultation, Document, DocumentVersion, State


class ReadOnlyMixin:
    """No adding, no changing, no bulk delete: the admin only shows."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class AuditEntryInline(ReadOnlyMixin, admin.TabularInline):
    model = AuditEntry
    extra = 0
    fields = ("at", "transition_label", "source", "target", "actor", "version", "comment")
    readonly_fields = fields
    ordering = ("at", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="thao tác")
    def transition_label(self, obj):
        return obj.transition_label


class DocumentVersionInline(ReadOnlyMixin, admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "title", "created_by", "created_at")
    readonly_fields = fields
    ordering = ("number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by").defer("content")


class AttachmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "target_code", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")


@admin.register(Document)
class DocumentAdmin(TenantAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "unit", "period", "state", "version", "number_label", "issued_on", "updated_at")
    list_filter = ("kind", "state", "period", "unit")
    list_select_related = ("unit", "period")
    search_fields = ("title", "number_label", "unit__name")
    date_hierarchy = "updated_at"
    fieldsets = (
        (None, {"fields": ("title", "kind", "commune", "plan", "period", "unit", "state", "version")}),
        ("Nội dung", {"fields": ("sections_display", "values_display", "initiatives_display")}),
        ("Xử lý", {"fields": ("created_by", "created_at", "updated_at", "submitted_at", "reviewer", "signer")}),
        ("Ban hành", {"fields": ("number_label", "issued_on")}),
    )
    readonly_fields = (
        "title", "kind", "commune", "plan", "period", "unit", "state", "version",
        "sections_display", "values_display", "initiatives_display",
        "created_by", "created_at", "updated_at", "submitted_at", "reviewer", "signer", "number_label", "issued_on",
    )
    inlines = [AuditEntryInline, DocumentVersionInline, AttachmentInline]

    def has_delete_permission(self, request, obj=None):
        # Only a draft that never entered the workflow (no audit entry) may go; history is never lost.
        if obj is None or not super(ReadOnlyMixin, self).has_delete_permission(request, obj):
            return False
        return obj.state == State.DRAFT and not obj.audit_entries.exists()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The saved versions of a draft that never entered the workflow go with it.
        perms_needed.discard(DocumentVersion._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    @admin.display(description="các mục")
    def sections_display(self, obj):
        content = obj.typed_content
        keys = [key for key, _, _ in SECTIONS.get(obj.kind, []) if content.section(key)]
        if not keys:
            return "—"
        return format_html_join(
            "",
            '<div style="margin-bottom:1em"><strong>{}</strong><div style="white-space:pre-wrap">{}</div></div>',
            ((SECTION_LABELS.get(key, key), content.section(key)) for key in keys),
        )

    @admin.display(description="kết quả chỉ tiêu")
    def values_display(self, obj):
        values = getattr(obj.typed_content, "values", {})
        if not values:
            return "—"
        targets = {t.code: t for t in Target.objects.filter(plan_id=obj.plan_id, code__in=list(values))}
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (code, unit_value_label(targets.get(code), entry.value), entry.note, entry.evidence)
                for code, entry in sorted(values.items())
            ),
        )
        return format_html(
            "<table><thead><tr><th>Chỉ tiêu</th><th>Kết quả</th><th>Ghi chú</th><th>Minh chứng</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="mô hình")
    def initiatives_display(self, obj):
        initiatives = getattr(obj.typed_content, "initiatives", [])
        if not initiatives:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}){}</li>",
                ((i.name, i.kind, f": {i.note}" if i.note else "") for i in initiatives),
            ),
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    tenant_paths = ("document__commune",)
    list_display = ("at", "document", "transition_label", "source", "target", "actor", "version", "comment")
    list_filter = ("transition", "target")
    list_select_related = ("document", "actor")
    search_fields = ("document__title", "comment", "actor__username", "actor__full_name")
    date_hierarchy = "at"
    fields = ("document", "transition_label", "source", "target", "actor", "at", "version", "comment")
    readonly_fields = fields

    @admin.display(description="thao tác", ordering="transition")
    def transition_label(self, obj):
        return obj.transition_label


@admin.register(DocumentVersion)
class DocumentVersionAdmin(TenantAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    tenant_paths = ("document__commune",)
    list_display = ("document", "number", "created_by", "created_at")
    list_select_related = ("document", "created_by")
    search_fields = ("document__title", "title")
    fields = ("document", "number", "title", "content", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "document__content")


@admin.register(Attachment)
class AttachmentAdmin(TenantAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Uploads go through the service (type and size checks); here an administrator can only
    look, or remove evidence while the report is still being drafted."""

    tenant_paths = ("document__commune",)

    list_display = ("original_name", "document", "target_code", "content_type", "size", "uploaded_by", "uploaded_at")
    list_select_related = ("document", "uploaded_by")
    search_fields = ("original_name", "document__title")
    fields = ("document", "target_code", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__content")

    def has_delete_permission(self, request, obj=None):
        if obj is None or not super(ReadOnlyMixin, self).has_delete_permission(request, obj):
            return False
        return obj.document.state in (State.DRAFT, State.RETURNED)


@admin.register(Consultation)
class ConsultationAdmin(TenantAdminMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Phối hợp requests and their answers (workflows.handling): asked and answered on the document page."""

    tenant_paths = ("document__commune",)

    list_display = ("document", "unit", "deadline", "requested_by", "requested_at", "answered_by", "answered_at")
    list_select_related = ("document", "unit", "requested_by", "answered_by")
    list_filter = ("unit",)
    search_fields = ("question", "answer", "document__title")
    fields = (
        "document", "unit", "question", "deadline", "requested_by", "requested_at",
        "answer", "answered_by", "answered_at", "file_name", "file_type", "file_size",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__content")
