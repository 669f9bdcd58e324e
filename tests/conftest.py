"""Shared fixtures. The Diễn Châu data is loaded once per test database through the same
commands `make run` uses, so tests exercise the real data path.

Most tests run inside a transaction that is rolled back, so they all share that one load. Tests that
need committed data (the live server of the browser tests, threads with their own connections)
are transactional: Django empties the database after each. They use `demo_snapshot`: the loaded
data is serialised once per session, restored before each such test (serialized_rollback) and once
more when their module is done, so nothing loads the demo data twice.

Helpers (plain functions) live in tests/helpers/; test modules do not import from one another.

`make test` runs the suite on a process per core plus one (pytest-xdist, `-n auto --dist loadfile`):
each worker has its own test database (pytest-django adds the worker's name to it), its own
MEDIA_ROOT, live server and Chromium; tests/helpers/scheduling.py says how tests are shared out.
"""
import logging
import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from tests.helpers.scheduling import ModulesThenBrowserTests, auto_workers


def pytest_configure(config):
    from django.conf import settings

    # Django logs every 4xx answer as a warning ("Not Found: ...", "Forbidden: ..."); the tenancy
    # walk makes thousands of them on purpose, and formatting and capturing each line took a
    # seventh of its time (35.7 s against 30.5 s on 07/12/2026). Tests assert the status codes
    # themselves; 5xx answers are still logged (as errors) and shown with a failing test.
    logging.getLogger("django.request").setLevel(logging.ERROR)

    # PBKDF2 takes ~1.5 s a hash on this machine and the demo data creates ~31 accounts; tests
    # check who may log in, not the hasher's cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The parallel tests hold up to 31 connections at once (30 threads meeting at a barrier in the
    # login-throttle test, plus the test's own); a gunicorn process never has more threads than its
    # pool (config/gunicorn.py).
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if isinstance(pool, dict):
        pool["max_size"] = max(pool.get("max_size", 0), 40)
    # Files the tests store (issued documents, evidence, PDFs) go to a directory of this test
    # process, emptied first: never the developer's var/media, and never another worker's files
    # (two workers' databases hand out the same primary keys, hence the same file names).
    media = settings.VAR_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    shutil.rmtree(media, ignore_errors=True)
    media.mkdir(parents=True)
    settings.MEDIA_ROOT = media
    # The live server of the browser tests serves STATIC_ROOT first (Django's test handler), so
    # after a `make run` it would hand the browser the collected copies, not the files under test:
    # point it at an empty directory and let WhiteNoise serve the apps' own files, indexed once
    # (they do not change during a run).
    static = settings.VAR_DIR / "test-static" / os.environ.get("PYTEST_XDIST_WORKER", "main")
    shutil.rmtree(static, ignore_errors=True)
    static.mkdir(parents=True)
    settings.STATIC_ROOT = static
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = False


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config):
    """`-n auto` (make test): a worker per core and one for the browser tests."""
    return auto_workers()


@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (make test): whole modules, except each browser test on its own."""
    if config.getvalue("dist") == "loadfile":
        return ModulesThenBrowserTests(config, log)
    return None


def pytest_sessionstart(session):
    if os.environ.get("REQUIRE_POSTGRES") and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("REQUIRE_POSTGRES is set but DATABASE_URL does not point at PostgreSQL.")
    if os.environ.get("REQUIRE_SOFTHSM") and not shutil.which("softhsm2-util"):
        raise pytest.UsageError("REQUIRE_SOFTHSM is set but softhsm2 is not installed: the signing tests would be skipped.")
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


@pytest.fixture(autouse=True)
def cache_per_test():
    """Each test starts with an empty cache (login throttling, "mail server down"): the database
    cache empties itself with the test's transaction, a Redis cache (REDIS_URL) is emptied here."""
    yield
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    if not isinstance(caches["default"], DatabaseCache):
        caches["default"].clear()


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


def _demo_loaded():
    from accounts.models import User

    return User.objects.filter(username="vhxh").exists()


