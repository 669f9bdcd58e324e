"""Admin: where each signer's key is (never the key itself), and the stored signed PDFs (read-only)."""
from django import forms
from django.contrib import admin
from django.utils.html import format_html
from PIL import Image

from organizations.admin import TenantAdminMixin

from .models import SignedPdf, SigningKey


class SigningKeyForm(forms.ModelForm):
    class Meta:
        model = SigningKey
        fields = [
            "user", "commune", "backend", "module_path", "token_label", "key_label", "pkcs12_path", "pin_name", "image", "is_demo",
        ]

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and hasattr(image, "read"):
            image.seek(0)
            try:
                with Image.open(image) as opened:
                    if opened.format != "PNG" or opened.mode not in ("RGBA", "LA", "P"):
                        raise forms.ValidationError("Ảnh phải là PNG nền trong suốt (có kênh alpha).")
            except (OSError, ValueError):
                raise forms.ValidationError("Tệp không phải ảnh PNG hợp lệ.") from None
            image.seek(0)
        return image

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("user")) == bool(cleaned.get("commune")):
            raise forms.ValidationError("Chọn một người ký hoặc một cơ quan (không chọn cả hai).")
        if cleaned.get("backend") == "pkcs11":
            for name in ("module_path", "token_label", "key_label"):
                if not cleaned.get(name):
                    self.add_error(name, "Bắt buộc với khóa PKCS#11.")
        elif not cleaned.get("pkcs12_path"):
            self.add_error("pkcs12_path", "Bắt buộc với khóa PKCS#12.")
        return cleaned


@admin.register(SigningKey)
class SigningKeyAdmin(TenantAdminMixin, admin.ModelAdmin):
    tenant_paths = ("commune", "user__commune", "user__unit__commune")
    form = SigningKeyForm
    list_display = ["__str__", "backend", "token_label", "key_label", "pin_name", "image_preview", "is_demo"]
    list_filter = ["backend", "is_demo"]
    list_select_related = ["user", "commune"]
    readonly_fields = ["image_preview"]

    @admin.display(description="ảnh")
    def image_preview(self, obj):
        if obj.image:
            return format_html('<img src="{}" alt="Ảnh chữ ký" style="height:48px">', obj.image.url)
        return "—"


@admin.register(SignedPdf)
class SignedPdfAdmin(TenantAdminMixin, admin.ModelAdmin):
    tenant_paths = ("document__commune",)
    list_display = ["document", "stage", "filename", "certificate_subject", "signed_by", "created_at"]
    list_filter = ["stage"]
    list_select_related = ["document", "signed_by"]
    readonly_fields = [f.name for f in SignedPdf._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
