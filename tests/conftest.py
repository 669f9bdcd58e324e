"""Shared fixtures. The Diễn Châu data is loaded once per test database through the same
commands `make run` uses, so tests exercise the real data path."""
import os

import pytest
from django.core.management import call_command
from django.db import connection


def pytest_configure(config):
    from django.conf import settings

    # PBKDF2 takes ~1.5 s a hash on this machine and the demo data creates ~31 accounts; tests
    # check who may log in, not the hasher's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The parallel tests hold up to 31 connections at once (30 threads meeting at a barrier in the
    # login-throttle test, plus the test's own); a gunicorn process never has more threads than its
    # pool (config/gunicorn.py).
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict):
        pool["max_size"] = max(pool.get("max_size", 0), 40)


def pytest_sessionstart(session):
    if os.environ.get("REQUIRE_POSTGRES") and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL.")
    if os.environ.get("REQUIRE_REDIS") and not os.environ.get("REDIS_URL"):
        raise pytest.UsageError("REQUIRE_REDIS is set but REDIS_URL is not: the Redis task tests would be skipped.")


@pytest.fixture(autouse=True)
def tasks_inline_unless_redis(request):
    """Every test but the Redis ones (marked `redis`) runs its tasks inline, as `make test` does
    without REDIS_URL, so that REDIS_URL in the environment changes only what it is meant to."""
    from config.celery import app

    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_sessionfinish(session, exitstatus):
    # "No tests ran" must never pass CI.
    if exitstatus == 5:
        session.exitstatus = 1


def pytest_report_header(config):
    return f"database: {os.environ.get('DATABASE_URL') or 'SQLite (default)'}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)


def is_postgres():
    return connection.vendor == "postgresql"


postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite serialises all writers)",
)
