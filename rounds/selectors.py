"""One read function per screen of the reporting rounds. The web page, the REST API and the Excel
export of a screen call the same function here, so they can never disagree.

Lateness, one rule everywhere (the matrix, its export, the API and the evaluation):
a unit report counts as handed in on the day of its FIRST submission that the unit did not take
back itself (workflows.queries.with_counted_submission). A report submitted by the deadline,
returned by the reviewer and resubmitted after the deadline is ON TIME: the unit met the deadline
and the reviewer had the report in hand; the return is its own fault, counted in "Số lần bị trả
lại" and in the evaluation's points per return, so it is not punished twice. A report the unit
withdrew counts from its next submission. A report never submitted is "Quá hạn" (overdue) once the
deadline has passed (a unit with no report at all: once its round was opened); so is a returned
report not yet resubmitted after the deadline, since the unit still owes the corrected version.
"""
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role, User
from plans.models import Period, Target
from plans.selectors import periods_for, plans_for
from workflows.errors import Forbidden, Invalid, NotFound
from workflows.models import Document, Kind, State
from workflows.queries import AWAITING_AUTHOR, with_counted_submission, with_return_count

from .access import is_coordinator_staff, may_see_round
from .compile import compute_figures
from .evaluation import Weights, evaluate_year
from .freshness import freshness_many
from .models import Notification
from .services import reporting_units
from .urging import urged_in

NOT_CREATED = "not_created"
NOT_CREATED_LABEL = "Chưa tạo báo cáo"
NOT_OPENED_LABEL = "Chưa mở kỳ"
# The states a unit report goes through; it ends at "approved" (signed/issued are the commune's).
MATRIX_COLUMNS = [(NOT_CREATED, "Chưa tạo"), *State.choices[:-2]]


# --- plan and period of a request --------------------------------------------------------------

def period_by_code(user, code, plan_code=None, *, in_path=True):
    """The user's period with this code. Not found: 404 when the code is part of the address,
    400 naming the field `period` when it was sent as data. Two plans with the code: 400 `plan`."""
    found = periods_for(user, code, plan_code)
    if not found:
        if in_path:
            raise NotFound(f"Không có kỳ báo cáo «{code}».")
        raise Invalid("Không có kỳ báo cáo này.", {"period": [f"Không có kỳ báo cáo «{code}». Xem danh sách tại GET /api/v1/periods."]})
    if len(found) > 1:
        raise Invalid("Cần chọn kế hoạch.", {"plan": ["Nhiều kế hoạch có kỳ báo cáo này; ghi rõ mã kế hoạch."]})
    return found[0]


def plan_and_period(user, plan_code=None, period_code=None):
    """(plan, period) for creating a document: the period's plan when a period is given, else the
    user's only plan (400 naming `plan` when there are several, or `plan`/`period` when none)."""
    if period_code:
        period = period_by_code(user, period_code, plan_code, in_path=False)
        return period.plan, period
    plans = plans_for(user)
    if plan_code:
        plans = plans.filter(code=plan_code)
    found = list(plans[:2])
    if not found:
        raise Invalid("Không tìm thấy kế hoạch.", {"plan" if plan_code else "period": ["Không có kế hoạch phù hợp cho tài khoản này."]})
    if len(found) > 1:
        raise Invalid("Cần chọn kế hoạch.", {"plan": ["Cơ quan có nhiều kế hoạch; ghi rõ mã kế hoạch."]})
    return found[0], None


def plan_for_year(user, year, plan_code=None):
    plans = plans_for(user).filter(start_year__lte=year, end_year__gte=year)
    if plan_code:
        plans = plans.filter(code=plan_code)
    plans = list(plans.order_by("-start_year")[:2])
    if not plans:
        raise NotFound(f"Không có kế hoạch nào thực hiện trong năm {year}.")
    if len(plans) > 1 and not plan_code:
        raise Invalid("Có nhiều kế hoạch trong năm này.", {"plan": ["Ghi rõ mã kế hoạch."]})
    return plans[0]


def require_round_reader(user, commune_id):
    if not may_see_round(user, commune_id):
        raise Forbidden("Chỉ cơ quan thường trực, người thẩm định, lãnh đạo và văn thư mới xem được tình hình kỳ báo cáo.")


