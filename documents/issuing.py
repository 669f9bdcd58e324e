"""What issuing a document (and submitting a unit report) does beyond the state change, subscribed
to the workflows layer's signals.

Issuing in two phases, so that the register's lock is held for milliseconds:

1. Before the transaction, with no lock held (document_issue_preparing): the final file is
   rendered completely, date included, with a random token where the number goes
   (rendering.prepare_issued_file). This is the slow part (template, layout, zip); issues of
   the same commune render in parallel, issues of different communes share nothing at all.
   A failed render stops here: nothing was written, no number was taken.
2. In the `issue` transaction (document_numbering, then document_issued): the register's
   sequence row is locked, the number taken, the document and its register line saved, the token
   replaced by the number in the prepared file (a text replacement in the zip's XML parts, no
   template run) and the file stored with its SHA-256; the commit releases the lock.

Why there is no gap: a number exists only inside the transaction that also saves the issued
document, its register line and its file. Nothing slow or fallible that the number does not need
runs between taking it and the commit, and if anything in the transaction fails, it rolls back
with the number, so the next issue takes the same number. The alternative (commit the number,
render afterwards, hand the number back on failure) cannot hand a number back once a later one
was taken, so it would leave gaps or half-issued documents. Renumbering afterwards is not allowed
either (Nghị định 30/2020, Điều 15). The number's length does not change the layout (the short
rules are fitted to the issuing body and the trích yếu, not to the number), so filling it in
afterwards gives the same file a render with the number would.

If the document changed between the two phases, or nothing was prepared (an issue started inside
an outer transaction, say), the file is rendered inside the transaction as before: correct, only
slower. The organisation's digital signature (signatures app), when switched on, needs the number
and runs in the transaction too.
"""
from django.db import transaction

from workflows.models import Document
from workflows.signals import document_issue_preparing, document_issued, document_numbering, unit_report_numbering

from . import pdfs, register, rendering

PREPARED_KEY = "documents.issued_file"


def number_document(sender, document, issued_on, clerk=None, **kwargs):
    """Give the number and write the register line (before the document row is saved)."""
    register.assign_number(document, issued_on=issued_on, clerk=clerk)


def number_unit_report(sender, document, submitted_on, **kwargs):
    """A submitted unit report takes the next number of its unit's register (kept on resubmission)."""
    register.assign_unit_number(document, submitted_on=submitted_on)


def prepare_issued(sender, document, issued_on, prepared, **kwargs):
    """Before the issue transaction: render the final file with the number left to fill in."""
    prepared[PREPARED_KEY] = rendering.prepare_issued_file(document, issued_on=issued_on)


def store_issued(sender, document, prepared=None, **kwargs):
    """Store the final Word file; the PDF is queued only once the issue committed, outside the register lock."""
    rendering.store_issued_file(document, (prepared or {}).get(PREPARED_KEY))
    document_id = document.pk
    transaction.on_commit(lambda: pdfs.after_issue(document_id))


def connect():
    document_numbering.connect(number_document, sender=Document, dispatch_uid="documents.number_document")
    unit_report_numbering.connect(number_unit_report, sender=Document, dispatch_uid="documents.number_unit_report")
    document_issue_preparing.connect(prepare_issued, sender=Document, dispatch_uid="documents.prepare_issued")
    document_issued.connect(store_issued, sender=Document, dispatch_uid="documents.store_issued")
