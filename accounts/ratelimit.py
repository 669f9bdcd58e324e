"""Login throttling shared by the web login page and the API token endpoint.

Counts failed attempts per username and per client address in the cache (database cache by
default, so it holds across worker processes). After LOGIN_RATE_LIMIT failures within
LOGIN_RATE_WINDOW_SECONDS, further attempts are refused until the window passes.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username, address):
    name = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{name}", f"login-fail:addr:{address or '-'}"]


def client_address(request):
    return request.META.get("REMOTE_ADDR", "")


def is_locked(username, address):
    limit = settings.LOGIN_RATE_LIMIT
    return any((cache.get(key) or 0) >= limit for key in _keys(username, address))


def record_failure(username, address):
    window = settings.LOGIN_RATE_WINDOW_SECONDS
    for key in _keys(username, address):
        if not cache.add(key, 1, window):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, window)


def reset(username, address):
    cache.delete_many(_keys(username, address))


LOCKED_MESSAGE = "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút."


def locked_message():
    return LOCKED_MESSAGE.format(minutes=max(1, settings.LOGIN_RATE_WINDOW_SECONDS // 60))
