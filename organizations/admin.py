"""Administration of the issuing body and its units (in Vietnamese)."""
from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import Commune, Unit


class CommuneForm(forms.ModelForm):
    class Meta:
        model = Commune
        fields = "__all__"

    def clean_shared_numbering(self):
        shared = self.cleaned_data["shared_numbering"]
        if self.instance.pk and shared != self.instance.shared_numbering:
            from documents.models import RegisterEntry

            year = timezone.localdate().year
            # Numbers run from 01 on 1 January to 31 December; switching mid-year would reuse numbers.
            if RegisterEntry.objects.filter(commune=self.instance, year=year).exists():
                raise forms.ValidationError(
                    f"Năm {year} đã cấp số văn bản theo cách hiện tại; chỉ đổi cách đánh số "
                    "khi bắt đầu năm mới, trước khi cấp số văn bản đầu tiên."
                )
        return shared


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("order", "code", "name", "abbreviation", "kind", "function", "is_sample", "active")
    show_change_link = True


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    form = CommuneForm
    list_display = ("name", "short_name", "abbreviation", "place_name", "shared_numbering")
    search_fields = ("name", "short_name", "code")
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "parent_name", "place_name")}),
        (
            "Thể thức văn bản",
            {"fields": ("header_lines", "abbreviation", "collective_title", "chairman_title", "vice_chairman_title")},
        ),
        ("Sổ văn bản đi", {"fields": ("shared_numbering",)}),
    )
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "abbreviation", "kind", "function", "head_name", "is_sample", "active", "order")
    list_display_links = ("name",)
    list_editable = ("order", "active")
    list_filter = ("kind", "function", "is_sample", "active", "commune")
    list_select_related = ("commune",)
    search_fields = ("name", "code", "abbreviation")
    fieldsets = (
        (None, {"fields": ("commune", "code", "name", "abbreviation", "kind", "function", "order", "active")}),
        ("Người đứng đầu, liên hệ", {"fields": ("head_title", "head_name", "email")}),
        ("Dữ liệu mẫu", {"fields": ("is_sample",)}),
    )
