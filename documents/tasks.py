"""Celery tasks of the documents app (run inline when no REDIS_URL is set)."""
from celery import shared_task

from .pdfs import MAKE_PDF_TASK, produce


@shared_task(name=MAKE_PDF_TASK)
def make_pdf(pdf_id):
    """Convert one document version to PDF with LibreOffice and store it (documents.pdfs)."""
    return produce(pdf_id)
