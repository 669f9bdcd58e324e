from django.db.models import Count, Min, Q
from django.utils import timezone

from workflows.models import Document, Kind, State

from .models import Notification
from .services import reporting_units


def unread_for(user):
    """Unread notifications of a user, newest first (one query)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("document").order_by("-created_at", "-id")


def round_status(period, today=None):
    """One row per reporting unit of the period: its report's state, submission, overdue flag and
    number of returns. Three queries whatever the number of units."""
    today = today or timezone.localdate()
    documents = {
        doc.unit_id: doc
        for doc in Document.objects.filter(kind=Kind.UNIT_REPORT, period=period).annotate(
            return_count=Count("audit_entries", filter=Q(audit_entries__transition__in=("return", "send_back")), distinct=True),
            first_submit=Min("audit_entries__at", filter=Q(audit_entries__transition="submit")),
        )
    }
    rows = []
    for unit, codes in reporting_units(period.plan):
        doc = documents.get(unit.pk)
        state = doc.state if doc else None
        not_submitted = state in (State.DRAFT, State.RETURNED) or (doc is None and period.opened_at is not None)
        overdue = not_submitted and period.deadline < today
        first = timezone.localdate(doc.first_submit) if doc and doc.first_submit else None
        rows.append(
            {
                "unit": unit,
                "document": doc,
                "state": state,
                "state_label": doc.get_state_display() if doc else "Chưa mở kỳ",
                "submitted_on": timezone.localdate(doc.submitted_at) if doc and doc.submitted_at else None,
                "first_submitted_on": first,
                "on_time": bool(first and first <= period.deadline),
                "overdue": overdue,
                "returns": doc.return_count if doc else 0,
                "targets": codes,
            }
        )
    return rows
