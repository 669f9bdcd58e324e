"""Celery tasks of the rounds app (run inline when no REDIS_URL is set).

send_reminders  the periodic reminder run, scheduled by Celery beat (CELERY_BEAT_SCHEDULE);
                the same as `manage.py send_reminders` from cron, and safe to run alongside it
deliver_notice  sends one outbox row (in-app notifications and its e-mail), exactly once
"""
from celery import shared_task


@shared_task(name="rounds.tasks.send_reminders")
def send_reminders():
    from .reminders import run

    result = run()
    return {"planned": result.planned, "sent": result.sent, "superseded": result.superseded, "failed": result.failed}


@shared_task(name="rounds.tasks.deliver_notice")
def deliver_notice(row_id):
    from .reminders import deliver

    return deliver(row_id)
