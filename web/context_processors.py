from django.utils.functional import SimpleLazyObject

from rounds.selectors import unread_for


def web(request):
    """Unread notification count for the toolbar bell; evaluated only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def count():
        return unread_for(user).count()

    return {"unread_notifications": SimpleLazyObject(count)}
