"""Celery tasks of the rounds app (run inline when no REDIS_URL is set).

send_reminders  the periodic reminder run, scheduled by Celery beat (CELERY_BEAT_SCHEDULE);
                the same as `manage.py send_reminders` from cron, and safe to run alongside it
deliver_notice  sends one outbox row (in-app notifications and its e-mail), exactly once
"""
from celery import shared_task

from .reminders import DELIVER_NOTICE_TASK, deliver, run


@shared_task(name="rounds.tasks.send_reminders")
def send_reminders():
    result = run()
    return {"planned": result.planned, "sent": result.sent, "superseded": result.superseded, "deferred": result.deferred, "failed": result.failed}


@shared_task(name=DELIVER_NOTICE_TASK)
def deliver_notice(row_id):
    return deliver(row_id)
