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

# Sent before the `issue` transaction, with no lock held: document (as read, unlocked), issued_on,
# prepared (a dict). Receivers do the slow work that does not need the number (render the final
# file with the number left to fill in) and put the result in `prepared` under their own key. An
# exception refuses the issue before anything is written (the service answers 503 Unavailable).
document_issue_preparing = Signal()

# Sent inside the `issue` transaction after the row and its audit entry are saved: document,
# prepared (the dict filled before the transaction; empty when the document changed meanwhile).
# Receivers store the issued file and queue its PDF after the commit. An exception rolls the whole
# issue back (the service answers 503 Unavailable), so a failed render leaves no number taken.
document_issued = Signal()

# Sent inside the `submit` transaction of a unit report that has no number yet, after the state
# changed and before the row is saved: document, submitted_on. Receivers give the number of the
# unit's own register (documents.register); an exception rolls the submission back, so a withdrawn
# and resubmitted report keeps its number and a failed submission takes none.
unit_report_numbering = Signal()

# Sent inside every transition's transaction, after the permission, state and content checks and
# before the state changes: document, transition (public name), user. A receiver refuses the
# transition by raising a workflows.errors.WorkflowError (rounds: a summary report whose figures are
# out of date answers 409).
document_transition_checking = Signal()

# Sent inside the `sign` transaction after the state changed and document.signer is set, before
# the row is saved: document, signer, signed_file (bytes of a PDF signed elsewhere, or None). Receivers sign the document digitally (signatures app); an
# exception (a workflows.errors error with its Vietnamese reason) refuses the signing: nothing changes.
document_signing = Signal()

# Sent after an office event committed (workflows.handling: chuyển xử lý, phối hợp, ý kiến chỉ đạo):
# document_id, event (policy.OFFICE_EVENTS), user_ids (who must be told), message (Vietnamese, one
# line), entry_id (its audit entry). The rounds layer delivers the notices (in the application and
# by e-mail, through its outbox: rounds.reminders.notify_office_event).
document_handled = Signal()
