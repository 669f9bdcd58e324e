"""Reads: what a user may see, what waits for them. Each runs a fixed number of queries."""
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Role

from . import policy
from .models import Document, Kind, State


def documents_for(user):
    qs = Document.objects.select_related("unit", "period", "plan", "commune", "reviewer", "signer").annotate(
        return_count=Count("audit_entries", filter=Q(audit_entries__transition__in=("return", "send_back")), distinct=True)
    )
    return policy.visible_documents(user, qs)


def waiting_for(user):
    """Documents whose next step belongs to this user: the home page 'Việc cần xử lý' (a list).

    A reviewer or signer is not shown what they authored (four eyes, workflows.policy.may)."""
    if not user.is_authenticated:
        return []
    wanted = Q(pk__in=[])
    unit = user.unit
    if user.has_role(Role.DRAFTER) and unit is not None:
        wanted |= Q(unit_id=unit.pk, state__in=(State.DRAFT, State.RETURNED))
    if user.has_role(Role.REVIEWER) and unit is not None:
        scope = policy.review_scope(user)
        wanted |= scope & Q(state=State.SUBMITTED)
        wanted |= scope & Q(state=State.UNDER_REVIEW, reviewer_id=user.pk)
    if user.has_role(Role.SIGNER):
        wanted |= Q(kind__in=list(policy.SIGNED_KINDS), state=State.APPROVED)
    if user.has_role(Role.CLERK):
        wanted |= Q(state=State.SIGNED)
    qs = documents_for(user).filter(wanted).order_by("period__deadline", "id")
    return [d for d in policy.load_four_eyes(qs, within=qs) if _next_step_is_theirs(user, d)]


def _next_step_is_theirs(user, document):
    if document.state in (State.SUBMITTED, State.UNDER_REVIEW):
        return policy.may(user, "start_review", document)
    if document.state == State.APPROVED:
        return policy.may(user, "sign", document)
    return True


def for_review(user):
    """The review queue: documents submitted or under review that this user may review (a list)."""
    qs = documents_for(user).filter(policy.review_scope(user), state__in=(State.SUBMITTED, State.UNDER_REVIEW))
    qs = qs.order_by("submitted_at", "id")
    return [d for d in policy.load_four_eyes(qs, within=qs) if policy.may(user, "start_review", d)]


def for_signing(user):
    """The signer's queue: approved plans and summary reports this user may sign (a list)."""
    qs = documents_for(user).filter(kind__in=list(policy.SIGNED_KINDS), state=State.APPROVED).order_by("updated_at", "id")
    return [d for d in policy.load_four_eyes(qs, within=qs) if policy.may(user, "sign", d)]


def is_overdue(document, today=None):
    """A report not yet submitted after its period's deadline."""
    today = today or timezone.localdate()
    return bool(
        document.kind == Kind.UNIT_REPORT
        and document.period_id
        and document.state in (State.DRAFT, State.RETURNED)
        and document.period.deadline < today
    )


def overdue_filter(today=None):
    today = today or timezone.localdate()
    return Q(kind=Kind.UNIT_REPORT, state__in=(State.DRAFT, State.RETURNED), period__deadline__lt=today)
