"""Login throttling on every door (web login, /admin/login/, POST /api/v1/auth/token) with
django-axes: per username-and-address pair, the client address read behind a configured number of
proxies, the unlock time shown in Vietnamese, and administrators unlocking in the admin."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken, FailedLogin, User
from tests.helpers.api import PASSWORD, assert_error

pytestmark = pytest.mark.django_db

WRONG = "sai-mat-khau"
UNLOCK_SENTENCE = re.compile(r"Hãy thử lại sau (\d\d:\d\d) \((\d+) phút nữa\) hoặc nhờ quản trị viên mở khóa\.")


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_RATE_LIMIT = 5
    settings.LOGIN_RATE_WINDOW_SECONDS = 900
    settings.TRUSTED_PROXY_COUNT = 0


def api_login(username, password, **extra):
    return Client().post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json", **extra
    )


def web_login(username, password, **extra):
    return Client().post("/accounts/login/", {"username": username, "password": password}, **extra)


def admin_login(username, password, **extra):
    return Client().post("/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}, **extra)


def test_api_lockout_says_when_to_try_again_in_vietnamese():
    for _ in range(5):
        assert_error(api_login("vhxh", WRONG), 401)
    locked = api_login("vhxh", PASSWORD)
    body = assert_error(locked, 429)
    assert body["detail"].startswith("Đăng nhập sai quá nhiều lần: bạn đã nhập sai mật khẩu 5 lần.")
    match = UNLOCK_SENTENCE.search(body["detail"])
    assert match, body["detail"]
    assert 14 <= int(match.group(2)) <= 15
    assert 800 < int(locked["Retry-After"]) <= 900
    assert not ApiToken.objects.filter(user__username="vhxh").exists()


def test_web_lockout_page_shows_the_unlock_time_and_the_last_failure_warns():
    for attempt in range(5):
        response = web_login("kinhte", WRONG)
        assert response.status_code == 400
    # The fifth wrong password already tells the person they are now locked.
    assert UNLOCK_SENTENCE.search(response.content.decode())
    response = web_login("kinhte", "demo2026")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Đăng nhập sai quá nhiều lần" in html and UNLOCK_SENTENCE.search(html)
    assert int(response["Retry-After"]) > 0


def test_admin_login_is_throttled_too():
    admin = User.objects.get(username="admin")
    admin.set_password("Quan-tri-2026!")
    admin.save()
    for _ in range(5):
        response = admin_login("admin", WRONG)
        assert response.status_code == 200 and "_auth_user_id" not in response.client.session
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "Quan-tri-2026!", "next": "/admin/"})
    assert response.status_code == 429
    html = response.content.decode()
    assert 'lang="vi"' in html and UNLOCK_SENTENCE.search(html)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_lockout_is_per_username_and_address_not_per_address():
    for _ in range(5):
        assert_error(api_login("ten-bia-dat", WRONG), 401)
    assert_error(api_login("ten-bia-dat", WRONG), 429)
    # Colleagues behind the same address still sign in, on every door.
    assert api_login("tramyte", PASSWORD).status_code == 201
    assert web_login("vhxh", "demo2026").status_code == 302
    # The same name from another address is not locked either.
    assert_error(api_login("ten-bia-dat", WRONG, REMOTE_ADDR="10.0.0.9"), 401)


def test_the_doors_share_one_count():
    for login in (api_login, web_login, admin_login, api_login, web_login):
        login("vanthu", WRONG)
    assert_error(api_login("vanthu", "demo2026"), 429)
    assert web_login("vanthu", "demo2026").status_code == 429


def test_a_forged_forwarded_for_header_is_ignored_without_trusted_proxies():
    for i in range(5):
        api_login("pct", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    assert_error(api_login("pct", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7"), 429)
    assert FailedLogin.objects.get(username="pct").ip_address == "127.0.0.1"


def test_behind_trusted_proxies_the_client_is_read_from_forwarded_for(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The client forged the first entry; proxy 1 appended the real client, proxy 2 appended proxy 1.
    via = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.5, 10.0.0.1"}
    for _ in range(5):
        assert_error(api_login("pct", WRONG, **via), 401)
    assert set(FailedLogin.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert_error(api_login("pct", PASSWORD, **via), 429)
    # Another person behind the same proxies, with their own address, is not affected.
    other = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.6, 10.0.0.1"}
    assert api_login("pct", PASSWORD, **other).status_code == 201
    # Changing the forged part does not escape the lock.
    forged = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.5, 10.0.0.1"}
    assert_error(api_login("pct", PASSWORD, **forged), 429)
    # A request that did not pass through both proxies is counted under the address that sent it.
    assert_error(api_login("pct", WRONG, REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="203.0.113.5"), 401)
    assert FailedLogin.objects.filter(ip_address="10.0.0.3").exists()


def test_a_successful_login_forgets_the_pairs_failures():
    for _ in range(4):
        api_login("kinhte", WRONG)
    assert api_login("kinhte", "demo2026").status_code == 201
    assert not FailedLogin.objects.filter(username="kinhte").exists()


def test_an_administrator_unlocks_in_the_admin_in_vietnamese():
    for _ in range(5):
        api_login("vhxh", WRONG)
    assert_error(api_login("vhxh", PASSWORD), 429)
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    index = admin.get(reverse("admin:index")).content.decode()
    assert "Đăng nhập sai (khóa tạm thời)" in index
    url = reverse("admin:accounts_failedlogin_changelist")
    html = admin.get(url).content.decode()
    for label in ("Tên đăng nhập đã nhập", "Địa chỉ", "Số lần sai", "Lần sai gần nhất", "Trạng thái", "Đang khóa đến",
                  "Mở khóa: cho phép đăng nhập lại ngay"):
        assert label in html, label
    for english in ("Attempt Time", "Failed Logins", "IP Address", "User Agent", "Locked Out", "access attempt"):
        assert english not in html, english
    record = FailedLogin.objects.get(username="vhxh")
    detail = admin.get(reverse("admin:accounts_failedlogin_change", args=[record.pk])).content.decode()
    assert "«vhxh» từ 127.0.0.1" in detail and "Trang đăng nhập" in detail
    response = admin.post(url, {"action": "unlock", "_selected_action": [record.pk]}, follow=True)
    assert "Đã mở khóa 1 cặp tên đăng nhập và địa chỉ." in response.content.decode()
    assert api_login("vhxh", PASSWORD).status_code == 201


def test_limits_come_from_settings(settings):
    settings.LOGIN_RATE_LIMIT = 2
    settings.LOGIN_RATE_WINDOW_SECONDS = 120
    for _ in range(2):
        assert_error(api_login("vhxh", WRONG), 401)
    locked = api_login("vhxh", PASSWORD)
    assert "nhập sai mật khẩu 2 lần" in assert_error(locked, 429)["detail"]
    assert int(locked["Retry-After"]) <= 120
