"""Office-length sessions: a session ends after SESSION_IDLE_SECONDS without activity, and each
request the person makes pushes that end forward.

Django's own way, SESSION_SAVE_EVERY_REQUEST, writes the session row on every request of every
user. Here a request writes it only when the last write is SESSION_REFRESH_SECONDS old or more
(the time of that write is kept in the session), so a page view stays a read and the idle limit
holds to within that margin. A login starts the count (`user_logged_in`), so the first pages after
it write nothing either."""
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.middleware import SessionMiddleware
from django.dispatch import receiver
from django.utils import timezone

REFRESHED = "_idle_refreshed"


def _stamp(session):
    """Mark the session written now; setting a key makes Django save it, with a new end."""
    session[REFRESHED] = int(timezone.now().timestamp())


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, extending a session it read when its last write is old enough.
    A request that never looked at the session (an API call with a token) does not extend it."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            stale = timezone.now().timestamp() - session.get(REFRESHED, 0) >= settings.SESSION_REFRESH_SECONDS
            if stale or session.modified:  # a session written anyway restarts the count too
                _stamp(session)
        return super().process_response(request, response)


@receiver(user_logged_in)
def stamp_new_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        _stamp(session)
