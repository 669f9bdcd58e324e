"""Rounds under real concurrency on PostgreSQL: parallel openings and parallel reminder runs.

Threads with their own connections start together at a barrier. Transactional tests empty the
database when they end; `demo_snapshot` (tests/conftest.py) restores the demo data before each.
"""
import threading

import pytest
from django.core import mail
from django.db import connections

from rounds.models import Notification, ReminderLog
from rounds.reminders import run
from rounds.services import open_round
from workflows.models import Document

from tests.helpers.parallel import postgres_only
from tests.helpers.workflow import aware, demo, period

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]


def in_parallel(call, times=4):
    barrier = threading.Barrier(times)
    results = []

    def worker():
        try:
            connections["default"].ensure_connection()
            barrier.wait(timeout=30)
            results.append(("ok", call()))
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results.append(("error", exc))
        finally:
            connections["default"].close()

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def test_parallel_openings_create_each_draft_once():
    results = in_parallel(lambda: len(open_round(period("2026-H1"), demo("vhxh")).created))
    assert [kind for kind, _ in results] == ["ok"] * 4
    assert sum(value for _, value in results) == 25  # one opener created them all, or they shared
    assert Document.objects.filter(kind="unit_report", period__code="2026-H1").count() == 25


def test_parallel_reminder_runs_send_each_reminder_once():
    open_round(period("2026-H1"), demo("vhxh"))
    now = aware(2026, 6, 16, 8, 0)
    results = in_parallel(lambda: run(now).sent)
    assert [kind for kind, _ in results] == ["ok"] * 4
    assert sum(value for _, value in results) == 25
    # Opening the round told each unit once (issue 14); the reminders are the other 25 messages.
    reminders = [m for m in mail.outbox if m.subject.startswith("Nhắc nộp báo cáo")]
    assert len(reminders) == 25
    assert len({address for m in reminders for address in m.to}) == 25
    assert ReminderLog.objects.filter(status="sent", kind="due_soon").count() == 25
    assert Notification.objects.filter(kind="due_soon").count() == 25
