"""API v1: tokens, Bearer and session authentication, login throttling, the OpenAPI document and
the offline docs page. `ApiClient` and `login` live in tests/helpers/api.py."""
import hashlib
import json

import pytest
from django.test import Client, override_settings

from accounts.models import ApiToken, User
from tests.helpers.api import PASSWORD, ApiClient, assert_error, login


@pytest.mark.django_db
def test_token_is_issued_and_only_its_hash_is_stored():
    response = ApiClient().post("/auth/token", {"username": "tramyte", "password": PASSWORD})
    assert response.status_code == 201
    token = response.json()["token"]
    assert len(token) >= 40
    stored = ApiToken.objects.get(user__username="tramyte")
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=token).exists()
    me = ApiClient(token).get("/me")
    assert me.status_code == 200
    assert me.json()["username"] == "tramyte"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


@pytest.mark.django_db
def test_wrong_password_is_401_in_vietnamese():
    body = assert_error(ApiClient().post("/auth/token", {"username": "tramyte", "password": "sai"}), 401)
    assert body["detail"] == "Tên đăng nhập hoặc mật khẩu không đúng."
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_token_request_validation_names_the_field():
    assert_error(ApiClient().post("/auth/token", {"username": "tramyte"}), 400, "password")
    assert_error(ApiClient().post("/auth/token", {"username": "", "password": "x"}), 400, "username")
    body = assert_error(ApiClient().client.post("/api/v1/auth/token", "{không phải json", content_type="application/json"), 400)
    assert "JSON" in body["detail"]


@pytest.mark.django_db
def test_nul_byte_in_username_is_a_failed_login_not_a_crash():
    assert_error(ApiClient().post("/auth/token", {"username": "tram\x00yte", "password": PASSWORD}), 401)


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=3)
def test_failed_logins_are_throttled_then_even_the_right_password_waits():
    client = ApiClient()
    for _ in range(3):
        assert client.post("/auth/token", {"username": "vhxh", "password": "sai"}).status_code == 401
    locked = client.post("/auth/token", {"username": "vhxh", "password": PASSWORD})
    body = assert_error(locked, 429)
    assert int(locked["Retry-After"]) > 0
    assert "quá nhiều lần" in body["detail"]
    assert "phút" in body["detail"]
    assert not ApiToken.objects.filter(user__username="vhxh").exists()


@pytest.mark.django_db
@override_settings(LOGIN_RATE_LIMIT=3)
def test_a_successful_login_resets_the_failure_count():
    client = ApiClient()
    for _ in range(2):
        client.post("/auth/token", {"username": "kinhte", "password": "sai"})
    assert client.post("/auth/token", {"username": "kinhte", "password": PASSWORD}).status_code == 201
    for _ in range(2):
        client.post("/auth/token", {"username": "kinhte", "password": "sai"})
    assert client.post("/auth/token", {"username": "kinhte", "password": PASSWORD}).status_code == 201


@pytest.mark.django_db
def test_missing_or_unknown_token_is_401_with_www_authenticate():
    for client in (ApiClient(), ApiClient("khong-ton-tai")):
        response = client.get("/me")
        body = assert_error(response, 401)
        assert "Bearer" in body["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_token_can_be_revoked_by_its_holder():
    api, other = login("tramyte"), login("tramyte")
    response = api.delete("/auth/token")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(api.get("/me"), 401)
    assert other.get("/me").status_code == 200  # only the token used is revoked
    assert_error(ApiClient().delete("/auth/token"), 401)


@pytest.mark.django_db
def test_revoking_from_a_browser_session_names_the_missing_header():
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="tramyte"))
    csrf = client.get("/api/v1/docs").cookies["csrftoken"].value
    assert_error(client.delete("/api/v1/auth/token", HTTP_X_CSRFTOKEN=csrf), 400, "Authorization")
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_token_of_a_deactivated_user_stops_working():
    api = login("tramyte")
    User.objects.filter(username="tramyte").update(is_active=False)
    assert_error(api.get("/me"), 401)


