from django.apps import AppConfig
from django.core import checks


def check_handling_deadlines(app_configs, **kwargs):
    """A malformed HANDLING_DEADLINE_DAYS stops `manage.py check` / migrate / the server's start,
    instead of being found on a page."""
    from django.core.exceptions import ImproperlyConfigured

    from .deadlines import configured

    try:
        configured()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="workflows.E001")]
    return []


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Xử lý văn bản"

    def ready(self):
        checks.register(check_handling_deadlines)
