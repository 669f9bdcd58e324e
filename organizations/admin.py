"""Administration of the issuing body and its units (in Vietnamese).

The rule that the numbering scheme changes only before a year's first number belongs to the
register, so documents.admin registers the Commune admin with that check (CommuneNumberingForm);
this module knows nothing of documents.
"""
from django.contrib import admin

from .admin_forms import RowLabelledListEditable
from .models import Commune, Unit


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("order", "code", "name", "abbreviation", "kind", "function", "head_title", "head_name", "is_sample", "active")
    show_change_link = True


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
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
class UnitAdmin(RowLabelledListEditable, admin.ModelAdmin):
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
