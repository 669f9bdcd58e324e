"""The four lists of a person's work, as commune offices keep them: one selector per tab.

- «Chờ xử lý» (`cho-xu-ly`): documents whose next step is this person's (workflows.queries.waiting_for,
  which applies workflows.policy and the four-eyes rule).
- «Đã xử lý» (`da-xu-ly`): documents this person took a step on other than submitting (took for review,
  returned, approved, signed, sent back, issued), newest step first, read from the audit trail.
- «Đã trình / đã gửi» (`da-trinh`): documents this person submitted, newest submission first, each with
  where it is now (`holder`). A submitted report never vanishes from its author's lists.
- «Theo dõi» (`theo-doi`): for coordinators and leaders (reviewers, signers, administrators and the
  staff of the coordinating unit): every document in progress they may see, filterable by kind, state
  (or "overdue"), unit and period, overdue first.

The web page (`/van-ban/?tab=…`) and `GET /api/v1/worklists/{tab}` call the same functions, so they
never disagree. Each list runs a fixed number of queries whatever its length (`describe` marks a page of
documents with `holder`, `overdue` and `my_action` in four more, the page's reviewers, signers and
assignees among them: the lists' queries leave those out, which PostgreSQL plans faster).
"""
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from accounts.models import Role
from organizations.models import Unit
from organizations.ordering import through_unit

from . import policy, queries
from .models import AuditEntry, Document, Kind, State

WAITING = "cho-xu-ly"
HANDLED = "da-xu-ly"
SUBMITTED = "da-trinh"
MONITORING = "theo-doi"

TABS = {
    WAITING: "Chờ xử lý",
    HANDLED: "Đã xử lý",
    SUBMITTED: "Đã trình / đã gửi",
    MONITORING: "Theo dõi",
}

# The steps that count as "handled" (submitting and withdrawing are the author's own: «Đã trình»).
HANDLING_TRANSITIONS = tuple(name for name in policy.TRANSITIONS if name not in ("submit", "withdraw"))
# Documents still moving: everything not issued, except unit reports, which end at «Đã duyệt».
FINISHED = Q(state=State.ISSUED) | Q(kind=Kind.UNIT_REPORT, state=State.APPROVED)


def may_monitor(user):
    """«Theo dõi»: reviewers, signers (Chủ tịch, Phó Chủ tịch), administrators and the staff of the
    coordinating unit (Phòng VH-XH), who follow every document in progress they may see."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or any(user.has_role(r) for r in (Role.REVIEWER, Role.SIGNER, Role.ADMIN)):
        return True
    unit = user.unit if user.unit_id else None
    return bool(user.has_role(Role.DRAFTER) and unit is not None and unit.function == "coordinator")


def tabs_for(user):
    """The tab keys this person has, in order."""
    keys = [WAITING, HANDLED, SUBMITTED]
    if may_monitor(user):
        keys.append(MONITORING)
    return keys


def _base(user):
    # Without the people of the rows: `describe` reads those of a page in one query.
    return queries.documents_for(user, people=False)


def waiting(user):
    """«Chờ xử lý»: the documents whose next step is this person's, by deadline: a list, filtered by
    the four-eyes rule before it is counted or paged (queries.waiting_for)."""
    return queries.waiting_for(user, people=False)


def handled(user):
    """«Đã xử lý»: each document with this person's latest step (`my_transition`, `my_at`)."""
    mine = AuditEntry.objects.filter(document=OuterRef("pk"), actor_id=user.pk, transition__in=HANDLING_TRANSITIONS)
    latest = mine.order_by("-at", "-id")
    return (
        _base(user)
        .filter(Exists(mine))
        .annotate(my_transition=Subquery(latest.values("transition")[:1]), my_at=Subquery(latest.values("at")[:1]))
        .order_by("-my_at", "-id")
    )


def submitted(user):
    """«Đã trình / đã gửi»: each document with this person's latest submission (`my_transition`, `my_at`)."""
    mine = AuditEntry.objects.filter(document=OuterRef("pk"), actor_id=user.pk, transition="submit")
    return (
        _base(user)
        .filter(Exists(mine))
        .annotate(my_transition=Value("submit"), my_at=Subquery(mine.order_by("-at", "-id").values("at")[:1]))
        .order_by("-my_at", "-id")
    )


@dataclass(frozen=True)
class MonitoringFilters:
    kind: str = ""
    state: str = ""  # a State value or "overdue"
    unit: str = ""  # unit code
    period: str = ""  # period code

    @classmethod
    def clean(cls, kind="", state="", unit="", period=""):
        """Unknown kinds or states are ignored, as on the search page."""
        return cls(
            kind=kind if kind in Kind.values else "",
            state=state if (state in State.values and state != State.ISSUED) or state == "overdue" else "",
            unit=(unit or "").strip()[:50],
            period=(period or "").strip()[:20],
        )


