"""Theo dõi: who has reported for a period, the 13 targets against their values, opening rounds
and compiling the commune report. Figures come from rounds.compile; nothing is computed here."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from plans.models import Period, Plan, Target
from rounds import access as round_access
from rounds import compile as round_compile
from rounds import services as round_services
from workflows import queries
from rounds.evaluation import evaluate_year
from rounds.freshness import freshness
from rounds.exports import evaluation_xlsx, round_status_xlsx
from workflows.errors import WorkflowError
from workflows.models import Document, Kind, State

from ..charts import bar_chart
from .common import error_page, query_param, xlsx_response

NOT_CREATED = "not_created"
STATE_LABELS = dict(State.choices)


def current_plan(user):
    qs = Plan.objects.select_related("commune", "coordinator")
    if user.commune_id:
        qs = qs.filter(commune_id=user.commune_id)
    return qs.order_by("-start_year", "pk").first()


def choose_period(periods, code):
    by_code = {p.code: p for p in periods}
    if code in by_code:
        return by_code[code]
    opened = [p for p in periods if p.opened_at]
    if opened:
        return opened[-1]
    today = timezone.localdate()
    upcoming = [p for p in periods if p.deadline >= today]
    return upcoming[0] if upcoming else (periods[-1] if periods else None)


def plan_and_period(request):
    """The user's plan, its periods, and the period chosen by ?ky= (or the natural default)."""
    plan = current_plan(request.user)
    periods = list(Period.objects.filter(plan=plan).order_by("data_end", "kind")) if plan else []
    period = choose_period(periods, query_param(request, "ky"))
    if period is not None:
        period.plan = plan
    return plan, periods, period


def status_matrix(period):
    """One row per reporting unit: the state of its report, late or not, how often returned."""
    units = round_services.reporting_units(period.plan)
    reports = {
        d.unit_id: d
        for d in Document.objects.filter(kind=Kind.UNIT_REPORT, period=period)
        .select_related("period")
        .annotate(returns=Count("audit_entries", filter=Q(audit_entries__transition__in=("return", "send_back"))))
    }
    today = timezone.localdate()
    rows = []
    totals = {key: 0 for key in [NOT_CREATED, *State.values]}
    for unit, codes in units:
        doc = reports.get(unit.pk)
        state = doc.state if doc else NOT_CREATED
        late = queries.is_overdue(doc, today) if doc else period.deadline < today
        submitted_late = bool(doc and doc.submitted_at and timezone.localdate(doc.submitted_at) > period.deadline)
        totals[state] += 1
        rows.append(
            {
                "unit": unit,
                "codes": codes,
                "doc": doc,
                "state": state,
                "state_label": STATE_LABELS.get(state, "Chưa tạo báo cáo"),
                "late": late,
                "submitted_late": submitted_late,
                "returns": doc.returns if doc else 0,
            }
        )
    columns = [(NOT_CREATED, "Chưa tạo"), *State.choices[:-2]]  # unit reports end at "approved"
    return rows, [(key, label, totals[key]) for key, label in columns]


def _short(period):
    kind = {"H1": "6T", "Y": "N", "SK": "SK", "TK": "TK"}.get(period.kind, period.kind)
    return f"{kind}/{period.year % 100:02d}"


def target_progress(plan, periods, period):
    """Per target: the compiled value of the chosen period (live) and the series of compiled
    summary reports over all periods, drawn as a small chart."""
    live_rows, _, _ = round_compile.compute_figures(period)
    live = {row["code"]: row for row in live_rows}
    stored = {}
    for doc in Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan=plan).only("period_id", "content"):
        for row in (doc.content.get("compiled") or {}).get("targets") or []:
            stored.setdefault(row.get("code"), {})[doc.period_id] = row.get("value")
    targets = list(Target.objects.filter(plan=plan).order_by("order"))
    result = []
    for target in targets:
        series = dict(stored.get(target.code, {}))
        row = live.get(target.code, {})
        series[period.pk] = row.get("value")
        points = [(_short(p), series.get(p.pk)) for p in periods]
        numeric = target.input_kind in ("percent", "count") or target.aggregation == "share_yes"
        result.append(
            {
                "target": target,
                "row": row,
                "chart": bar_chart(
                    points,
                    target_value=target.target_value,
                    percent=(target.measure_unit or "").strip().startswith("%") or target.input_kind == "percent",
                    title=f"Chỉ tiêu {target.code} qua các kỳ báo cáo",
                )
                if numeric and target.aggregation != "qualitative"
                else None,
            }
        )
    return result


