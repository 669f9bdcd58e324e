"""The production path (issue 10): a bare clone's tests, the secret key file, collectstatic and
gunicorn with DEBUG off over plain http, Vietnamese error pages, 503 when the database is lost,
SQLite writers that wait, and a bounded PostgreSQL connection pool under load."""
import json
import os
import re
import stat
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.http import Http404
from django.test import Client, RequestFactory, override_settings
from django.views import defaults

from config.middleware import DATABASE_UNAVAILABLE, unavailable_response
from tests.helpers.parallel import postgres_only
from tests.helpers.production import Browser, gunicorn, production_env, python
from tests.helpers.seed import SEED

ADMIN_PASSWORD = "Mat-khau-quan-tri-2026"
SETUP = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("createcachetable")
call_command("collectstatic", interactive=False, verbosity=0)
"""
USERS = f"""
from accounts.models import User
User.objects.create_superuser("quantri", "quantri@example.org", "{ADMIN_PASSWORD}")
User.objects.create_user("khach", "khach@example.org", "{ADMIN_PASSWORD}")  # no unit, no role
"""


# --- a bare clone ---------------------------------------------------------------------------
def test_seed_text_lives_in_the_repository():
    root = Path(settings.BASE_DIR).resolve()
    assert SEED.resolve().is_relative_to(root), SEED
    assert "KẾ HOẠCH" in SEED.read_text(encoding="utf-8")


# --- the secret key -------------------------------------------------------------------------
def test_secret_key_is_generated_once_into_an_ignored_file(tmp_path):
    env = production_env(tmp_path)
    show = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    first = python(env, show).strip()
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert python(env, show).strip() == first  # the same key on every later run
    # The environment wins over the file.
    given = "k" * 60
    assert python({**env, "SECRET_KEY": given}, show).strip() == given


def test_deployment_defaults_stay_strict_and_make_run_switches_https_off(tmp_path):
    show = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps([s.DEBUG, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS]))"
    )
    assert json.loads(python(production_env(tmp_path), show)) == [False, False, False, False, 0]
    strict = {k: v for k, v in production_env(tmp_path).items() if k != "HTTPS"}
    assert json.loads(python(strict, show)) == [False, True, True, True, 31536000]


# --- error pages ----------------------------------------------------------------------------
@pytest.fixture
def anonymous_request():
    request = RequestFactory().get("/khong-co-trang-nay/")
    request.user = AnonymousUser()
    request.session = {}
    return request


@override_settings(DEBUG=False)
def test_error_pages_are_vietnamese_and_need_no_database(anonymous_request):
    """No django_db mark: any query while rendering would fail the test."""
    pages = {
        404: (defaults.page_not_found(anonymous_request, Http404()), "Không tìm thấy trang"),
        403: (defaults.permission_denied(anonymous_request, PermissionDenied("Không có quyền.")), "Bạn chưa đăng nhập"),
        500: (defaults.server_error(anonymous_request), "Hệ thống gặp lỗi"),
        503: (unavailable_response(anonymous_request), DATABASE_UNAVAILABLE),
    }
    for status, (response, text) in pages.items():
        body = response.content.decode()
        assert response.status_code == status
        assert 'lang="vi"' in body and text in body, (status, body[:500])


# --- a lost database ------------------------------------------------------------------------
def lost_database():
    """Every query fails the way psycopg/sqlite3 fail when the server is gone."""
    return mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("connection refused"))


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_lost_database_answers_503_in_vietnamese_never_a_debug_page(debug):
    from accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="tramyte"))
    with override_settings(DEBUG=debug), lost_database():
        page = client.get("/van-ban/")  # the session lookup fails in a middleware, before any view
        api = client.get("/api/v1/me")
    assert page.status_code == 503 and page["Retry-After"]
    body = page.content.decode()
    assert DATABASE_UNAVAILABLE in body and len(body) < 5000 and "Traceback" not in body
    assert api.status_code == 503 and api.json() == {"detail": DATABASE_UNAVAILABLE, "errors": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
def test_database_lost_inside_a_view_or_api_operation_answers_503(debug):
    from accounts.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="tramyte"))
    real_execute = CursorWrapper.execute

    def lost_when_reading_documents(self, sql, params=None):
        if "workflows_document" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return real_execute(self, sql, params)

    with override_settings(DEBUG=debug), mock.patch.object(CursorWrapper, "execute", lost_when_reading_documents):
        page = client.get("/van-ban/")
        api = client.get("/api/v1/documents")
    assert page.status_code == 503 and DATABASE_UNAVAILABLE in page.content.decode()
    assert api.status_code == 503 and api.json()["detail"] == DATABASE_UNAVAILABLE


# --- the production server on SQLite -------------------------------------------------------
@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """`make run`'s stack on a fresh SQLite database: migrate, collectstatic, one administrator."""
    var = tmp_path_factory.mktemp("production")
    env = production_env(var)
    # The commands `make run` runs, in one process: each Python start-up costs a couple of seconds.
    python(env, SETUP + USERS)
    with gunicorn(env, workers=3) as base:
        yield base, env


