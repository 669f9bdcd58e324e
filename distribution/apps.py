import logging

from django.apps import AppConfig

log = logging.getLogger(__name__)


def _on_transition(sender, document_id, transition, **kwargs):
    """Distribute an issued document. Runs after the issue committed, so it never raises: a failed
    e-mail is recorded on its delivery row."""
    if transition != "issue":
        return
    from .services import distribute

    try:
        distribute(document_id)
    except Exception:  # noqa: BLE001
        log.exception("Could not distribute document %s", document_id)


class DistributionConfig(AppConfig):
    name = "distribution"
    verbose_name = "Phát hành, văn bản đến"

    def ready(self):
        from workflows.signals import document_transitioned

        document_transitioned.connect(_on_transition, dispatch_uid="distribution.distribute")