@pytest.fixture(scope="session")
def _demo_serialized(django_db_setup, django_db_blocker):
    """The demo data as loaded by django_db_setup, serialised the way Django's serialized_rollback
    restores it. Taken at most once per session, by the first transactional test."""
    with django_db_blocker.unblock():
        assert _demo_loaded(), "a transactional test emptied the database before the snapshot was taken"
        return connections["default"].creation.serialize_db_to_string()


@pytest.fixture(scope="module")
def demo_snapshot(_demo_serialized, django_db_blocker):
    """For modules of transactional tests marked `django_db(transaction=True, serialized_rollback=True)`:
    each test starts from the demo data (Django restores the snapshot before it and empties the
    database after it); when the module is done the data is put back once, for the tests after it.

    Module-scoped so that it is set up before the function-scoped database helper reads the snapshot."""
    connection = connections["default"]
    previous = getattr(connection, "_test_serialized_contents", None)
    connection._test_serialized_contents = _demo_serialized
    yield _demo_serialized
    with django_db_blocker.unblock():
        if not _demo_loaded():
            connection.creation.deserialize_db_from_string(_demo_serialized)
    if previous is None:
        del connection._test_serialized_contents
    else:
        connection._test_serialized_contents = previous


@pytest.fixture
def clock(monkeypatch):
    """A settable "now" for everything that asks django.utils.timezone (services, auto_now_add)."""
    from tests.helpers.workflow import aware

    class Clock:
        now = aware(2026, 6, 1, 8, 0)

        def set(self, *args):
            self.now = aware(*args)

    fixed = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fixed.now)
    return fixed


@pytest.fixture
def fail_rendering_for(monkeypatch):
    """Make the Word rendering inside `issue` fail for the given document ids."""
    import documents.rendering

    failing = set()
    original = documents.rendering.store_issued_file

    def store_issued_file(document, *args, **kwargs):
        if document.pk in failing:
            raise RuntimeError("Lỗi dựng tệp Word (giả lập)")
        return original(document, *args, **kwargs)

    monkeypatch.setattr(documents.rendering, "store_issued_file", store_issued_file)
    return failing


@pytest.fixture(autouse=True)
def digital_signing_only_when_marked(request, settings):
    """`sign` and `issue` are plain state changes in the tests, except those marked `signing`
    (real keys in SoftHSM2, a PDF from LibreOffice), so the other tests need neither."""
    settings.DIGITAL_SIGNING = bool(request.node.get_closest_marker("signing"))


@pytest.fixture(scope="session")
def _softhsm_dir(tmp_path_factory):
    """A SoftHSM2 token directory and demo CA for this session; skipped without softhsm2 unless
    REQUIRE_SOFTHSM is set."""
    from django.conf import settings as django_settings

    if not shutil.which("softhsm2-util") or not os.path.exists(django_settings.SOFTHSM2_MODULE):
        if os.environ.get("REQUIRE_SOFTHSM"):
            pytest.fail("REQUIRE_SOFTHSM is set but SoftHSM2 is not usable here.")
        pytest.skip("softhsm2 is not installed")
    directory = tmp_path_factory.mktemp("softhsm")
    django_settings.SIGNING_DEMO_DIR = directory
    django_settings.SIGNING_TRUST_ROOTS = [str(directory / "ca" / "ca.pem")]
    django_settings.SIGNING_CRLS = [str(directory / "ca" / "ca.crl")]
    django_settings.SIGNING_PINS = {**django_settings.SIGNING_PINS, "DEMO": "20262030"}
    # SoftHSM2 reads its configuration once, when the module is first loaded in this process.
    os.environ["SOFTHSM2_CONF"] = str(directory / "softhsm2.conf")
    return directory


@pytest.fixture
def signing_keys(_softhsm_dir, django_db_blocker):
    """Demo CA and keys (CHỈ DÙNG THỬ) in the session's SoftHSM2 token, created by the command
    `make run` uses. The token keeps its keys; the rows are made again after a transactional test
    emptied the database (the command is idempotent)."""
    from signatures.models import SigningKey

    with django_db_blocker.unblock():
        if not SigningKey.objects.filter(user__username="pct").exists():
            call_command("demo_signing_keys", verbosity=0)
    return _softhsm_dir
