from .models import Notification


def unread_for(user):
    """Unread notifications of a user, newest first (one query)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user, read_at__isnull=True).select_related("document").order_by("-created_at", "-id")
