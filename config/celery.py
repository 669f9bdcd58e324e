"""The Celery application: `celery -A config worker -B` runs the workers and the beat scheduler.

Configuration comes from Django settings (the CELERY_* block in config.settings). Without
REDIS_URL every task runs inline in the calling process (task_always_eager), so `make run`
needs nothing else started.
"""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
