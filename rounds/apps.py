import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


def _on_transition(sender, document_id, transition, **kwargs):
    """Returned/approved notices. Runs after the transition committed, so it must never raise:
    a failure is recorded on the outbox row and send_reminders retries it."""
    from .reminders import notify_transition

    try:
        notify_transition(document_id, transition)
    except Exception:  # noqa: BLE001
        log.exception("Could not queue the notice for document %s (%s)", document_id, transition)


def _on_office_event(sender, document_id, event, user_ids, message, entry_id, **kwargs):
    """Notices of chuyển xử lý, phối hợp, ý kiến chỉ đạo (after commit: never raise; a failed e-mail
    stays on its outbox row for send_reminders)."""
    from .reminders import notify_office_event

    try:
        notify_office_event(document_id, event, user_ids, message, entry_id)
    except Exception:  # noqa: BLE001
        log.exception("Could not notify %s of document %s", event, document_id)


class RoundsConfig(AppConfig):
    name = "rounds"
    verbose_name = "Kỳ báo cáo, nhắc việc, thi đua"

    def ready(self):
        from workflows.signals import document_handled, document_transition_checking, document_transitioned

        from .freshness import check_transition

        document_transitioned.connect(_on_transition, dispatch_uid="rounds.notify_transition")
        document_handled.connect(_on_office_event, dispatch_uid="rounds.notify_office_event")
        # A summary report whose figures are out of date may not move towards issue.
        document_transition_checking.connect(check_transition, dispatch_uid="rounds.check_freshness")
