"""Tokens and passwords: API tokens expire and die with the password or the account, a person sees
and revokes their own tokens (API and web page), changes their own password in the web app under
Django's validators (in Vietnamese), and a session ends after a working day without activity."""
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from api.auth import hash_token
from tests.helpers.api import PASSWORD, ApiClient, assert_error, login
from tests.helpers.workflow import aware

pytestmark = pytest.mark.django_db


def person(username="tramyte"):
    return User.objects.get(username=username)


def web_client(username="tramyte"):
    client = Client()
    client.force_login(person(username))
    return client


# --- tokens expire ------------------------------------------------------------------------------

def test_an_issued_token_says_when_it_expires_default_thirty_days():
    response = ApiClient().post("/auth/token", {"username": "tramyte", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.key_hash == hash_token(body["token"])
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert abs(stored.expires_at - expires) < timedelta(milliseconds=1)


def test_token_lifetime_is_a_setting(settings):
    settings.API_TOKEN_TTL_DAYS = 7
    body = ApiClient().post("/auth/token", {"username": "tramyte", "password": PASSWORD}).json()
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)


def test_an_expired_token_is_refused():
    api = login("tramyte")
    assert api.get("/me").status_code == 200
    ApiToken.objects.filter(key_hash=hash_token(api.token)).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(api.get("/me"), 401)


# --- tokens die with the password or the account ------------------------------------------------

def test_set_password_revokes_every_token_of_that_person_only():
    mine, other = login("tramyte"), login("vhxh")
    user = person()
    user.set_password("Mat-khau-moi-2026")
    user.save()
    assert_error(mine.get("/me"), 401)
    assert not ApiToken.objects.filter(user=user).exists()
    assert other.get("/me").status_code == 200


def test_deactivating_the_account_revokes_its_tokens():
    api = login("tramyte")
    user = person()
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    assert_error(api.get("/me"), 401)


def test_other_edits_and_a_hasher_upgrade_keep_the_tokens(settings):
    api = login("tramyte")
    user = person()
    user.full_name = "Trạm Y tế xã"
    user.save()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    # Logging in re-hashes the same password with a newer hasher; that is not a password change.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
    old_hash = person().password
    assert Client().post("/accounts/login/", {"username": "tramyte", "password": PASSWORD}).status_code == 302
    assert person().password != old_hash
    assert api.get("/me").status_code == 200


def test_an_administrator_changing_the_password_or_deactivating_revokes_tokens():
    admin = web_client("admin")
    target = person("kinhte")
    login("kinhte")
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = admin.post(url, {"password1": "Dien-Chau-2026!x", "password2": "Dien-Chau-2026!x", "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not ApiToken.objects.filter(user=target).exists()
    login("kinhte")
    target.refresh_from_db()
    response = admin.post(reverse("admin:accounts_user_change", args=[target.pk]), {
        "username": target.username, "full_name": target.full_name, "position": target.position, "email": target.email,
        "unit": target.unit_id, "commune": target.commune_id, "roles": target.roles,
        "last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00", "_save": "Lưu lại",
    })  # is_active unticked
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not User.objects.get(pk=target.pk).is_active
    assert not ApiToken.objects.filter(user=target).exists()


# --- a person sees and revokes their own tokens: API ---------------------------------------------

def test_listing_my_tokens_marks_the_current_one_and_hides_others_and_expired():
    api, second = login("tramyte"), login("tramyte")
    login("vhxh")
    stale = ApiToken.objects.create(user=person(), key_hash=hash_token(secrets.token_urlsafe(32)),
                                    expires_at=timezone.now() - timedelta(days=1))
    response = api.get("/auth/tokens")
    assert response.status_code == 200
    rows = response.json()["items"]
    current = ApiToken.objects.get(key_hash=hash_token(api.token))
    other = ApiToken.objects.get(key_hash=hash_token(second.token))
    assert {row["id"] for row in rows} == {current.pk, other.pk}
    assert stale.pk not in {row["id"] for row in rows}
    assert [row["current"] for row in rows if row["id"] == current.pk] == [True]
    assert [row["current"] for row in rows if row["id"] == other.pk] == [False]
    assert set(rows[0]) == {"id", "created_at", "last_used_at", "expires_at", "current"}
    assert all("token" not in row and "key_hash" not in row for row in rows)


def test_deleting_one_of_my_tokens_and_not_someone_elses():
    api, second = login("tramyte"), login("tramyte")
    theirs = login("vhxh")
    second_id = ApiToken.objects.get(key_hash=hash_token(second.token)).pk
    their_id = ApiToken.objects.get(key_hash=hash_token(theirs.token)).pk
    response = api.delete(f"/auth/tokens/{second_id}")
    assert response.status_code == 204
    assert_error(second.get("/me"), 401)
    assert api.get("/me").status_code == 200
    assert_error(api.delete(f"/auth/tokens/{their_id}"), 404)
    assert theirs.get("/me").status_code == 200
    assert_error(api.delete("/auth/tokens/x"), 400, "id")
    assert_error(ApiClient().get("/auth/tokens"), 401)


def test_token_endpoints_are_in_the_openapi_document():
    document = Client().get("/api/v1/openapi.json").json()
    listing = document["paths"]["/api/v1/auth/tokens"]["get"]
    assert listing["security"] and "200" in listing["responses"]
    deleting = document["paths"]["/api/v1/auth/tokens/{id}"]["delete"]
    assert {"204", "401", "404"} <= set(deleting["responses"])
    issued = document["components"]["schemas"]["TokenOut"]["properties"]
    assert issued["expires_at"]["format"] == "date-time"


# --- a person sees and revokes their own tokens: web page ----------------------------------------

def test_the_user_menu_links_to_password_change_and_tokens():
    html = web_client().get("/van-ban/").content.decode()
    assert 'href="/accounts/password_change/"' in html and "Đổi mật khẩu" in html
    assert 'href="/accounts/khoa-truy-cap/"' in html and "Khóa truy cập API" in html


def test_the_tokens_page_lists_and_revokes_with_csrf():
    api = login("tramyte")
    login("vhxh")
    token = ApiToken.objects.get(key_hash=hash_token(api.token))
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    client = Client(enforce_csrf_checks=True)
    client.force_login(person())
    page = client.get("/accounts/khoa-truy-cap/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Khóa truy cập API của tôi (1)" in html
    assert f"#{token.pk}" in html
    assert timezone.localtime(token.expires_at).strftime("%d/%m/%Y %H:%M") in html
    assert timezone.localtime(token.created_at).strftime("%d/%m/%Y") in html
    revoke = f"/accounts/khoa-truy-cap/{token.pk}/thu-hoi/"
    assert f'action="{revoke}"' in html
    assert client.post(revoke).status_code == 403  # no CSRF token
    assert ApiToken.objects.filter(pk=token.pk).exists()
    csrf = client.cookies["csrftoken"].value
    response = client.post(revoke, {"csrfmiddlewaretoken": csrf}, follow=True)
    assert response.status_code == 200
    assert "Đã thu hồi khóa truy cập." in response.content.decode()
    assert "Bạn không có khóa truy cập nào còn hiệu lực." in response.content.decode()
    assert_error(api.get("/me"), 401)


def test_someone_elses_token_cannot_be_revoked_from_the_page():
    theirs = ApiToken.objects.get(key_hash=hash_token(login("vhxh").token))
    response = web_client().post(f"/accounts/khoa-truy-cap/{theirs.pk}/thu-hoi/")
    assert response.status_code == 404
    assert "Không tìm thấy khóa truy cập này" in response.content.decode()
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_account_pages_need_a_login():
    for url in ("/accounts/password_change/", "/accounts/khoa-truy-cap/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- changing one's own password ------------------------------------------------------------------

def change(client, old, new, again=None):
    return client.post("/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": again or new})


def test_the_password_change_page_is_vietnamese():
    response = web_client().get("/accounts/password_change/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Đổi mật khẩu", "Mật khẩu hiện tại", "Mật khẩu mới", "Nhập lại mật khẩu mới", "ít nhất 8 ký tự"):
        assert text in html, text
    for english in ("Old password", "New password", "Password change", "Change my password"):
        assert english not in html


def test_a_password_like_the_username_or_all_digits_is_refused_in_vietnamese():
    client = web_client()
    response = change(client, PASSWORD, "tramyte2026")
    assert response.status_code == 400
    assert "Mật khẩu quá giống với" in response.content.decode()
    response = change(client, PASSWORD, "20262030405")
    assert response.status_code == 400
    assert "Mật khẩu này hoàn toàn là số." in response.content.decode()
    response = change(client, PASSWORD, "abc")
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in response.content.decode()
    assert person().check_password(PASSWORD)


def test_a_wrong_current_password_is_refused():
    response = change(web_client(), "sai", "Dien-Chau-2026!x")
    assert response.status_code == 400
    assert "Mật khẩu cũ" in response.content.decode()
    assert person().check_password(PASSWORD)


def test_changing_the_password_keeps_the_session_and_revokes_tokens():
    api = login("tramyte")
    client = web_client()
    response = change(client, PASSWORD, "Dien-Chau-2026!x")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Đã đổi mật khẩu." in page.content.decode()
    assert person().check_password("Dien-Chau-2026!x")
    assert_error(api.get("/me"), 401)
    assert Client().post("/accounts/login/", {"username": "tramyte", "password": "Dien-Chau-2026!x"}).status_code == 302


# --- office-length sessions ---------------------------------------------------------------------

def _session_writes(client, path):
    """The response to GET path, and the statements of that request that wrote the session table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")]
    return response, writes


def test_a_session_lasts_a_working_day_of_inactivity_and_activity_extends_it(clock):
    clock.set(2026, 6, 1, 8, 0)
    client = Client()
    response = client.post("/accounts/login/", {"username": "tramyte", "password": PASSWORD})
    assert response.status_code == 302
    assert int(response.cookies["sessionid"]["max-age"]) == 10 * 3600
    session = Session.objects.get(session_key=client.cookies["sessionid"].value)
    assert session.expire_date == aware(2026, 6, 1, 18, 0)
    # The pages of the next minute read the session and write nothing.
    clock.set(2026, 6, 1, 8, 0, 40)
    response, writes = _session_writes(client, "/van-ban/")
    assert response.status_code == 200 and writes == [] and "sessionid" not in response.cookies
    session.refresh_from_db()
    assert session.expire_date == aware(2026, 6, 1, 18, 0)
    # Nine hours later the person is still at work: the next page extends the session, row and cookie.
    clock.set(2026, 6, 1, 17, 0)
    response, writes = _session_writes(client, "/van-ban/")
    assert response.status_code == 200 and writes
    assert int(response.cookies["sessionid"]["max-age"]) == 10 * 3600
    session.refresh_from_db()
    assert session.expire_date == aware(2026, 6, 2, 3, 0)
    # After a working day without activity the session is over.
    clock.set(2026, 6, 2, 3, 0, 1)
    response = client.get("/van-ban/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_api_call_with_a_token_neither_reads_nor_extends_a_session(clock):
    clock.set(2026, 6, 1, 8, 0)
    api = login("tramyte")
    clock.set(2026, 6, 1, 17, 0)
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/me").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_session_idle_time_is_a_setting():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS == 10 * 3600
    assert settings.SESSION_REFRESH_SECONDS == 60
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)
