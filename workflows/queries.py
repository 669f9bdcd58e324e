"""Reads: what a user may see, what waits for them. Each runs a fixed number of queries.

The two facts every list and table takes from the audit trail are annotated here and only here:
how often a document was returned (`with_return_count`) and when its submission that counts for
the deadline was made (`with_counted_submission`)."""
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Role, User

from . import deadlines, policy, search
from .models import AuditEntry, Document, Kind, State

# A return by the reviewer or a send-back by the signer: both send the document back to its author.
RETURN_TRANSITIONS = ("return", "send_back")
# A unit report in these states is owed by its unit: past the deadline it is overdue ("Quá hạn").
AWAITING_AUTHOR = (State.DRAFT, State.RETURNED)


def with_return_count(qs):
    """Annotate `return_count`: how many times each document was returned or sent back.

    A correlated subquery, not a join and GROUP BY: a page of a list (ORDER BY … LIMIT) then counts
    the returns of its own rows only, and the list can be read in the order of an index."""
    returns = (
        AuditEntry.objects.filter(document=OuterRef("pk"), transition__in=RETURN_TRANSITIONS)
        .order_by()
        .values("document")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(return_count=Coalesce(Subquery(returns, output_field=IntegerField()), 0))


def with_counted_submission(qs):
    """Annotate `counted_submit_at`: the submission that counts for the deadline (None if none).

    That is the FIRST submission the unit did not take back itself: a report returned by the
    reviewer and resubmitted keeps the date it was first handed in (the reviewer had it in time;
    the return costs points of its own in the evaluation), while a report the unit withdrew
    counts from its next submission."""
    later = Q(at__gt=OuterRef("at")) | Q(at=OuterRef("at"), id__gt=OuterRef("id"))  # the audit trail's order
    withdrawn_later = AuditEntry.objects.filter(later, document=OuterRef("document"), transition="withdraw")
    counted = (
        AuditEntry.objects.filter(document=OuterRef("pk"), transition="submit")
        .filter(~Exists(withdrawn_later))
        .order_by("at", "id")
        .values("at")[:1]
    )
    return qs.annotate(counted_submit_at=Subquery(counted))


def documents_for(user, *, people=True):
    """What this user may see, with the return count, the assignee (chuyển xử lý) and when the
    current step began (workflows.deadlines.step_status reads it without a query per row).

    people=False leaves out the reviewer, signer and assignee: a list page then reads them for its
    own rows with `with_people`. Three more outer joins cost PostgreSQL more to plan (tens of
    milliseconds) than the whole page query costs to run."""
    qs = Document.objects.select_related("unit", "period", "plan", "commune")
    if people:
        qs = qs.select_related("reviewer__unit", "signer__unit", "assignee")
    return policy.visible_documents(user, deadlines.with_step_since(with_return_count(qs)))


def with_people(documents):
    """Give these documents (a page of a list read with people=False) their reviewer, signer and
    assignee, each with their unit, as documents_for(user) would: one query, whatever their number
    (an empty page, or one naming nobody, reads no one in the same one query)."""
    documents = list(documents)
    ids = {pk for d in documents for pk in (d.reviewer_id, d.signer_id, d.assignee_id) if pk is not None}
    wanted = Q(pk__in=ids) if ids else Q(pk__isnull=True)
    people = {person.pk: person for person in User.objects.select_related("unit").filter(wanted)}
    for document in documents:
        document.reviewer = people.get(document.reviewer_id)
        document.signer = people.get(document.signer_id)
        document.assignee = people.get(document.assignee_id)
    return documents


def find_documents(user, *, kind=None, period=None, unit=None, state=None, q="", people=True):
    """Tra cứu: the documents this user may see, narrowed by kind, period code, unit code, state
    ("overdue": not submitted after the deadline) and a text folded of its diacritics
    (workflows.search: an indexed column), newest change first. The search page and
    GET /api/v1/documents list this; unknown kinds or states are ignored. One query for a page
    (and one to count), whatever the number; people=False: see documents_for."""
    qs = documents_for(user, people=people)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    if state in State.values:
        qs = qs.filter(state=state)
    elif state == "overdue":
        qs = qs.filter(overdue_filter())
    if period:
        qs = qs.filter(period__code=period)
    if unit:
        qs = qs.filter(unit__code=unit)
    return search.search(qs, q).order_by("-updated_at", "-id")


def waiting_candidates(user, *, people=True):
    """The query behind 'Việc cần xử lý': documents whose next step may be this user's, by deadline.
    `waiting_for` applies the four-eyes rule to it; people=False: see documents_for."""
    if not user.is_authenticated:
        return Document.objects.none()
    wanted = Q(pk__in=[])
    unit = user.unit
    if user.has_role(Role.DRAFTER) and unit is not None:
        wanted |= Q(unit_id=unit.pk, state__in=(State.DRAFT, State.RETURNED))
    if user.has_role(Role.REVIEWER) and unit is not None:
        scope = policy.review_scope(user)
        wanted |= scope & Q(state=State.SUBMITTED)
        wanted |= scope & Q(state=State.UNDER_REVIEW, reviewer_id=user.pk)
        # Handed to this user (chuyển xử lý), e.g. by the office's reviewer to a colleague.
        wanted |= Q(state__in=(State.SUBMITTED, State.UNDER_REVIEW), assignee_id=user.pk, assignee_role="reviewer")
    # Signers and clerks act for their own commune only (a supervised commune is read, not worked).
    if user.has_role(Role.SIGNER):
        wanted |= Q(kind__in=list(policy.SIGNED_KINDS), state=State.APPROVED, commune_id=user.home_commune_id)
    if user.has_role(Role.CLERK):
        wanted |= Q(state=State.SIGNED, commune_id=user.home_commune_id)
    return documents_for(user, people=people).filter(wanted).order_by("period__deadline", "id")


def waiting_for(user, *, people=True):
    """Documents whose next step belongs to this user: «Chờ xử lý» (a list, by deadline). The
    candidates go through the four-eyes rule before they are counted or paged, so the count shown
    is the number of rows the person finds: four queries whatever their number. A person's
    candidates are bounded by their commune's documents in progress, not by the province's."""
    qs = waiting_candidates(user, people=people)
    return [d for d in policy.load_four_eyes(qs, within=qs) if _next_step_is_theirs(user, d)]


def _next_step_is_theirs(user, document):
    actor = policy.step_actor(document)
    if actor and policy.assigned_elsewhere(user, document, actor):
        return False  # handed to a colleague (chuyển xử lý)
    if document.state in (State.SUBMITTED, State.UNDER_REVIEW):
        return policy.may(user, "start_review", document)
    if document.state == State.APPROVED:
        return policy.may(user, "sign", document)
    return True


REVIEW_STATES = (State.SUBMITTED, State.UNDER_REVIEW)


def review_candidates(user, *, state=None, period=None, people=True):
    """The query behind the review queue, oldest submission first; `state` (submitted or
    under_review) and `period` (code) narrow it. `for_review` applies the four-eyes rule to it;
    people=False: see documents_for."""
    states = [state] if state in REVIEW_STATES else list(REVIEW_STATES)
    qs = documents_for(user, people=people).filter(policy.review_scope(user), state__in=states)
    if period:
        qs = qs.filter(period__code=period)
    return qs.order_by("submitted_at", "id")


def for_review(user, *, state=None, period=None, people=True):
    """The review queue: documents submitted or under review that this user may review (a list,
    filtered by the four-eyes rule before it is counted or paged: four queries)."""
    qs = review_candidates(user, state=state, period=period, people=people)
    return [d for d in policy.load_four_eyes(qs, within=qs) if policy.may(user, "start_review", d)]


def signing_candidates(user):
    """The query behind the signer's queue: approved plans and summary reports of their commune."""
    qs = documents_for(user).filter(kind__in=list(policy.SIGNED_KINDS), state=State.APPROVED, commune_id=user.home_commune_id)
    return qs.order_by("updated_at", "id")


def for_signing(user):
    """The signer's queue: approved plans and summary reports this user may sign (a list, filtered
    by the four-eyes rule before it is counted or paged)."""
    qs = signing_candidates(user)
    return [d for d in policy.load_four_eyes(qs, within=qs) if policy.may(user, "sign", d)]


def is_overdue(document, today=None):
    """A report not yet submitted after its period's deadline."""
    today = today or timezone.localdate()
    return bool(
        document.kind == Kind.UNIT_REPORT
        and document.period_id
        and document.state in AWAITING_AUTHOR
        and document.period.deadline < today
    )


def overdue_filter(today=None):
    today = today or timezone.localdate()
    return Q(kind=Kind.UNIT_REPORT, state__in=AWAITING_AUTHOR, period__deadline__lt=today)
