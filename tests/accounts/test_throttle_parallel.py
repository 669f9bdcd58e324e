"""Login throttling under real concurrency on PostgreSQL: thirty wrong passwords for one username
from one address, released at the same instant on separate connections, get at most the limit of
password checks; the rest are refused (429) without one, and the right password then waits too."""
import threading
import time

import pytest
from django.test import Client

from accounts.models import FailedLogin, User
from tests.helpers.parallel import postgres_only, in_parallel

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]

LIMIT = 5
CROWD = 30


@pytest.fixture
def password_checks(monkeypatch, settings):
    """Counts real password comparisons, each slowed a little so that unserialised attempts overlap."""
    settings.LOGIN_RATE_LIMIT = LIMIT
    settings.LOGIN_RATE_WINDOW_SECONDS = 900
    calls = []
    lock = threading.Lock()
    original = User.check_password

    def counting(self, raw_password):
        with lock:
            calls.append(self.username)
        time.sleep(0.05)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    return calls


def api_attempt(password):
    return lambda: Client().post(
        "/api/v1/auth/token", {"username": "vhxh", "password": password}, content_type="application/json"
    ).status_code


def web_attempt(password):
    return lambda: Client().post("/accounts/login/", {"username": "vhxh", "password": password}).status_code


@pytest.mark.parametrize("attempt,wrong_status,ok_status", [(api_attempt, 401, 201), (web_attempt, 400, 302)], ids=["api", "web"])
def test_thirty_parallel_wrong_passwords_check_at_most_the_limit(password_checks, attempt, wrong_status, ok_status):
    results = in_parallel(*(attempt("sai-mat-khau") for _ in range(CROWD)))

    assert all(kind == "ok" for kind, _ in results), results
    statuses = [status for _, status in results]
    assert len(password_checks) <= LIMIT, f"{len(password_checks)} passwords checked in parallel"
    assert statuses.count(wrong_status) == len(password_checks) == LIMIT
    assert statuses.count(429) == CROWD - LIMIT
    assert sum(FailedLogin.objects.filter(username="vhxh").values_list("failures_since_start", flat=True)) == LIMIT

    # The right password is refused while the pair is locked, without being checked...
    assert attempt("demo2026")() == 429
    assert len(password_checks) == LIMIT
    # ...until an administrator unlocks it.
    FailedLogin.objects.filter(username="vhxh").delete()
    assert attempt("demo2026")() == ok_status
