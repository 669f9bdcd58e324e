"""Who is calling: a Bearer token (integrations, scripts) or the browser session (web app).

Tokens are random strings shown once; only their SHA-256 is stored (accounts.ApiToken). They expire
after API_TOKEN_TTL_DAYS and are revoked when the password changes or the account is deactivated.
Issuing one checks the password through the login throttle (accounts.throttle) like every login.
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

from accounts import throttle
from accounts.models import ApiToken
from workflows.errors import Invalid, NotFound, WorkflowError

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
            .valid()
            .filter(key_hash=hash_token(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
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

    def __init__(self, detail, retry_after):
        super().__init__(detail)
        self.retry_after = retry_after


class BadCredentials(WorkflowError):
    status = 401


def issue_token(request, username, password):
    """Check the password (throttled) and return a new ApiToken with its secret as `.secret`."""
    # A NUL byte cannot be stored or compared by PostgreSQL; such a name cannot exist.
    if "\x00" in username or "\x00" in password:
        raise BadCredentials("Tên đăng nhập hoặc mật khẩu không đúng.")
    request.throttle_answered = True
    with throttle.serialized(request, username):
        locked, seconds = throttle.locked_message(request, username)
        user = None if locked else authenticate(request, username=username, password=password)
        if user is not None:
            throttle.succeeded(request, username)
            ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
            secret = secrets.token_urlsafe(32)
            token = ApiToken.objects.create(user=user, key_hash=hash_token(secret))
            token.secret = secret
    # Raised outside the transaction so that the failure axes recorded is kept.
    if locked:
        raise TooManyAttempts(locked, seconds)
    if user is None:
        raise BadCredentials("Tên đăng nhập hoặc mật khẩu không đúng.")
    return token


def revoke_token(request):
    token = bearer_token(request)
    if not token:
        raise Invalid(
            "Yêu cầu không dùng khóa truy cập nên không có khóa nào để thu hồi.",
            {"Authorization": ["Gửi khóa cần thu hồi trong tiêu đề Authorization: Bearer <khóa>."]},
        )
    ApiToken.objects.filter(key_hash=hash_token(token), user=request.auth).delete()


def tokens_of(user):
    """The person's tokens that still work, newest first."""
    return ApiToken.objects.valid().filter(user=user).order_by("-created_at", "-id")


def revoke_own_token(user, token_id):
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=user).delete()
    if not deleted:
        raise NotFound("Không tìm thấy khóa truy cập này trong các khóa của bạn.")
