"""The signatures app's receivers of the workflows layer's signals.

They are connected after the documents app's (INSTALLED_APPS order), so on `issue` the number and
the Word file exist when the organisation signs the PDF. The services load pyHanko, pdfminer and
fontTools only when a document is first signed or issued (signatures.lazy).
"""
from workflows.models import Document
from workflows.signals import document_issued, document_signing

from . import services


def sign_document(sender, **kwargs):
    return services.sign_document(sender, **kwargs)


def issue_document(sender, **kwargs):
    return services.issue_document(sender, **kwargs)


def connect():
    document_signing.connect(sign_document, sender=Document, dispatch_uid="signatures.sign_document")
    document_issued.connect(issue_document, sender=Document, dispatch_uid="signatures.issue_document")
