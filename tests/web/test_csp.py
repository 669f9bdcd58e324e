"""Content-Security-Policy (issue 9, section 4): every kind of page sends the header, no page has
an inline script, and the one inline style (viewflow's theme colours) carries the request's nonce."""
import re

import pytest
from django.test import Client

from accounts.models import User
from tests.helpers.web import client_for, opened_report

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def policy_of(response):
    header = response.get("Content-Security-Policy")
    assert header, f"{response.status_code} {response.get('Content-Type')}: no Content-Security-Policy header"
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict(response):
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    if "text/html" in response.get("Content-Type", ""):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group(0)
        nonces = set(re.findall(r'<style[^>]*nonce="([^"]+)"', html))
        assert all(f"'nonce-{nonce}'" in policy["style-src"] for nonce in nonces)
        assert "<style>" not in html and '<style type="text/css">' not in html  # every <style> has the nonce
    return policy


def test_web_pages_send_the_policy():
    report = opened_report("tramyte")
    unit = client_for("tramyte")
    for path in ("/", "/van-ban/", f"/van-ban/{report.pk}/", f"/van-ban/{report.pk}/sua/", "/van-ban/tra-cuu/?q=y+te"):
        response = unit.get(path, follow=True)
        assert response.status_code == 200, path
        policy = assert_strict(response)
        assert any(v.startswith("'nonce-") for v in policy["style-src"]), path  # viewflow's theme <style>
    vhxh = client_for("vhxh")
    for path in ("/theo-doi/", "/theo-doi/chi-tieu/", "/theo-doi/danh-gia/", "/tham-dinh/"):
        assert_strict(vhxh.get(path))


def test_login_and_error_pages_send_the_policy():
    anonymous = Client()
    assert_strict(anonymous.get("/accounts/login/"))
    refused = client_for("tramyte").get("/tham-dinh/")
    assert refused.status_code == 403
    assert_strict(refused)
    missing = client_for("tramyte").get("/van-ban/999999/")
    assert missing.status_code == 404
    assert_strict(missing)
    csrf = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert csrf.status_code == 403
    assert_strict(csrf)


def test_a_server_error_page_sends_the_policy(monkeypatch):
    from web.views import queues

    def broken(self, request):
        raise RuntimeError("boom")

    monkeypatch.setattr(queues.RegisterView, "get", broken)
    client = client_for("vanthu")
    client.raise_request_exception = False
    response = client.get("/van-thu/so-van-ban-di/")
    assert response.status_code == 500
    assert_strict(response)
    assert "Hệ thống gặp lỗi" in response.content.decode()


def test_admin_and_api_pages_send_the_policy(client):
    assert_strict(Client().get("/admin/login/"))
    admin = Client()
    admin.force_login(User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("csp-admin", password="x" * 12))
    assert_strict(admin.get("/admin/"))
    assert_strict(admin.get("/admin/workflows/document/"))
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert_strict(docs)
    assert_strict(client.get("/api/v1/openapi.json"))
    assert_strict(client.get("/api/v1/documents"))  # 401 JSON
