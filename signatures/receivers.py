"""The signatures app's receivers of the workflows layer's signals.

They are connected after the documents app's (INSTALLED_APPS order), so on `issue` the number and
the Word file exist when the organisation signs the PDF.
"""
from workflows.models import Document
from workflows.signals import document_issued, document_signing

from . import services


def connect():
    document_signing.connect(services.sign_document, sender=Document, dispatch_uid="signatures.sign_document")
    document_issued.connect(services.issue_document, sender=Document, dispatch_uid="signatures.issue_document")