# --- Tình hình nộp báo cáo: units × state ---------------------------------------------------------

@dataclass
class StatusRow:
    unit: object
    targets: list
    document: object
    state: str
    state_label: str
    submitted_on: object  # the counted submission (see the module docstring), a local date or None
    last_submitted_on: object  # the latest submission, a local date or None
    on_time: bool
    overdue: bool
    returns: int
    urged: object = None  # the đôn đốc reminder sent for this report (rounds.urging), or None

    @property
    def state_key(self):
        """The state, or "not_created": the key of the matrix column and of the badge colour."""
        return self.state or NOT_CREATED

    @property
    def submitted_late(self):
        return self.submitted_on is not None and not self.on_time


def round_status(period, today=None):
    """One row per reporting unit of the period, in unit order, with the đôn đốc reminder already sent
    to each late unit. Four queries whatever the number of units."""
    today = today or timezone.localdate()
    documents = {
        doc.unit_id: doc
        for doc in with_counted_submission(with_return_count(Document.objects.filter(kind=Kind.UNIT_REPORT, period=period)))
    }
    urged = urged_in(period)
    rows = []
    for unit, codes in reporting_units(period.plan):
        doc = documents.get(unit.pk)
        counted = timezone.localdate(doc.counted_submit_at) if doc and doc.counted_submit_at else None
        awaiting = doc.state in AWAITING_AUTHOR if doc else period.opened_at is not None
        if doc:
            label = doc.get_state_display()
        else:
            label = NOT_CREATED_LABEL if period.opened_at else NOT_OPENED_LABEL
        rows.append(
            StatusRow(
                unit=unit,
                targets=codes,
                document=doc,
                state=doc.state if doc else None,
                state_label=label,
                submitted_on=counted,
                last_submitted_on=timezone.localdate(doc.submitted_at) if doc and doc.submitted_at else None,
                on_time=bool(counted and counted <= period.deadline),
                overdue=awaiting and period.deadline < today,
                returns=doc.return_count if doc else 0,
                urged=urged.get(doc.pk) if doc else None,
            )
        )
    return rows


def status_totals(rows):
    """[(state key, label, number of units)] for the matrix columns."""
    totals = {key: 0 for key, _ in MATRIX_COLUMNS}
    for row in rows:
        totals[row.state_key] = totals.get(row.state_key, 0) + 1
    return [(key, label, totals[key]) for key, label in MATRIX_COLUMNS]


# --- Tiến độ chỉ tiêu: the targets against their values over the periods -----------------------

@dataclass
class TargetProgress:
    target: object
    row: dict  # the chosen period's live figure (rounds.compile.compute_figures), {} when none
    series: list  # [(period, value)] over all periods: stored summary reports, the chosen period live
    charted: bool  # a number to draw (not a text or a qualitative rule)
    percent: bool


def target_progress(plan, periods, period):
    """Per target: the compiled value of the chosen period, computed now from the approved unit
    reports, and its value in every period, from each period's compiled summary report."""
    live_rows, _, _ = compute_figures(period)
    live = {row["code"]: row for row in live_rows}
    stored = {}
    for doc in Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan=plan).only("id", "kind", "period_id", "content"):
        for figure in doc.typed_content.compiled_targets:
            stored.setdefault(figure.code, {})[doc.period_id] = figure.value
    result = []
    for target in Target.objects.filter(plan=plan).order_by("order"):
        row = live.get(target.code, {})
        values = {**stored.get(target.code, {}), period.pk: row.get("value")}
        numeric = target.input_kind in ("percent", "count") or target.aggregation == "share_yes"
        result.append(
            TargetProgress(
                target=target,
                row=row,
                series=[(p, values.get(p.pk)) for p in periods],
                charted=numeric and target.aggregation != "qualitative",
                percent=(target.measure_unit or "").strip().startswith("%") or target.input_kind == "percent",
            )
        )
    return result


# --- Kỳ báo cáo: the periods, their reports and summary, who may run them ----------------------

