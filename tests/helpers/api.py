"""API v1 test helpers: a JSON client with a Bearer token, a demo user's token, and the error shape."""
import json
import secrets

from django.test import Client

from accounts.models import ApiToken, User
from api.auth import hash_token

PASSWORD = "demo2026"


class ApiClient:
    """JSON calls to /api/v1 with a Bearer token."""

    def __init__(self, token=None):
        self.client = Client()
        self.token = token

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, **self._headers())

    def send(self, method, path, body=None):
        data = json.dumps(body) if body is not None else ""
        return getattr(self.client, method)(f"/api/v1{path}", data, content_type="application/json", **self._headers())

    def post(self, path, body=None):
        return self.send("post", path, body)

    def patch(self, path, body=None):
        return self.send("patch", path, body)

    def delete(self, path):
        return self.client.delete(f"/api/v1{path}", **self._headers())

    def transition(self, document_id, name, comment="", **extra):
        return self.post(f"/documents/{document_id}/transitions/{name}", {"comment": comment, **extra})


def login(username):
    """A client holding a fresh token of this demo user.

    The token is stored the way POST /auth/token stores it (tested below) without hashing the
    password each time, which keeps the suite fast."""
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=User.objects.get(username=username), key_hash=hash_token(token))
    return ApiClient(token)


def assert_error(response, status, field=None):
    """The error shape every failure has: Vietnamese detail, errors keyed by field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert body["detail"].strip()
    if field:
        assert field in body["errors"], body
        assert all(message.strip() for message in body["errors"][field])
    return body
