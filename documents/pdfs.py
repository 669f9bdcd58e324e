"""The PDF of a document version: made once by a Celery task, kept in file storage, served from there.

request(document, retry=False)  the DocumentPdf row of the document as it is now; creates it and
                                makes sure a task produces it. Inline mode (no REDIS_URL) converts
                                right here; with workers the caller gets a pending row at once.
current(document)               the same row without side effects (None when never asked for)
produce(pdf_id)                 the task body (documents.tasks.make_pdf): render, convert, store, hash
after_issue(document_id)        called by `issue` through transaction.on_commit, outside the register
                                lock: with workers, the issued PDF is made before anyone asks

Exactly one conversion per row: a worker claims a pending row with a conditional UPDATE (the claim
is the attempt counter); a claim older than STALE_AFTER belongs to a worker that died and may be
taken again, and a pending row requested again after STALE_AFTER is queued again (a lost task).
A stored file is never rewritten: the storage picks a fresh name, and a late writer whose claim
was taken deletes its own file. A failure keeps its Vietnamese reason; asking again after
FAILED_RETRY_AFTER (or pressing "thử lại") queues a new attempt.
"""
import hashlib
import logging
from datetime import timedelta

from celery import current_app
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from workflows.models import Document

from .models import DocumentPdf, StoredFileCorrupt
from .pdf import DEFAULT_TIMEOUT, PdfUnavailable
from .rendering import document_pdf
from .templates import active_version

logger = logging.getLogger(__name__)

ISSUED = "issued"
STALE_AFTER = timedelta(seconds=DEFAULT_TIMEOUT + 180)
FAILED_RETRY_AFTER = timedelta(seconds=60)
BEING_MADE = "Đang tạo bản PDF…"
CHANGED = (
    "Văn bản đã chuyển sang phiên bản hoặc trạng thái khác trước khi kịp tạo bản PDF này. "
    "Hãy tải lại trang để tạo bản PDF của văn bản hiện tại."
)
RENDER_FAILED = "Không dựng được tệp Word của văn bản nên chưa tạo được bản PDF. Hãy thử lại, hoặc báo quản trị viên kiểm tra mẫu văn bản."
S = DocumentPdf.Status


def inline():
    """True when tasks run in the calling process (no REDIS_URL)."""
    return bool(current_app.conf.task_always_eager)


def key_for(document):
    """What identifies the PDF of the document as it is now."""
    if document.state == ISSUED:
        return {"version": document.version, "stage": ISSUED, "template_version": 0}
    template = active_version(document.kind)
    return {"version": document.version, "stage": document.state, "template_version": template.pk if template else 0}


def current(document):
    return DocumentPdf.objects.filter(document_id=document.pk, **key_for(document)).first()


def request(document, *, retry=False):
    now = timezone.now()
    pdf, created = DocumentPdf.objects.get_or_create(document_id=document.pk, **key_for(document), defaults={"requested_at": now})
    queue = created
    if pdf.status == S.FAILED and (retry or (pdf.finished_at or now) <= now - FAILED_RETRY_AFTER):
        queue = bool(
            DocumentPdf.objects.filter(pk=pdf.pk, status=S.FAILED).update(status=S.PENDING, requested_at=now, started_at=None, error="")
        )
    elif pdf.status == S.PENDING and not created:
        if inline():
            queue = pdf.started_at is None  # made on issue by nobody yet, or never run
        elif pdf.requested_at <= now - STALE_AFTER:
            queue = bool(DocumentPdf.objects.filter(pk=pdf.pk, status=S.PENDING, requested_at=pdf.requested_at).update(requested_at=now))
    if queue:
        _enqueue(pdf.pk)
    pdf.refresh_from_db()
    return pdf


def after_issue(document_id):
    """Queue the issued PDF once the issue committed; inline mode makes it on the first download."""
    if inline():
        return None
    try:
        return request(Document.objects.get(pk=document_id))
    except Exception:  # noqa: BLE001 - the issue is committed; the PDF is made on request instead
        logger.exception("Could not queue the issued PDF of document %s", document_id)
        return None


MAKE_PDF_TASK = "documents.tasks.make_pdf"


def _enqueue(pdf_id):
    if inline():
        produce(pdf_id)  # what the task runs, here and now
        return

    def send():
        try:
            # By name: documents.tasks imports this module, not the other way round.
            current_app.send_task(MAKE_PDF_TASK, args=[pdf_id])
        except Exception:  # noqa: BLE001 - broker down: the row stays pending and is queued again later
            logger.exception("Could not queue PDF %s", pdf_id)

    transaction.on_commit(send)


def _finish(pdf_id, token, **fields):
    return DocumentPdf.objects.filter(pk=pdf_id, status=S.PENDING, attempts=token).update(finished_at=timezone.now(), **fields)


def produce(pdf_id):
    """Make the PDF of row `pdf_id`; returns 'ready', 'failed' or 'skipped'."""
    now = timezone.now()
    claimed = (
        DocumentPdf.objects.filter(pk=pdf_id, status=S.PENDING)
        .filter(Q(started_at__isnull=True) | Q(started_at__lte=now - STALE_AFTER))
        .update(started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"  # made already, or another worker is making it
    pdf = DocumentPdf.objects.get(pk=pdf_id)
    token = pdf.attempts
    document = Document.objects.get(pk=pdf.document_id)
    if key_for(document) != {"version": pdf.version, "stage": pdf.stage, "template_version": pdf.template_version}:
        _finish(pdf_id, token, status=S.FAILED, error=CHANGED)
        return "failed"
    try:
        filename, data = document_pdf(document)
    except PdfUnavailable as exc:
        _finish(pdf_id, token, status=S.FAILED, error=exc.detail)
        return "failed"
    except StoredFileCorrupt as exc:
        logger.error("Issued file of document %s is corrupt: %s", document.pk, exc)
        _finish(pdf_id, token, status=S.FAILED, error=exc.detail)
        return "failed"
    except Exception:  # noqa: BLE001 - recorded on the row; the user sees the reason and may retry
        logger.exception("Rendering the PDF of document %s failed", document.pk)
        _finish(pdf_id, token, status=S.FAILED, error=RENDER_FAILED)
        return "failed"
    name = default_storage.save(pdf.file.field.generate_filename(pdf, filename), ContentFile(data))
    done = _finish(pdf_id, token, status=S.READY, file=name, filename=filename, sha256=hashlib.sha256(data).hexdigest(), error="")
    if not done:
        default_storage.delete(name)  # our claim was taken over meanwhile; the other file counts
        return "skipped"
    return "ready"