def login(base, username="quantri"):
    browser = Browser(base)
    status, _, body = browser.request("/accounts/login/")
    assert status == 200, body[:2000]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"username": username, "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token})
    status, headers, body = browser.request("/accounts/login/", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, body[:2000]
    return browser


def test_collectstatic_writes_the_manifest_and_every_asset_of_the_login_page_is_served(production_site):
    base, env = production_site
    manifest = json.loads((Path(env["VAR_DIR"]) / "static" / "staticfiles.json").read_text())
    assert "viewflow/fonts/roboto/roboto-fontface.css" in manifest["paths"]
    browser = Browser(base)
    status, _, body = browser.request("/accounts/login/")
    assert status == 200 and "Đăng nhập".encode() in body
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', body)
    assert len(assets) >= 5
    for asset in assets:
        status, headers, content = browser.request(asset.decode())
        assert status == 200 and content, asset
        assert "max-age" in headers.get("Cache-Control", ""), asset  # hashed names: cached for good
    # The fonts the stylesheets point at are there too.
    status, _, css = browser.request("/static/" + manifest["paths"]["viewflow/fonts/roboto/roboto-fontface.css"])
    font = re.search(rb"url\(['\"]?([^'\")]+\.woff2)", css).group(1).decode()
    font_url = urllib.parse.urljoin("/static/" + manifest["paths"]["viewflow/fonts/roboto/roboto-fontface.css"], font)
    assert browser.request(font_url)[0] == 200


def test_login_over_plain_http_works_and_every_worker_shares_the_session(production_site):
    base, env = production_site
    browser = login(base)
    session = browser.cookie("sessionid")
    assert session is not None and not session.secure
    # Three workers, one generated key: the session is valid whichever worker answers.
    for _ in range(12):
        status, _, body = browser.request("/admin/")
        assert status == 200 and "Quản trị".encode() in body
    assert len((Path(env["VAR_DIR"]) / "secret_key").read_text().strip()) >= 50


def test_production_404_and_403_pages_are_vietnamese(production_site):
    base, _ = production_site
    status, _, body = Browser(base).request("/khong-co-trang-nay/")
    assert status == 404 and "Không tìm thấy trang".encode() in body and b"Django" not in body
    browser = login(base, "khach")
    status, _, body = browser.request("/ky-duyet/")  # a user without a role is not a signer
    assert status == 403 and "Không được phép".encode() in body


def test_production_server_with_its_database_gone_answers_503(tmp_path, production_site):
    _, site_env = production_site
    env = production_env(
        tmp_path, DATABASE_URL="postgres://congvan@127.0.0.1:9/congvan", DB_POOL_TIMEOUT=1,
        STATIC_ROOT=Path(site_env["VAR_DIR"]) / "static",
    )
    with gunicorn(env, workers=1, threads=2) as base:
        status, headers, body = Browser(base).request("/van-ban/", headers={"Cookie": "sessionid=phien-khong-ton-tai"})
        assert status == 503 and DATABASE_UNAVAILABLE.encode() in body and headers["Retry-After"]
        status, _, body = Browser(base).request("/api/v1/me", headers={"Authorization": "Bearer khong-hop-le"})
        assert status == 503 and json.loads(body) == {"detail": DATABASE_UNAVAILABLE, "errors": {}}


# --- SQLite: parallel writers wait ----------------------------------------------------------
PARALLEL_WRITES = """
import django, threading
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(cursor.fetchone()[0])
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
errors = []
barrier = threading.Barrier(8)
def work():
    barrier.wait()
    try:
        for _ in range(25):
            # Read, then write: two such transactions deadlock in SQLite's default (DEFERRED) mode.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter")
                n = cursor.fetchone()[0]
                cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=work) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(cursor.fetchone()[0])
print(errors)
"""


def test_sqlite_parallel_writers_wait_instead_of_failing(tmp_path):
    journal, total, errors = python(production_env(tmp_path), PARALLEL_WRITES).split("\n")[:3]
    assert errors == "[]"
    assert journal == "wal" and total == "200"


# --- PostgreSQL: the connection pool bounds the server's connections -------------------------
@postgres_only
@pytest.mark.django_db  # the server reads the test database; this test only watches it
def test_connections_stay_bounded_under_100_parallel_requests(tmp_path):
    import psycopg

    workers, threads, pool = 2, 4, 2
    bound = workers * pool
    name = settings.DATABASES["default"]["NAME"]
    url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    database_url = url._replace(path=f"/{name}", query="application_name=congvan-pool-test").geturl()
    env = production_env(tmp_path, DATABASE_URL=database_url, DB_POOL_MAX_SIZE=pool, DB_POOL_TIMEOUT=30)
    settings_dict = settings.DATABASES["default"]
    observer = psycopg.connect(
        host=settings_dict["HOST"], port=settings_dict["PORT"] or 5432, user=settings_dict["USER"],
        password=settings_dict["PASSWORD"], dbname=name, autocommit=True,
    )
    counts, done = [], threading.Event()

    def count():
        return observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = 'congvan-pool-test'", [name]
        ).fetchone()[0]

    def watch():
        while not done.is_set():
            counts.append(count())
            time.sleep(0.02)

    with gunicorn(env, workers=workers, threads=threads) as base:
        watcher = threading.Thread(target=watch)
        watcher.start()

        def hit(i):
            # A session cookie: every request looks the session up in the database.
            return Browser(base).request("/van-ban/", headers={"Cookie": f"sessionid=khong-ton-tai-{i}"})[0]

        try:
            with ThreadPoolExecutor(100) as pool_:
                statuses = list(pool_.map(hit, range(100)))
        finally:
            done.set()
            watcher.join()
        after = count()
    observer.close()
    assert statuses == [302] * 100
    assert max(counts) >= 1  # the watcher saw the server's connections
    assert max(counts) <= bound and after <= bound, (max(counts), after, bound)
