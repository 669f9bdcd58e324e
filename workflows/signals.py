"""Signals of the document lifecycle.

The workflows layer fires them; higher layers (documents, rounds) subscribe in their AppConfig.ready,
so that workflows never imports the layers that build on it.
"""
from django.dispatch import Signal

# Sent after a transition has committed: document_id, transition (public name).
document_transitioned = Signal()

# Sent inside the `issue` transaction, after the state changed and before the document row is
# saved: document, issued_on, clerk. Receivers give the number (documents.register writes the
# register line). An exception rolls the whole issue back, so no number is lost.
document_numbering = Signal()

# Sent inside the `issue` transaction after the row and its audit entry are saved: document.
# Receivers store the issued file and queue its PDF after the commit. An exception rolls the whole
# issue back (the service answers 503 Unavailable), so a failed render leaves no number taken.
document_issued = Signal()

# Sent inside the `sign` transaction after the state changed and document.signer is set, before
# the row is saved: document, signer, signed_file (bytes of a PDF signed elsewhere, or None). Receivers sign the document digitally (signatures app); an
# exception (a workflows.errors error with its Vietnamese reason) refuses the signing: nothing changes.
document_signing = Signal()
