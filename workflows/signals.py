from django.dispatch import Signal

# Sent after a transition has committed: document_id, transition (public name).
document_transitioned = Signal()
