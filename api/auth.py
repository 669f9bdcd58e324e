"""Who is calling: a Bearer token (integrations, scripts) or the browser session (web app).

Tokens are random strings shown once; only their SHA-256 is stored (accounts.ApiToken).
Session requests that change data must carry the CSRF token, like any Django form.
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts import ratelimit
from accounts.models import ApiToken
from workflows.errors import Invalid, WorkflowError

from .errors import CsrfFailed

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__unit", "user__commune")
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


def bearer_token(request):
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class SessionAuth(APIKeyCookie):
    """The Django session of the web app; CSRF is checked only for a logged-in user's writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise CsrfFailed()
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


api_auth = [BearerAuth(), SessionAuth()]


class TooManyAttempts(WorkflowError):
    status = 429


class BadCredentials(WorkflowError):
    status = 401


def issue_token(request, username, password):
    """Check the password (throttled) and return a new token string."""
    address = ratelimit.client_address(request)
    if ratelimit.is_locked(username, address):
        raise TooManyAttempts(ratelimit.locked_message())
    user = None
    # A NUL byte cannot be stored or compared by PostgreSQL; such a name cannot exist.
    if "\x00" not in username and "\x00" not in password:
        user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        ratelimit.record_failure(username, address)
        raise BadCredentials("Tên đăng nhập hoặc mật khẩu không đúng.")
    ratelimit.reset(username, address)
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, key_hash=hash_token(token))
    return token


def revoke_token(request):
    token = bearer_token(request)
    if not token:
        raise Invalid(
            "Yêu cầu không dùng khóa truy cập nên không có khóa nào để thu hồi.",
            {"Authorization": ["Gửi khóa cần thu hồi trong tiêu đề Authorization: Bearer <khóa>."]},
        )
    ApiToken.objects.filter(key_hash=hash_token(token), user=request.auth).delete()
