"""Background work in inline mode (no REDIS_URL, as `make run` and `make test`): the PDF of a
document version is made once by a task, stored and served from storage; "being made" answers 202
(API) or says so on the page; a failure shows its Vietnamese reason and can be retried; the issued
PDF is queued after the issue commits; the reminder run and the notices are Celery tasks.

A stand-in `soffice` (a small script) counts conversions and writes a PDF naming the SHA-256 of
the .docx it was given, so the tests see exactly which file was converted and how often.
"""
import hashlib

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.storage import default_storage

from config.celery import app
from documents.models import DocumentPdf, IssuedFile
from documents.tasks import make_pdf
from rounds.models import ReminderLog
from rounds.tasks import deliver_notice, send_reminders
from tests.helpers.api import login
from tests.helpers.soffice import Soffice
from tests.helpers.workflow import TO_SIGNED, RETURN_COMMENT, demo, run, opened, submit
from tests.helpers.web import client_for
from workflows.models import Document
from workflows.services import update_document

pytestmark = pytest.mark.django_db

@pytest.fixture
def soffice(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    fake = Soffice(tmp_path)
    settings.SOFFICE_PATH = str(fake.path)
    return fake


@pytest.fixture
def workers():
    """As with REDIS_URL: tasks are queued for workers instead of running inline. Nothing consumes
    the queue here; a test runs a task itself where a worker would."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def the_plan():
    return Document.objects.get(kind="plan")


def test_pdf_is_made_once_per_version_then_served_from_storage(soffice):
    plan = the_plan()
    vhxh = client_for("vhxh")
    first = vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert f'filename="Du-thao-KH-UBND-{plan.pk}.pdf"' in first["Content-Disposition"]
    body = first.getvalue()
    assert body.startswith(b"%PDF-") and soffice.count() == 1
    stored = DocumentPdf.objects.get(document=plan)
    assert (stored.status, stored.version, stored.stage) == ("ready", plan.version, plan.state)
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    with default_storage.open(stored.file.name, "rb") as handle:
        assert handle.read() == body

    # Later downloads, web and API, are served from storage: no new conversion.
    assert vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/").getvalue() == body
    api = login("vhxh").get(f"/documents/{plan.pk}/pdf")
    assert api.status_code == 200 and api.getvalue() == body
    assert soffice.count() == 1

    # A new version gets its own PDF, made once.
    update_document(plan.pk, demo("vhxh"), version=plan.version, title="Kế hoạch (bản sửa)")
    again = vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/").getvalue()
    assert again != body and soffice.count() == 2
    assert vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/").getvalue() == again and soffice.count() == 2
    assert DocumentPdf.objects.filter(document=plan, status="ready").count() == 2


def test_pdf_being_made_answers_202_and_the_page_says_so_until_it_is_ready(soffice, workers):
    plan = the_plan()
    api = login("vhxh")
    response = api.get(f"/documents/{plan.pk}/pdf")
    assert response.status_code == 202
    assert response.json() == {"detail": "Đang tạo bản PDF…"}
    assert int(response["Retry-After"]) > 0
    assert soffice.count() == 0  # queued for a worker, not converted in the request

    vhxh = client_for("vhxh")
    download = vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/")
    assert download.status_code == 302 and download["Location"].endswith(f"/van-ban/{plan.pk}/#ban-pdf")
    page = vhxh.get(f"/van-ban/{plan.pk}/").content.decode()
    assert "Đang tạo bản PDF…" in page and 'data-testid="pdf-pending"' in page
    assert "web/pdf-status.js" in page and finders.find("web/pdf-status.js")  # a static file, no inline script
    status_url = f"/van-ban/{plan.pk}/tai-ve/pdf/tinh-trang/"
    assert vhxh.get(status_url).json()["status"] == "pending"

    pdf = DocumentPdf.objects.get(document=plan)
    assert make_pdf.apply(args=[pdf.pk]).get() == "ready"  # what the worker does
    assert make_pdf.apply(args=[pdf.pk]).get() == "skipped"  # a duplicate delivery converts nothing
    assert vhxh.get(status_url).json() == {"status": "ready", "detail": "Bản PDF đã sẵn sàng."}
    assert 'data-testid="pdf-download"' in vhxh.get(f"/van-ban/{plan.pk}/").content.decode()
    ready = api.get(f"/documents/{plan.pk}/pdf")
    assert ready.status_code == 200 and ready.getvalue().startswith(b"%PDF-")
    assert soffice.count() == 1


def test_pdf_failure_shows_the_reason_in_vietnamese_and_can_be_retried(soffice, settings):
    plan = the_plan()
    settings.SOFFICE_PATH = "/khong/co/soffice"
    api = login("vhxh")
    response = api.get(f"/documents/{plan.pk}/pdf")
    assert response.status_code == 503
    assert "LibreOffice" in response.json()["detail"] and "libreoffice-writer-nogui" in response.json()["detail"]
    assert response["Retry-After"] == "60"
    assert api.get(f"/documents/{plan.pk}/pdf").status_code == 503
    assert DocumentPdf.objects.get(document=plan).attempts == 1  # no new attempt on every request

    vhxh = client_for("vhxh")
    page = vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/")
    assert page.status_code == 503
    html = page.content.decode()
    assert "Chưa tạo được bản PDF." in html and "libreoffice-writer-nogui" in html
    assert f'action="/van-ban/{plan.pk}/tai-ve/pdf/"' in html and "Thử tạo lại bản PDF" in html
    failed = vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/tinh-trang/").json()
    assert failed["status"] == "failed" and "LibreOffice" in failed["detail"]

    settings.SOFFICE_PATH = str(soffice.path)  # the administrator installed it
    retry = vhxh.post(f"/van-ban/{plan.pk}/tai-ve/pdf/")
    assert retry.status_code == 302
    assert DocumentPdf.objects.get(document=plan).status == "ready"
    assert vhxh.get(f"/van-ban/{plan.pk}/tai-ve/pdf/").getvalue().startswith(b"%PDF-") and soffice.count() == 1


def test_issued_pdf_is_queued_after_the_issue_commits_and_converts_the_stored_file(
    soffice, workers, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        document = run(the_plan(), *TO_SIGNED, ("vanthu", "issue"))
    # Nothing about the PDF happens inside the issue transaction (the register lock is held there).
    assert not DocumentPdf.objects.filter(document=document).exists()
    for callback in callbacks:
        callback()
    pdf = DocumentPdf.objects.get(document=document)
    assert (pdf.stage, pdf.status) == ("issued", "pending") and soffice.count() == 0
    assert make_pdf.apply(args=[pdf.pk]).get() == "ready"
    pdf.refresh_from_db()
    issued = IssuedFile.objects.get(document=document)
    assert pdf.filename == f"KH-01-UBND-{document.issued_on.year}.pdf"
    stored = pdf.content  # checked against pdf.sha256
    assert f"from docx {issued.sha256}".encode() in stored  # converted from exactly the issued .docx
    response = login("vanthu").get(f"/documents/{document.pk}/pdf")
    assert response.status_code == 200 and response.getvalue() == stored
    assert soffice.count() == 1


def test_reminder_run_is_a_beat_scheduled_task_that_sends_each_message_once(clock, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-reminders"]
    assert entry["task"] == "rounds.tasks.send_reminders" and entry["task"] in app.tasks
    assert entry["schedule"] == settings.REMINDER_INTERVAL_SECONDS
    opened("2026-H1")
    clock.set(2026, 6, 16, 8, 0)
    first = send_reminders.delay().get()
    assert first == {"planned": 25, "sent": 25, "superseded": 0, "deferred": 0, "failed": 0}
    assert send_reminders.delay().get() == {"planned": 0, "sent": 0, "superseded": 0, "deferred": 0, "failed": 0}
    assert len(mail.outbox) == 25


def test_transition_notices_are_mailed_by_a_worker_task(clock, workers, django_capture_on_commit_callbacks):
    h1 = opened("2026-H1")
    document = submit(h1, "tramyte")
    run(document, ("vhxh", "start_review"))
    with django_capture_on_commit_callbacks(execute=True):
        run(document, ("vhxh", "return", RETURN_COMMENT))
    row = ReminderLog.objects.get(document=document, kind="returned")
    assert row.status == "pending" and mail.outbox == []  # queued, not sent in the request
    assert deliver_notice.apply(args=[row.pk]).get() == "sent"
    assert deliver_notice.apply(args=[row.pk]).get() == "skipped"  # delivered twice by the broker: sent once
    assert len(mail.outbox) == 1 and RETURN_COMMENT in mail.outbox[0].body


def test_status_json_of_a_document_nobody_asked_a_pdf_for():
    plan = the_plan()
    body = client_for("vhxh").get(f"/van-ban/{plan.pk}/tai-ve/pdf/tinh-trang/").json()
    assert body == {"status": "none", "detail": ""}
    assert client_for("tramyte").get(f"/van-ban/{plan.pk}/tai-ve/pdf/tinh-trang/").status_code == 404
