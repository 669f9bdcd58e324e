"""Celery tasks of the documents app (run inline when no REDIS_URL is set)."""
from celery import shared_task


@shared_task(name="documents.tasks.make_pdf")
def make_pdf(pdf_id):
    """Convert one document version to PDF with LibreOffice and store it (documents.pdfs)."""
    from .pdfs import produce

    return produce(pdf_id)
