"""GET /healthz: no login, JSON, no secrets; 200 while the database answers, 503 when it does not;
the task queue says "inline" without REDIS_URL and "error" (still 200) when Redis is down."""
import pytest
from django.db import OperationalError, connections
from django.test import Client

pytestmark = pytest.mark.django_db


def health(**extra):
    response = Client().get("/healthz", **extra)
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    return response, response.json()


def test_healthz_answers_without_login_and_names_each_check(settings):
    settings.SOFFICE_PATH = "/khong/co/soffice"
    response, body = health()
    assert response.status_code == 200
    assert body["status"] == "degraded"  # LibreOffice is missing: PDFs cannot be made
    checks = body["checks"]
    assert checks["database"]["status"] == "ok" and checks["database"]["essential"] is True
    assert checks["task_queue"]["status"] == "inline" and "REDIS_URL" in checks["task_queue"]["detail"]
    assert checks["libreoffice"]["status"] == "missing" and "libreoffice-writer-nogui" in checks["libreoffice"]["detail"]
    assert all(isinstance(c["ms"], int) for c in checks.values())


def test_healthz_is_ok_when_everything_is_there(settings, tmp_path):
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\n")
    soffice.chmod(0o755)
    settings.SOFFICE_PATH = str(soffice)
    response, body = health()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["detail"] == "Hệ thống hoạt động bình thường."


def test_healthz_is_503_when_the_database_is_down(monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 10.0.0.5 failed: password authentication failed")

    monkeypatch.setattr(connections["default"], "cursor", refused)
    response, body = health()
    assert response.status_code == 503 and body["status"] == "error"
    assert body["checks"]["database"]["status"] == "error"
    assert "OperationalError" in body["checks"]["database"]["detail"]
    assert "10.0.0.5" not in response.content.decode() and "password" not in response.content.decode()


def test_healthz_reports_an_unreachable_redis_without_revealing_its_address(settings):
    settings.REDIS_URL = "redis://:s3cret@127.0.0.1:1/0"
    settings.HEALTHZ_WORKER_TIMEOUT = 0.5
    response, body = health()
    assert response.status_code == 200  # the database is fine: still serving
    assert body["status"] == "degraded" and body["checks"]["task_queue"]["status"] == "error"
    assert "Redis" in body["checks"]["task_queue"]["detail"]
    assert "s3cret" not in response.content.decode() and "127.0.0.1:1" not in response.content.decode()


def test_healthz_is_exempt_from_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/healthz").status_code == 200  # plain http, no redirect: the database is up
    assert Client().get("/accounts/login/").status_code == 301