def rounds_overview(plan, user):
    """(periods, may_run): each period of the plan with its number of unit reports (`reports`),
    approved ones (`approved`), its summary report (`summary`, or None) and whether that summary
    is out of date (`summary_freshness`, rounds.freshness); may_run when the user is staff of the
    coordinator unit, who opens rounds and compiles. Also, for the confirmation before «Mở kỳ»,
    how many drafts opening it would create (`drafts_to_create`: active reporting units without a
    report for it), and the marks `is_current` (the first period whose deadline is today or later:
    the one being reported now) and `is_next` (the one after it). Six queries."""
    if plan is None:
        return [], False
    unit_reports = Q(documents__kind=Kind.UNIT_REPORT)
    periods = list(
        Period.objects.filter(plan=plan)
        .annotate(reports=Count("documents", filter=unit_reports), approved=Count("documents", filter=unit_reports & Q(documents__state=State.APPROVED)))
        .order_by("data_end", "kind")
    )
    summaries = {
        d.period_id: d for d in Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan=plan).only("id", "kind", "period_id", "state", "version", "content")
    }
    in_order = [summaries[p.pk] for p in periods if p.pk in summaries]
    states = dict(zip((d.pk for d in in_order), freshness_many(in_order)))
    reporting = set(
        Target.reporting_units.through.objects.filter(target__plan=plan, unit__active=True).values_list("unit_id", flat=True)
    )
    reported = {}
    for period_id, unit_id in Document.objects.filter(kind=Kind.UNIT_REPORT, plan=plan).values_list("period_id", "unit_id"):
        reported.setdefault(period_id, set()).add(unit_id)
    today = timezone.localdate()
    current = next((i for i, p in enumerate(periods) if p.deadline and p.deadline >= today), None)
    for index, period in enumerate(periods):
        period.summary = summaries.get(period.pk)
        period.summary_freshness = states.get(period.summary.pk) if period.summary else None
        period.drafts_to_create = len(reporting - reported.get(period.pk, set()))
        period.is_current = index == current
        period.is_next = current is not None and index == current + 1
    return periods, is_coordinator_staff(user, plan.commune_id)


# --- Đánh giá thi đua -----------------------------------------------------------------------------

@dataclass
class Evaluation:
    plan: object
    year: int
    weights: Weights
    rows: list = field(default_factory=list)


def evaluation(plan, year):
    """The year's ranked evaluation of every reporting unit of the plan, with the weights used."""
    weights = Weights.for_commune(plan.commune_id)
    return Evaluation(plan=plan, year=year, weights=weights, rows=evaluate_year(plan, year, weights))


# --- Thông báo (the bell) -----------------------------------------------------------------------

def unread_for(user):
    """Unread notifications of a user, newest first (one query)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("document").order_by("-created_at", "-id")


def read_for(user):
    """Notifications the user has read, newest first (one query a page)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=False).select_related("document").order_by("-created_at", "-id")


# --- Kỳ báo cáo tiếp theo: what a unit with nothing to do waits for ---------------------------------

@dataclass
class NextPeriod:
    period: object
    opened: bool
    coordinator: object  # the unit that opens rounds (Phòng VH-XH)
    people: list  # its staff who open rounds (drafters of the coordinator unit)
    days_left: int


def next_period_for(user, today=None):
    """The next reporting period of the person's unit that the unit has not handed in yet (deadline
    not passed, earliest first), whether it is open, and who opens it; None for a person of no unit or
    a unit that reports on no target. The home page shows it instead of an empty list. Three queries."""
    if not user.is_authenticated or not user.unit_id:
        return None
    today = today or timezone.localdate()
    plans = Target.objects.filter(reporting_units=user.unit_id).values("plan_id")
    handed_in = Document.objects.filter(kind=Kind.UNIT_REPORT, unit_id=user.unit_id).exclude(state__in=AWAITING_AUTHOR)
    period = (
        Period.objects.filter(plan_id__in=plans, deadline__gte=today)
        .exclude(pk__in=handed_in.values("period_id"))
        .select_related("plan", "plan__coordinator")
        .order_by("deadline", "data_end", "pk")
        .first()
    )
    if period is None:
        return None
    coordinator = period.plan.coordinator
    people = [
        person
        for person in User.objects.filter(unit=coordinator, is_active=True).order_by("full_name", "username")
        if person.has_role(Role.DRAFTER)
    ]
    return NextPeriod(
        period=period, opened=period.opened_at is not None, coordinator=coordinator, people=people, days_left=(period.deadline - today).days
    )
