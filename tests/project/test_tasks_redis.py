"""Tasks for real: Redis as broker and result backend, a `celery worker -B` subprocess, the same
test database. Skipped unless REDIS_URL is set (required with REQUIRE_REDIS=1, as in .ci/run).

The worker needs committed data, so these tests are transactional; on PostgreSQL its
DATABASE_URL points at pytest-django's test database. SQLite's test database lives in the test
process's memory, so there the module is skipped: run it on PostgreSQL.

Checked: a PDF request is answered 202 and then served, made once by the worker; the issued PDF
is made by the worker with no request at all; the beat-scheduled reminder run happens on the
worker and every message is delivered exactly once however many runs overlap; /healthz sees the
worker.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from config.celery import app
from documents.models import DocumentPdf, IssuedFile
from plans.models import Period
from rounds.models import Notification, ReminderLog
from rounds.tasks import send_reminders
from tests.helpers.api import login
from tests.helpers.soffice import Soffice
from tests.helpers.workflow import TO_SIGNED, run, opened
from workflows.models import Document

REDIS_URL = os.environ.get("REDIS_URL", "")
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="needs Redis: set REDIS_URL=redis://127.0.0.1:6379/1 (REQUIRE_REDIS=1 in CI)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("demo_snapshot"),
]


def _worker_database_url():
    settings = connections["default"].settings_dict
    if settings["ENGINE"] == "django.db.backends.sqlite3":
        if connections["default"].is_in_memory_db():
            if os.environ.get("REQUIRE_REDIS"):
                pytest.fail("REQUIRE_REDIS is set but the test database is SQLite in memory: run with DATABASE_URL=postgres://…")
            pytest.skip("the SQLite test database is in this process's memory; a worker cannot open it: run on PostgreSQL")
        return f"sqlite:///{settings['NAME']}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings["NAME"]))


class Worker:
    def __init__(self, directory):
        self.directory = directory
        self.mail = directory / "mail"
        self.log = directory / "worker.log"
        real = shutil.which("soffice") or shutil.which("libreoffice")
        if real:  # the real LibreOffice, counted
            self.soffice = Soffice(directory)
            self.soffice.path.write_text(f"#!/bin/sh\necho x >> '{self.soffice.counter}'\nexec '{real}' \"$@\"\n")
        else:
            self.soffice = Soffice(directory, delay=1)
        self.name = f"congvan-test-{uuid.uuid4().hex[:8]}@%h"
        self.process = None

    def start(self, database_url, media_root):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "MEDIA_ROOT": str(media_root),
            "SOFFICE": str(self.soffice.path),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "REMINDER_INTERVAL_SECONDS": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
            "--schedule", str(self.directory / "beat-schedule"),
            "--concurrency", "2", "--loglevel", "INFO", "--hostname", self.name,
        ]
        self.handle = open(self.log, "w")
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited ({self.process.returncode}):\n{self.tail()}")
            replies = app.control.ping(timeout=0.5) or []
            if any(self.name.split("@")[0] in name for reply in replies for name in reply):
                return
        raise AssertionError(f"the worker did not answer a ping within 60 s:\n{self.tail()}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.handle.close()

    def tail(self):
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def mailed(self):
        """Messages the worker sent (the file backend writes every message it sends)."""
        if not self.mail.exists():
            return 0
        return sum(1 for f in self.mail.iterdir() for line in f.read_text(errors="replace").splitlines() if line.startswith("Subject: "))


@pytest.fixture(scope="module")
def worker(demo_snapshot, django_db_blocker, tmp_path_factory):
    directory = tmp_path_factory.mktemp("worker")
    with django_db_blocker.unblock():
        database_url = _worker_database_url()
    app.control.purge()  # nothing left over from an earlier run
    running = Worker(directory)
    running.start(database_url, directory / "media")
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def same_files_and_soffice(settings, worker):
    settings.MEDIA_ROOT = worker.directory / "media"
    settings.SOFFICE_PATH = str(worker.soffice.path)


def wait_for(condition, what, worker, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{worker.tail()}")


def test_a_pdf_request_is_served_by_the_worker(worker):
    plan = Document.objects.get(kind="plan")
    before = worker.soffice.count()
    api = login("vhxh")
    first = api.get(f"/documents/{plan.pk}/pdf")
    assert first.status_code == 202, first.content
    assert first.json() == {"detail": "Đang tạo bản PDF…"} and int(first["Retry-After"]) > 0

    def served():
        response = api.get(f"/documents/{plan.pk}/pdf")
        return response if response.status_code == 200 else None

    body = wait_for(served, "the PDF", worker).getvalue()
    assert body.startswith(b"%PDF-")
    assert worker.soffice.count() - before == 1  # converted once, by the worker (this process runs no task)
    pdf = DocumentPdf.objects.get(document=plan)
    assert pdf.status == "ready" and pdf.content == body
    assert api.get(f"/documents/{plan.pk}/pdf").getvalue() == body and worker.soffice.count() - before == 1

    health = Client().get("/healthz").json()["checks"]["task_queue"]
    assert health["status"] == "ok" and health["workers"] >= 1


def test_the_issued_pdf_is_made_by_the_worker_without_a_request(worker):
    document = run(Document.objects.get(kind="plan"), *TO_SIGNED, ("vanthu", "issue"))
    pdf = wait_for(
        lambda: DocumentPdf.objects.filter(document=document, stage="issued", status="ready").first(), "the issued PDF", worker
    )
    assert pdf.filename == f"KH-01-UBND-{document.issued_on.year}.pdf" and pdf.content.startswith(b"%PDF-")
    assert IssuedFile.objects.get(document=document).content[:2] == b"PK"


def test_the_beat_scheduled_reminder_run_happens_on_the_worker_exactly_once(worker):
    mailed_before = worker.mailed()
    today = timezone.localdate()
    Period.objects.filter(code="2026-H1").update(deadline=today + timedelta(days=1))
    h1 = opened("2026-H1")
    assert not ReminderLog.objects.exclude(kind="round_opened").exists()  # only the units told of the opening

    def all_sent():
        rows = ReminderLog.objects.filter(document__period=h1)
        return rows.exists() and not rows.filter(status="pending").exists()

    wait_for(all_sent, "the beat-scheduled reminder run", worker)
    time.sleep(3)  # several more beat ticks: each run finds nothing left to send
    overlapping = [send_reminders.delay() for _ in range(2)]
    results = [r.get(timeout=60) for r in overlapping]
    assert all(r["sent"] == 0 and r["planned"] == 0 and r["failed"] == 0 for r in results)

    sent = list(ReminderLog.objects.filter(status="sent", kind="due_soon"))
    assert len(sent) == 25  # one due_soon ("1 day left") per unit; the 3-day one is superseded
    assert all(row.attempts == 1 for row in sent)  # claimed and delivered once
    assert ReminderLog.objects.filter(status="superseded").count() == 25
    opening = list(ReminderLog.objects.filter(kind="round_opened"))
    assert len(opening) == 25 and all(row.status == "sent" and row.attempts == 1 for row in opening)
    assert worker.mailed() - mailed_before == sum(1 for row in sent + opening if row.emails)
    assert Notification.objects.filter(kind="due_soon").count() == sum(len(row.user_ids) for row in sent)
