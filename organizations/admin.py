"""Administration of the issuing body and its units (in Vietnamese).

The rule that the numbering scheme changes only before a year's first number belongs to the
register, so documents.admin registers the Commune admin with that check (CommuneNumberingForm);
this module knows nothing of documents.
"""
from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from .admin_forms import RowLabelledListEditable
from .models import Commune, Unit

# How each model that belongs to a commune reaches it (ORM paths to the Commune's id; a row is the
# commune's when any path matches). Used for the admin's lists and for the choices of its forms.
TENANT_PATHS = {
    "organizations.commune": ("pk",),
    "organizations.unit": ("commune",),
    "accounts.user": ("commune", "unit__commune"),
    "plans.plan": ("commune",),
    "plans.area": ("plan__commune",),
    "plans.target": ("plan__commune",),
    "plans.assignment": ("plan__commune",),
    "plans.phase": ("plan__commune",),
    "plans.period": ("plan__commune",),
    "workflows.document": ("commune",),
}


def tenant_q(model, communes, paths=None):
    """A filter keeping the rows of `model` that belong to one of `communes` (ids)."""
    paths = paths or TENANT_PATHS.get(model._meta.label_lower)
    if not paths:
        return None
    wanted = Q(pk__in=[])
    for path in paths:
        wanted |= Q(**{f"{path}__in" if path != "pk" else "pk__in": sorted(communes)})
    return wanted


class TenantAdminMixin:
    """Each commune is its own tenant in the admin too: a staff account that is not a superuser sees,
    changes and picks (in its forms' choices) only the rows of the communes it may read
    (accounts.User.readable_commune_ids: its own and those it supervises). Anything else answers 404
    like a missing row. A superuser, the technical administrator, sees every commune.

    `tenant_paths`: how this admin's model reaches its Commune (default: TENANT_PATHS)."""

    tenant_paths = None

    @staticmethod
    def admin_communes(request):
        user = request.user
        if not getattr(user, "is_authenticated", False):
            return frozenset()
        return user.readable_commune_ids()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        communes = self.admin_communes(request)
        if communes is None:
            return qs
        wanted = tenant_q(self.model, communes, self.tenant_paths)
        return qs.none() if wanted is None else qs.filter(wanted)

    def get_list_filter(self, request):
        """Filters by a related row offer only the rows the list holds (not another commune's names)."""
        filters = super().get_list_filter(request)
        if self.admin_communes(request) is None:
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str):
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation:
                    item = (item, admin.RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    def _limit(self, request, field, formfield):
        communes = self.admin_communes(request)
        if formfield is None or communes is None or not hasattr(formfield, "queryset"):
            return formfield
        wanted = tenant_q(field.related_model, communes)
        if wanted is not None:
            formfield.queryset = formfield.queryset.filter(wanted).distinct()
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._limit(request, db_field, super().formfield_for_foreignkey(db_field, request, **kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._limit(request, db_field, super().formfield_for_manytomany(db_field, request, **kwargs))


class UnitInline(TenantAdminMixin, admin.TabularInline):
    model = Unit
    extra = 0
    fields = ("order", "code", "name", "abbreviation", "kind", "function", "head_title", "head_name", "is_sample", "active")
    show_change_link = True


@admin.register(Commune)
class CommuneAdmin(TenantAdminMixin, admin.ModelAdmin):
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
class UnitAdmin(TenantAdminMixin, RowLabelledListEditable, admin.ModelAdmin):
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
