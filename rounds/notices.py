"""In-app notices of the office events (workflows.handling, rounds.urging): one small function,
subscribed to workflows.signals.document_handled in rounds.apps."""
from .models import Notification


def notify_office_event(document_id, event, user_ids, message):
    """One unread notification per person told; `event` is its kind (hand_over, consult, …)."""
    Notification.objects.bulk_create(
        [Notification(user_id=uid, document_id=document_id, kind=event, message=message[:1000]) for uid in user_ids]
    )
