"""Login throttling for every door: the web login, /admin/login/ and POST /api/v1/auth/token.

django-axes does the bookkeeping: each failed password is an AccessAttempt row for the pair
(username, client address), and after LOGIN_RATE_LIMIT failures the pair is locked for
LOGIN_RATE_WINDOW_SECONDS (or until an administrator deletes the row in the admin). Locking the
pair, not the address, means a stranger guessing names cannot lock out the colleagues who share
the commune's address behind the reverse proxy.

axes checks the count and records a failure in separate steps, so parallel requests could all pass
the check before any failure is written. `serialized()` therefore holds a lock for the pair (a
PostgreSQL advisory lock for the transaction; a process-local lock on SQLite, which serves one
development process) around check, password comparison and record: at most LOGIN_RATE_LIMIT
passwords are ever compared for a pair within a lockout window, however many requests arrive.
"""
import hashlib
import ipaddress
import math
import threading
from contextlib import contextmanager
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone


def failure_limit(request=None, credentials=None):
    return settings.LOGIN_RATE_LIMIT


def cool_off(request=None):
    return timedelta(seconds=settings.LOGIN_RATE_WINDOW_SECONDS)


def _valid_ip(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except (ValueError, AttributeError):
        return None


def client_address(request):
    """The caller's address. Behind TRUSTED_PROXY_COUNT proxies, each appending the address it saw
    to X-Forwarded-For, the client is the N-th entry from the right; entries further left were
    written by the client and are never trusted. Without proxies the header is ignored."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return _valid_ip(forwarded[-hops]) or remote


class ThrottleBackend(AxesStandaloneBackend):
    """axes' gate as the first authentication backend: a locked pair is refused before any password
    is compared. A call without a request (a script, a management command) is not an HTTP login
    and has no address to throttle, so it passes to the next backend."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# --- serialising the attempts of one pair -------------------------------------------------------

_LOCAL_LOCKS = [threading.Lock() for _ in range(64)]


def _pair_key(username, address):
    digest = hashlib.sha256(f"{(username or '').strip().lower()}\0{address or '-'}".encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def serialized(request, username):
    """One transaction in which the attempts of this username and address run one at a time.

    Everything axes records inside (a failure, a reset after success) is committed before the next
    attempt of the pair may look at the count. Exceptions inside roll the record back: raise after
    the block."""
    key = _pair_key(username, client_address(request))
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            yield
    else:
        with _LOCAL_LOCKS[key % len(_LOCAL_LOCKS)], transaction.atomic():
            yield


def locked_message(request, username):
    """The Vietnamese refusal with the unlock time, or None when the pair may try.

    `username` is the name exactly as authenticate() receives it. Returns (message, seconds to wait)."""
    username = username or ""
    if "\x00" in username:  # cannot be stored or compared; such a name never has attempts
        return None, 0
    if not AxesProxyHandler.is_locked(request, {"username": username}):
        return None, 0
    last = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).aggregate(
        last=Max("attempt_time")
    )["last"]
    now = timezone.now()
    until = (last or now) + get_cool_off(request)
    seconds = max(1, math.ceil((until - now).total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    local = timezone.localtime(until)
    when = local.strftime("%H:%M")
    if local.date() != timezone.localtime(now).date():
        when += local.strftime(" ngày %d/%m/%Y")
    message = (
        f"Đăng nhập sai quá nhiều lần: bạn đã nhập sai mật khẩu {settings.LOGIN_RATE_LIMIT} lần. "
        f"Hãy thử lại sau {when} ({minutes} phút nữa) hoặc nhờ quản trị viên mở khóa."
    )
    return message, seconds


def succeeded(request, username):
    """Forget the failures of this pair after a correct password (login() does it through axes;
    the API issues tokens without a session, so it calls this)."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.reset_attempts(username=username, ip_address=request.axes_ip_address)


def lockout_response(request, original_response=None, credentials=None):
    """axes' middleware answer for a lockout. The three doors answer lockouts themselves (marking
    the request); any other login path gets a plain 429 in Vietnamese."""
    if getattr(request, "throttle_answered", False) and original_response is not None:
        return original_response
    message, seconds = locked_message(request, (credentials or {}).get("username"))
    response = HttpResponse(
        message or "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.", status=429, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(seconds or settings.LOGIN_RATE_WINDOW_SECONDS)
    return response
