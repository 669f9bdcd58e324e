"""Administration of the plan, its targets and reporting periods (in Vietnamese)."""
from django import forms
from django.contrib import admin
from django.db.models import Count

from organizations.admin import TenantAdminMixin

from .models import Area, Assignment, Period, Phase, Plan, Target


class AreaInline(TenantAdminMixin, admin.TabularInline):
    model = Area
    extra = 0
    fields = ("number", "title")
    show_change_link = True


class PhaseInline(TenantAdminMixin, admin.TabularInline):
    model = Phase
    extra = 0
    fields = ("number", "name", "start_year", "end_year")
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("code", "title", "start_year", "end_year", "coordinator", "loaded_at")
    list_select_related = ("coordinator",)
    search_fields = ("code", "title")
    readonly_fields = ("source_file", "loaded_at")
    fieldsets = (
        (None, {"fields": ("commune", "code", "title", "start_year", "end_year", "coordinator")}),
        ("Nội dung văn bản", {"fields": ("content", "recipients", "archive_line", "signer"), "classes": ("collapse",)}),
        ("Nguồn dữ liệu", {"fields": ("source_file", "loaded_at")}),
    )
    inlines = [AreaInline, PhaseInline]


@admin.register(Area)
class AreaAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("number", "title", "plan")
    list_display_links = ("number", "title")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("title",)


@admin.register(Target)
class TargetAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("code", "text", "input_kind", "comparison", "target_value", "measure_unit", "aggregation", "unit_count")
    list_display_links = ("code", "text")
    list_filter = ("plan", "area", "input_kind", "aggregation")
    list_select_related = ("plan", "area")
    search_fields = ("code", "text")
    filter_horizontal = ("reporting_units",)
    fieldsets = (
        (None, {"fields": ("plan", "area", "code", "order", "text")}),
        ("Cách đo", {"fields": ("input_kind", "comparison", "target_value", "measure_unit", "aggregation")}),
        ("Đơn vị báo cáo", {"fields": ("reporting_units", "note")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_unit_count=Count("reporting_units", distinct=True))

    @admin.display(description="số đơn vị báo cáo", ordering="_unit_count")
    def unit_count(self, obj):
        return obj._unit_count


@admin.register(Assignment)
class AssignmentAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("number", "heading", "plan", "unit_names")
    list_display_links = ("number", "heading")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("heading",)
    filter_horizontal = ("units",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("units")

    @admin.display(description="đơn vị")
    def unit_names(self, obj):
        return ", ".join(unit.abbreviation or unit.name for unit in obj.units.all()) or "—"


@admin.register(Phase)
class PhaseAdmin(TenantAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "start_year", "end_year", "plan")
    list_display_links = ("number", "name")
    list_filter = ("plan",)
    list_select_related = ("plan",)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        # The changelist edits only the deadline; the other dates then come from the period itself.
        start, end, deadline = (
            cleaned.get(name) if name in self.fields else getattr(self.instance, name)
            for name in ("data_start", "data_end", "deadline")
        )
        if start and end and end < start:
            self.add_error("data_end", "Ngày kết thúc số liệu phải sau ngày bắt đầu.")
        if end and deadline and deadline < end:
            self.add_error("deadline", "Hạn nộp báo cáo không được trước ngày chốt số liệu.")
        return cleaned


class PeriodDeadlineForm(PeriodForm):
    """One row of the period list: the deadline box is named after its period, for screen readers
    (a column header alone does not label an input)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "deadline" in self.fields and self.instance.pk:
            self.fields["deadline"].widget.attrs["aria-label"] = f"Hạn nộp báo cáo kỳ {self.instance.name} ({self.instance.code})"


@admin.register(Period)
class PeriodAdmin(TenantAdminMixin, admin.ModelAdmin):
    form = PeriodForm
    list_display = ("code", "name", "data_start", "data_end", "deadline", "opened_at")
    list_display_links = ("code", "name")
    list_editable = ("deadline",)
    list_filter = ("plan", "kind", "year")
    list_select_related = ("plan",)
    search_fields = ("code", "name")
    fieldsets = (
        (None, {"fields": ("plan", "phase", "code", "kind", "year", "name")}),
        ("Thời gian", {"fields": ("data_start", "data_end", "deadline", "opened_at")}),
    )

    def get_changelist_form(self, request, **kwargs):
        # The inline deadline edit uses the same checks as the change form.
        return PeriodDeadlineForm