def monitoring(user, filters=None):
    """«Theo dõi»: documents in progress this person may see; overdue ones first, then by deadline.
    Empty for someone who may not monitor (the page and the API refuse them before)."""
    if not may_monitor(user):
        return _base(user).none()
    filters = filters or MonitoringFilters()
    qs = _base(user).exclude(FINISHED)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state == "overdue":
        qs = qs.filter(queries.overdue_filter())
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.unit:
        qs = qs.filter(unit__code=filters.unit)
    if filters.period:
        qs = qs.filter(period__code=filters.period)
    late = Case(When(queries.overdue_filter(), then=Value(True)), default=Value(False), output_field=BooleanField())
    return qs.annotate(is_late=late).order_by(
        "-is_late", F("period__deadline").asc(nulls_last=True), *through_unit(), "-updated_at", "-id"
    )


SELECTORS = {WAITING: waiting, HANDLED: handled, SUBMITTED: submitted}


def tab_list(user, tab, filters=None):
    """The documents of one tab: a query, or for «Chờ xử lý» a list (see `waiting`)."""
    if tab == MONITORING:
        return monitoring(user, filters)
    return SELECTORS[tab](user)


def counts(user, waiting_count=None):
    """{tab: number of documents} for the tab labels: one query for the three lists read from the
    audit trail; «Chờ xử lý» is counted from its list (four queries) unless its count is given."""
    def mine(transitions):
        return Q(Exists(AuditEntry.objects.filter(document=OuterRef("pk"), actor_id=user.pk, transition__in=transitions)))

    numbers = {HANDLED: Count("pk", filter=mine(HANDLING_TRANSITIONS)), SUBMITTED: Count("pk", filter=mine(["submit"]))}
    if may_monitor(user):
        numbers[MONITORING] = Count("pk", filter=~FINISHED)
    found = policy.visible_documents(user, Document.objects.all()).aggregate(**numbers)
    if waiting_count is None:
        waiting_count = len(waiting(user))
    return {WAITING: waiting_count, **found}


# --- where each document is now -------------------------------------------------------------

def describe(documents, user=None):
    """Mark each document of a page with `holder` (where it is now and who holds it, in Vietnamese),
    `overdue` and `my_action` (the label of this person's step, when the list has one). Four queries
    whatever the number of documents (fewer when the four-eyes facts are loaded already): the lists
    are read without their people (queries.documents_for), who are read here for the page."""
    documents = queries.with_people(documents)
    unknown = [d for d in documents if getattr(d, "_four_eyes", None) is None]
    if unknown:
        policy.load_four_eyes(unknown)
    units = {}
    if documents:
        for unit in Unit.objects.filter(
            commune_id__in={d.commune_id for d in documents}, function__in=set(policy.REVIEWER_FUNCTION.values()), active=True
        ).order_by("order", "pk"):
            units.setdefault((unit.commune_id, unit.function), unit)
    today = timezone.localdate()
    for document in documents:
        document.holder = holder(document, units)
        document.overdue = queries.is_overdue(document, today)
        transition = getattr(document, "my_transition", None)
        document.my_action = policy.TRANSITION_LABELS.get(transition, "") if transition else ""
    return documents


def _person(user):
    if user is None:
        return ""
    name = user.full_name or user.username
    return f"{name} ({user.unit.name})" if getattr(user, "unit_id", None) else name


def holder(document, units):
    """Where the document is now, for its author and its followers."""
    state = document.state
    if state == State.DRAFT:
        return f"{document.unit.name} đang soạn thảo"
    if state == State.RETURNED:
        return f"Đã trả lại, {document.unit.name} đang sửa"
    if state == State.SUBMITTED:
        function = policy.REVIEWER_FUNCTION[document.kind]
        if policy.is_reviewing_units_own(document) and not policy.free_unit_reviewers(document):
            function = policy.FALLBACK_REVIEWER_FUNCTION
        unit = units.get((document.commune_id, function))
        return f"Chờ {unit.name if unit else 'đơn vị thẩm định'} nhận thẩm định"
    if state == State.UNDER_REVIEW:
        return f"{_person(document.reviewer)} đang thẩm định" if document.reviewer_id else "Đang thẩm định"
    if state == State.APPROVED:
        if document.kind == Kind.UNIT_REPORT:
            return "Đã duyệt, hoàn thành"
        return "Chờ lãnh đạo UBND (Chủ tịch, Phó Chủ tịch) ký"
    if state == State.SIGNED:
        signer = f" ({_person(document.signer)} đã ký)" if document.signer_id else ""
        return f"Chờ văn thư cấp số, phát hành{signer}"
    return f"Đã ban hành, số {document.number_label}" if document.number_label else "Đã ban hành"