@pytest.mark.django_db
def test_browser_session_works_and_writes_need_csrf():
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="tramyte"))
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["username"] == "tramyte"
    body = {"kind": "unit_report", "period": "2026-H1"}
    refused = client.post("/api/v1/documents", json.dumps(body), content_type="application/json")
    assert assert_error(refused, 403)["detail"].startswith("Yêu cầu từ phiên đăng nhập trình duyệt thiếu mã CSRF")
    csrf = client.get("/api/v1/docs").cookies["csrftoken"].value
    created = client.post("/api/v1/documents", json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert created.status_code == 201, created.content
    assert created.json()["unit"] == "tramyte"


@pytest.mark.django_db
def test_openapi_document_describes_every_endpoint():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "API hệ thống văn bản"
    assert document["info"]["version"] == "1"
    paths = document["paths"]
    for path in (
        "/api/v1/auth/token",
        "/api/v1/me",
        "/api/v1/periods",
        "/api/v1/targets",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/documents/{id}/transitions/{name}",
        "/api/v1/documents/{id}/history",
        "/api/v1/documents/{id}/versions/{n}",
        "/api/v1/documents/{id}/diff",
        "/api/v1/documents/{id}/docx",
        "/api/v1/documents/{id}/pdf",
        "/api/v1/register",
        "/api/v1/periods/{code}/open",
        "/api/v1/documents/{id}/compile",
        "/api/v1/evaluations/{year}",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/documents/{id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/auth/token"]) == {"post", "delete"}
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert "409" in paths["/api/v1/documents/{id}"]["patch"]["responses"]
    assert "503" in paths["/api/v1/documents/{id}/pdf"]["get"]["responses"]
    assert {"BearerAuth", "SessionAuth"} <= set(document["components"]["securitySchemes"])


@pytest.mark.django_db
def test_openapi_document_is_built_once_per_process(monkeypatch):
    import ninja.main

    from api.api import api

    api.__dict__.pop("_openapi_schemas", None)  # as a new process starts
    builds = []
    build = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kwargs: builds.append(kwargs) or build(**kwargs))
    first = Client().get("/api/v1/openapi.json")
    second = Client().get("/api/v1/openapi.json")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(builds) == 1


@pytest.mark.django_db
def test_docs_page_works_offline_with_bundled_swagger_ui():
    client = Client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "API hệ thống văn bản" in html
    assert "/api/v1/openapi.json" in html
    # Nothing is loaded from another host: every script and stylesheet is served by this app.
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/api/v1/docs/assets/{asset}" in html
        response = client.get(f"/api/v1/docs/assets/{asset}")
        assert response.status_code == 200
        assert len(response.content) > 1000
    assert client.get("/api/v1/docs/assets/settings.py").status_code == 404
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404


PATH_EXAMPLES = {"id": "1", "n": "1", "name": "submit", "code": "2026-H1", "year": "2026"}


def _operations(document, secured):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if bool(operation.get("security")) == secured:
                url = path
                for key, value in PATH_EXAMPLES.items():
                    url = url.replace("{" + key + "}", value)
                yield method, url


@pytest.mark.django_db
def test_every_protected_operation_answers_401_without_credentials():
    client = Client()
    document = client.get("/api/v1/openapi.json").json()
    operations = list(_operations(document, secured=True))
    assert len(operations) >= 20
    for method, url in operations:
        response = getattr(client, method)(url, content_type="application/json")
        assert_error(response, 401)
    assert [url for _, url in _operations(document, secured=False)] == ["/api/v1/auth/token"]


@pytest.mark.django_db
def test_every_document_operation_names_a_bad_id():
    api = login("vhxh")
    document = api.client.get("/api/v1/openapi.json").json()
    operations = [(m, u) for m, u in _operations(document, secured=True) if "/documents/1" in u]
    assert len(operations) >= 10
    for method, url in operations:
        bad = url.replace("/documents/1", "/documents/x")
        if method == "get":
            response = api.client.get(bad, **api._headers())
        else:
            response = getattr(api.client, method)(bad, "{}", content_type="application/json", **api._headers())
        assert_error(response, 400, "id")
