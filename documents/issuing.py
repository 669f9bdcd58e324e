"""What issuing a document (and submitting a unit report) does beyond the state change, subscribed
to the workflows layer's signals.

workflows.services fires these inside the `issue` (or `submit`) transaction, so everything here commits or rolls
back with the state change: a failed render leaves no number taken and the document «Đã ký»; the
register's row lock (documents.register) keeps numbers gapless under parallel issues.
"""
from django.db import transaction

from workflows.models import Document
from workflows.signals import document_issued, document_numbering, unit_report_numbering

from . import pdfs, register, rendering


def number_document(sender, document, issued_on, clerk=None, **kwargs):
    """Give the number and write the register line (before the document row is saved)."""
    register.assign_number(document, issued_on=issued_on, clerk=clerk)


def number_unit_report(sender, document, submitted_on, **kwargs):
    """A submitted unit report takes the next number of its unit's register (kept on resubmission)."""
    register.assign_unit_number(document, submitted_on=submitted_on)


def store_issued(sender, document, **kwargs):
    """Store the final Word file; the PDF is queued only once the issue committed, outside the register lock."""
    rendering.store_issued_file(document)
    document_id = document.pk
    transaction.on_commit(lambda: pdfs.after_issue(document_id))


def connect():
    document_numbering.connect(number_document, sender=Document, dispatch_uid="documents.number_document")
    unit_report_numbering.connect(number_unit_report, sender=Document, dispatch_uid="documents.number_unit_report")
    document_issued.connect(store_issued, sender=Document, dispatch_uid="documents.store_issued")
