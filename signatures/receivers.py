"""The signatures app's receivers of the workflows layer's signals.

They are connected after the documents app's (INSTALLED_APPS order), so on `issue` the number and
the Word file exist when the organisation signs the PDF.

The services (pyHanko, pdfminer, fontTools) are imported when a document is first signed or issued,
not when Django starts: they are about half of every process's start-up (`manage.py` commands,
gunicorn and Celery workers), most of which never sign anything.
"""
from importlib import import_module

from workflows.models import Document
from workflows.signals import document_issued, document_signing


def _services():
    return import_module("signatures.services")


def sign_document(sender, **kwargs):
    return _services().sign_document(sender, **kwargs)


def issue_document(sender, **kwargs):
    return _services().issue_document(sender, **kwargs)


def connect():
    document_signing.connect(sign_document, sender=Document, dispatch_uid="signatures.sign_document")
    document_issued.connect(issue_document, sender=Document, dispatch_uid="signatures.issue_document")