class DashboardView(LoginRequiredMixin, View):
    template_name = "web/dashboard.html"
    section = "matrix"

    def get(self, request):
        plan, periods, period = plan_and_period(request)
        if plan is None:
            return render(request, self.template_name, {"plan": None})
        context = {"plan": plan, "periods": periods, "period": period, "section": self.section}
        if period is not None:
            if self.section == "matrix":
                context["rows"], context["columns"] = status_matrix(period)
            else:
                context["targets"] = target_progress(plan, periods, period)
        return render(request, self.template_name, context)


class TargetsView(DashboardView):
    section = "targets"


class RoundsView(LoginRequiredMixin, View):
    """Kỳ báo cáo: open a round, create or recompile the summary report (Phòng VH-XH)."""

    def get(self, request):
        plan = current_plan(request.user)
        periods = list(
            Period.objects.filter(plan=plan)
            .annotate(
                reports=Count("documents", filter=Q(documents__kind=Kind.UNIT_REPORT)),
                approved=Count("documents", filter=Q(documents__kind=Kind.UNIT_REPORT, documents__state=State.APPROVED)),
            )
            .order_by("data_end", "kind")
        ) if plan else []
        summaries = {
            d.period_id: d for d in Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan=plan).only("id", "kind", "period_id", "state", "version", "content")
        } if plan else {}
        for p in periods:
            p.summary = summaries.get(p.pk)
            p.summary_freshness = freshness(p.summary) if p.summary else None
        may_run = bool(plan and round_access.is_coordinator_staff(request.user, plan.commune_id))
        return render(request, "web/rounds.html", {"plan": plan, "periods": periods, "may_run": may_run})


class OpenRoundView(LoginRequiredMixin, View):
    def post(self, request, pk):
        period = _period(pk)
        try:
            opened = round_services.open_round(period, request.user)
        except WorkflowError as exc:
            return error_page(request, exc)
        messages.success(
            request,
            f"Đã mở kỳ «{period.name}»: tạo {len(opened.created)} dự thảo báo cáo mới ({opened.existing} báo cáo đã có).",
        )
        return redirect(reverse("theo-doi:ky-bao-cao:index"))


class CompileView(LoginRequiredMixin, View):
    def post(self, request, pk):
        period = _period(pk)
        try:
            document, created = round_compile.compile_period(period, request.user)
        except WorkflowError as exc:
            return error_page(request, exc)
        if created:
            messages.success(request, "Đã tạo báo cáo tổng hợp và tổng hợp số liệu từ các báo cáo đã duyệt.")
        else:
            messages.success(request, "Đã tổng hợp lại số liệu từ các báo cáo đã duyệt.")
        return redirect(reverse("van-ban:detail", args=[document.pk]))


def _period(pk):
    try:
        return Period.objects.select_related("plan", "plan__commune").get(pk=pk)
    except Period.DoesNotExist:
        raise Http404("Không có kỳ báo cáo này.") from None


class StatusExportView(LoginRequiredMixin, View):
    """The matrix of a period as Excel (rounds.exports, the format commune offices exchange)."""

    def get(self, request):
        _, _, period = plan_and_period(request)
        if period is None:
            raise Http404("Không có kỳ báo cáo.")
        return xlsx_response(round_status_xlsx(period), f"tinh-hinh-nop-bao-cao-{period.code}.xlsx")


class EvaluationView(LoginRequiredMixin, View):
    """Year-end emulation evaluation: the ranked table with the reasons behind each score."""

    def get(self, request):
        plan = current_plan(request.user)
        try:
            year = int(query_param(request, "nam", 4))
        except ValueError:
            year = timezone.localdate().year
        if plan is not None:
            year = min(max(year, plan.start_year), plan.end_year)
        rows = evaluate_year(plan, year) if plan else []
        if plan and request.GET.get("dinh-dang") == "xlsx":
            return xlsx_response(evaluation_xlsx(plan, year, rows), f"danh-gia-thi-dua-{year}.xlsx")
        years = range(plan.start_year, plan.end_year + 1) if plan else []
        return render(request, "web/evaluation.html", {"plan": plan, "rows": rows, "year": year, "years": years})
