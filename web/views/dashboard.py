"""Theo dõi: who has reported for a period, the 13 targets against their values, opening rounds
and compiling the commune report. Rows come from rounds.selectors (the same functions the API and
the Excel exports call) and figures from rounds.compile; nothing is computed here."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from organizations.models import Commune
from plans.models import Period
from plans.selectors import choose_period, current_plan, periods_of, plans_for
from rounds.access import may_see_round
from rounds import compile as round_compile
from rounds import selectors
from rounds import services as round_services
from rounds import urging
from rounds.exports import evaluation_xlsx, round_status_xlsx
from workflows.errors import Forbidden, WorkflowError


from ..charts import bar_chart
from .common import error_page, page_of, query_param, safe_next, xlsx_response


def readable_plan(request):
    """The plan chosen by ?ke-hoach= among the user's (default: their commune's newest), refused
    when the user may not follow that commune's rounds (rounds.access.may_see_round)."""
    plan = current_plan(request.user, query_param(request, "ke-hoach", 40), query_param(request, "xa", 40))
    if plan is not None and not may_see_round(request.user, plan.commune_id):
        raise Forbidden("Chỉ cơ quan thường trực, người thẩm định, lãnh đạo và văn thư của xã mới xem được tình hình kỳ báo cáo.")
    return plan


def readable_communes(user):
    """(code, name) of the communes a province officer may switch between; empty for everyone else."""
    communes = Commune.objects.filter(plans__in=plans_for(user)).distinct().order_by("name").values_list("code", "name")
    communes = list(communes[:1000])
    return communes if len(communes) > 1 else []


def plan_and_period(request):
    """The user's plan, its periods, and the period chosen by ?ky= (or the natural default)."""
    plan = readable_plan(request)
    periods = periods_of(plan)
    return plan, periods, choose_period(periods, query_param(request, "ky"))


def _short(period):
    kind = {"H1": "6T", "Y": "N", "SK": "SK", "TK": "TK"}.get(period.kind, period.kind)
    return f"{kind}/{period.year % 100:02d}"


def with_charts(progress):
    """rounds.selectors.target_progress with a small bar chart per numeric target."""
    for item in progress:
        item.chart = (
            bar_chart(
                [(_short(p), value) for p, value in item.series],
                target_value=item.target.target_value,
                percent=item.percent,
                title=f"Chỉ tiêu {item.target.code} qua các kỳ báo cáo",
            )
            if item.charted
            else None
        )
    return progress


class DashboardView(LoginRequiredMixin, View):
    template_name = "web/dashboard.html"
    section = "matrix"

    def get(self, request):
        plan, periods, period = plan_and_period(request)
        if plan is None:
            return render(request, self.template_name, {"plan": None})
        context = {"plan": plan, "periods": periods, "period": period, "section": self.section, "communes": readable_communes(request.user)}
        if period is not None:
            if self.section == "matrix":
                rows = selectors.round_status(period)
                context["columns"] = selectors.status_totals(rows)
                # The totals count every unit; the table shows one page, of one state if ?trang-thai= says so.
                state = query_param(request, "trang-thai", 20)
                if state in {key for key, _, _ in context["columns"]}:
                    rows = [row for row in rows if row.state_key == state]
                context["chosen_state"] = state
                context["page"] = page_of(request, rows, per_page=50)
                context["rows"] = context["page"].object_list
                context["may_urge"] = urging.may_urge(request.user, plan.commune_id)
            else:
                context["targets"] = with_charts(selectors.target_progress(plan, periods, period))
        return render(request, self.template_name, context)


class TargetsView(DashboardView):
    section = "targets"


class RoundsView(LoginRequiredMixin, View):
    """Kỳ báo cáo: open a round, create or recompile the summary report (Phòng VH-XH)."""

    def get(self, request):
        plan = readable_plan(request)
        periods, may_run = selectors.rounds_overview(plan, request.user)
        page = page_of(request, periods)
        for period in page.object_list:
            period.confirm_text = open_round_consequence(period)
        return render(request, "web/rounds.html", {"plan": plan, "periods": page.object_list, "page": page, "may_run": may_run})


def open_round_consequence(period):
    """What «Mở kỳ báo cáo» / «Tạo dự thảo còn thiếu» will do, for its confirmation dialog."""
    count = period.drafts_to_create
    window = f"số liệu từ {period.data_start:%d/%m/%Y} đến {period.data_end:%d/%m/%Y}, hạn nộp {period.deadline:%d/%m/%Y}"
    if not period.opened_at:
        return (f"Mở kỳ {period.code} sẽ tạo {count} bản dự thảo báo cáo cho {count} đơn vị ({window}). "
                "Mỗi đơn vị thấy báo cáo cần soạn trong «Việc cần xử lý».")
    if not count:
        return f"Kỳ {period.code} đã mở và mọi đơn vị đã có báo cáo: không tạo thêm dự thảo nào."
    return f"Kỳ {period.code} đã mở. Sẽ tạo {count} bản dự thảo báo cáo còn thiếu cho {count} đơn vị ({window})."


class OpenRoundView(LoginRequiredMixin, View):
    def post(self, request, pk):
        period = _period(request.user, pk)
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
        period = _period(request.user, pk)
        try:
            document, created = round_compile.compile_period(period, request.user)
        except WorkflowError as exc:
            return error_page(request, exc)
        if created:
            messages.success(request, "Đã tạo báo cáo tổng hợp và tổng hợp số liệu từ các báo cáo đã duyệt.")
        else:
            messages.success(request, "Đã tổng hợp lại số liệu từ các báo cáo đã duyệt.")
        return redirect(reverse("van-ban:detail", args=[document.pk]))


class UrgeView(LoginRequiredMixin, View):
    """Đôn đốc a late unit from the status matrix: sent once; a second click says when it was sent."""

    def post(self, request, pk):
        try:
            urged = urging.urge(pk, request.user)
        except WorkflowError as exc:
            return error_page(request, exc)
        row = urged.row
        unit = row.document.unit.name
        if urged.sent_now:
            messages.success(request, f"Đã gửi đôn đốc tới {unit} (thông báo trong hệ thống và thư điện tử).")
        else:
            who = f" bởi {row.requested_by}" if row.requested_by else ""
            messages.info(
                request,
                f"{unit} đã được đôn đốc lúc {timezone.localtime(row.created_at):%H:%M %d/%m/%Y}{who}; không gửi lại lần nữa.",
            )
        return redirect(safe_next(request, reverse("theo-doi:tinh-hinh:index")))


def _period(user, pk):
    """A period of a plan the user may read; another commune's answers 404 like a missing one."""
    try:
        return Period.objects.select_related("plan", "plan__commune").get(pk=pk, plan__in=plans_for(user))
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
        plan = readable_plan(request)
        try:
            year = int(query_param(request, "nam", 4))
        except ValueError:
            year = timezone.localdate().year
        if plan is not None:
            year = min(max(year, plan.start_year), plan.end_year)
        rows = selectors.evaluation(plan, year).rows if plan else []
        if plan and request.GET.get("dinh-dang") == "xlsx":
            return xlsx_response(evaluation_xlsx(plan, year, rows), f"danh-gia-thi-dua-{year}.xlsx")
        years = range(plan.start_year, plan.end_year + 1) if plan else []
        page = page_of(request, rows, per_page=50)
        return render(request, "web/evaluation.html", {"plan": plan, "rows": page.object_list, "page": page, "year": year, "years": years})
