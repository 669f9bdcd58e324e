"""Login page in Vietnamese, throttled failures, logout by POST, anonymous users sent to login."""
import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_throttle():
    cache.clear()
    yield
    cache.clear()


def test_login_page_is_vietnamese():
    response = Client().get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html
    for english in ("Log in", "Username", "Password", "Reset password", "Viewflow"):
        assert english not in html


def test_anonymous_user_is_sent_to_login():
    for url in ("/", "/van-ban/", "/tham-dinh/", "/van-ban/1/"):
        response = Client().get(url, follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/")
        assert response.status_code == 200


def test_login_with_the_demo_password_opens_the_inbox():
    client = Client()
    response = client.post("/accounts/login/", {"username": "tramyte", "password": "demo2026"}, follow=True)
    assert response.status_code == 200
    assert "Việc cần xử lý" in response.content.decode()


def test_wrong_password_is_refused_in_vietnamese_and_keeps_the_username():
    response = Client().post("/accounts/login/", {"username": "tramyte", "password": "sai"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    assert 'value="tramyte"' in html


def test_failed_logins_are_rate_limited(settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "kinhte", "password": "sai"}).status_code == 400
    # Even the right password is refused while locked, with the reason.
    response = client.post("/accounts/login/", {"username": "kinhte", "password": "demo2026"})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_successful_login_resets_the_counter(settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(2):
        client.post("/accounts/login/", {"username": "kinhte", "password": "sai"})
    assert client.post("/accounts/login/", {"username": "kinhte", "password": "demo2026"}).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(2):
        assert client.post("/accounts/login/", {"username": "kinhte", "password": "sai"}).status_code == 400
    assert client.post("/accounts/login/", {"username": "kinhte", "password": "demo2026"}).status_code == 302


def test_logout_is_post_only():
    client = Client()
    client.post("/accounts/login/", {"username": "tramyte", "password": "demo2026"})
    assert client.get("/accounts/logout/").status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
