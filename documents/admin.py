"""Admin: Word template versions (upload, checked), the read-only register of issued documents and
the units' report sequences, and
the register's rule on the commune's numbering scheme (the Commune admin is registered again here)."""
import hashlib
import io

from django import forms
from django.contrib import admin
from django.http import FileResponse, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from organizations.admin import CommuneAdmin, TenantAdminMixin
from organizations.admin_forms import RowLabelledListEditable
from organizations.models import Commune

from .dates import short_date
from .models import RegisterEntry, TemplateVersion, UnitSequence
from .rendering import DOCX_CONTENT_TYPE
from .template_files import FILES
from .templates import builtin_template, validate_template


class TemplateVersionForm(forms.ModelForm):
    class Meta:
        model = TemplateVersion
        fields = ["kind", "file", "note", "active"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        kind = cleaned.get("kind")
        if self.instance.pk or upload is None or kind is None:
            return cleaned
        if not upload.name.lower().endswith(".docx"):
            self.add_error("file", "Chỉ nhận tệp Word có đuôi .docx.")
            return cleaned
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        try:
            validate_template(kind, data)
        except forms.ValidationError as exc:
            self.add_error("file", exc)
            return cleaned
        self.instance.sha256 = hashlib.sha256(data).hexdigest()
        self.instance.original_name = upload.name[:255]
        return cleaned


@admin.register(TemplateVersion)
class TemplateVersionAdmin(RowLabelledListEditable, admin.ModelAdmin):
    form = TemplateVersionForm
    list_display = ["kind", "original_name", "uploaded_at", "uploaded_by", "active", "note"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]
    list_select_related = ["uploaded_by"]
    ordering = ["kind", "-uploaded_at", "-id"]
    readonly_fields = ["builtin_links"]

    # Word templates serve every commune of the installation: only its technical administrator
    # (a superuser) changes them, never one commune's administrator for all the others.
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # An uploaded file never changes: upload a new version instead.
            return ["kind", "file", "original_name", "sha256", "uploaded_by", "uploaded_at"]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ["kind", "file", "original_name", "sha256", "note", "active", "uploaded_by", "uploaded_at"]
        return ["kind", "file", "note", "active", "builtin_links"]

    @admin.display(description="Mẫu gốc để tải về và sửa")
    def builtin_links(self, obj=None):
        links = [
            format_html('<a href="{}">{}</a>', reverse("admin:documents_templateversion_builtin", args=[kind]), label)
            for kind, label in TemplateVersion.KIND_CHOICES
        ]
        return format_html(
            "{}<br>Mở mẫu bằng Word/LibreOffice, sửa chữ cố định, cỡ chữ, lề; giữ nguyên các thẻ {{{{ … }}}} và {{% … %}} "
            "rồi tải lên. Mẫu được kiểm tra trước khi dùng; mẫu cũ vẫn được giữ lại.",
            format_html(" · ".join(["{}"] * len(links)), *links),
        )

    def get_urls(self):
        custom = [
            path(
                "builtin/<str:kind>/",
                self.admin_site.admin_view(self.builtin_view),
                name="documents_templateversion_builtin",
            )
        ]
        return custom + super().get_urls()

    def builtin_view(self, request, kind):
        if kind not in FILES or not self.has_view_permission(request):
            return HttpResponse("Không có mẫu này.", status=404, content_type="text/plain; charset=utf-8")
        return FileResponse(io.BytesIO(builtin_template(kind)), as_attachment=True, filename=FILES[kind], content_type=DOCX_CONTENT_TYPE)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegisterEntry)
class RegisterEntryAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Sổ văn bản đi: written only by the `issue` transition, never edited by hand."""

    list_display = ["symbol", "issued_on_display", "excerpt", "signer_name", "recipients_display"]
    list_filter = ["year", "type_abbreviation"]
    search_fields = ["symbol", "excerpt", "signer_name"]
    ordering = ["-year", "sequence_key", "-number"]

    @admin.display(description="ngày ban hành", ordering="issued_on")
    def issued_on_display(self, obj):
        return short_date(obj.issued_on) if obj.issued_on else ""

    @admin.display(description="nơi nhận")
    def recipients_display(self, obj):
        return "; ".join(str(r) for r in obj.recipients or [])

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitSequence)
class UnitSequenceAdmin(TenantAdminMixin, admin.ModelAdmin):
    tenant_paths = ("unit__commune",)
    """Each unit's register of its own reports: written only by the `submit` transition."""

    list_display = ["unit", "year", "last_number"]
    list_filter = ["year"]
    search_fields = ["unit__name", "unit__abbreviation"]
    list_select_related = ["unit"]
    ordering = ["-year", "unit__order"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CommuneNumberingForm(forms.ModelForm):
    class Meta:
        model = Commune
        fields = "__all__"

    def clean_shared_numbering(self):
        shared = self.cleaned_data["shared_numbering"]
        if self.instance.pk and shared != self.instance.shared_numbering:
            year = timezone.localdate().year
            # Numbers run from 01 on 1 January to 31 December; switching mid-year would reuse numbers.
            if RegisterEntry.objects.filter(commune=self.instance, year=year).exists():
                raise forms.ValidationError(
                    f"Năm {year} đã cấp số văn bản theo cách hiện tại; chỉ đổi cách đánh số "
                    "khi bắt đầu năm mới, trước khi cấp số văn bản đầu tiên."
                )
        return shared


class RegisterAwareCommuneAdmin(CommuneAdmin):
    form = CommuneNumberingForm


# organizations.admin (imported above, so already registered) knows nothing of the register.
admin.site.unregister(Commune)
admin.site.register(Commune, RegisterAwareCommuneAdmin)
