"""Every page for every role: no 500, refusals are 403 with the reason, no English left on screen,
and lists run a constant number of queries whatever their size."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from plans.models import Period
from rounds.models import Notification
from rounds.services import open_round
from tests.helpers.web import client_for, opened_report
from workflows.models import Document, Kind

pytestmark = pytest.mark.django_db

ROLES = ["tramyte", "kinhte", "vhxh", "vanphong", "pct", "vanthu", "admin", "xom-01"]
# Who may open each application: the others get 403 with the application's reason.
REVIEWERS = {"vhxh", "vanphong", "admin"}
LEADERS = {"pct", "admin"}
CLERKS = {"vanthu", "admin"}
STAFF = {"vhxh", "vanphong", "pct", "vanthu", "admin"}  # Theo dõi, tổng hợp
EVERYONE = set(ROLES)
REASONS = {
    "/tham-dinh/": "Trang «Thẩm định» chỉ dành cho cán bộ thẩm định (Phòng Văn hóa - Xã hội, Văn phòng HĐND-UBND).",
    "/ky-duyet/": "Trang «Ký duyệt» chỉ dành cho lãnh đạo UBND xã (Chủ tịch, Phó Chủ tịch).",
    "/van-thu/": "Trang «Văn thư» chỉ dành cho văn thư của UBND xã.",
    "/theo-doi/": "Trang «Theo dõi, tổng hợp» dành cho cơ quan thường trực, cán bộ thẩm định, lãnh đạo UBND, văn thư và quản trị viên.",
    "/van-ban/": "Chỉ cán bộ soạn thảo của đơn vị soạn thảo mới được sửa văn bản này.",
}
# page -> the roles that get 200 (the others 403), or an explicit status per role.
PAGES = {
    "/van-ban/": EVERYONE,
    "/van-ban/tra-cuu/": EVERYONE,
    "/van-ban/tra-cuu/?q=chuyen+doi+so&kind=plan&state=draft": EVERYONE,
    "/van-ban/tra-cuu/?state=overdue&trang=99": EVERYONE,
    "/van-ban/thong-bao/": EVERYONE,
    "/tham-dinh/": REVIEWERS,
    "/ky-duyet/": LEADERS,
    "/van-thu/": CLERKS,
    "/van-thu/so-van-ban-di/": CLERKS,
    "/van-thu/so-van-ban-di/?nam=abc": CLERKS,
    "/theo-doi/": STAFF,
    "/theo-doi/?ky=2026-H1": STAFF,
    "/theo-doi/?ky=khong-co": STAFF,
    "/theo-doi/chi-tieu/?ky=2026-H1": STAFF,
    "/theo-doi/ky-bao-cao/": STAFF,
    "/theo-doi/danh-gia/": STAFF,
    "/theo-doi/danh-gia/?nam=2026": STAFF,
}
# Trạm Y tế's draft report and the plan document: other units do not even see them (404); the
# reviewers, the leaders and the văn thư see both; only the authoring unit edits the report.
NOT_SEEN_BY_OTHER_UNITS = {"kinhte": 404, "xom-01": 404}
DOCUMENT_PAGES = {
    "/van-ban/{report}/": {**{role: 200 for role in ROLES}, **NOT_SEEN_BY_OTHER_UNITS},
    "/van-ban/{plan}/": {**{role: 200 for role in ROLES}, **NOT_SEEN_BY_OTHER_UNITS, "tramyte": 404},
    "/tham-dinh/{report}/": {role: 200 if role in REVIEWERS else 403 for role in ROLES},
    "/ky-duyet/{plan}/": {role: 200 if role in LEADERS else 403 for role in ROLES},
    "/van-ban/{report}/sua/": {**{role: 403 for role in ROLES}, **NOT_SEEN_BY_OTHER_UNITS, "tramyte": 200},
    "/van-ban/999999/": {role: 404 for role in ROLES},
    "/khong-co-trang-nay/": {role: 404 for role in ROLES},
}


def expected_status(page, username):
    allowed = PAGES.get(page)
    if allowed is not None:
        return 200 if username in allowed else 403
    return DOCUMENT_PAGES[page][username]


def reason_for(url):
    return next(reason for prefix, reason in REASONS.items() if url.startswith(prefix))
# Strings viewflow or Django would show in English if a translation were missing.
ENGLISH = ["Applications", "Log out", "Logout", "Profile", ">Back<", "Log in", "No viewsets found", "To place content here",
           "Open navigation menu", "Access Forbidden", "Page not found", "Server error", "Django", "Viewflow"]


def visible_text(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    return html


@pytest.mark.parametrize("username", ROLES)
def test_every_page_answers_without_error_and_in_vietnamese(username):
    report = opened_report()
    client = client_for(username)
    plan = Document.objects.get(kind=Kind.PLAN)
    for page in [*PAGES, *DOCUMENT_PAGES]:
        url = page.format(report=report.pk, plan=plan.pk)
        response = client.get(url)
        assert response.status_code == expected_status(page, username), (username, url, response.status_code)
        html = visible_text(response.content.decode())
        assert '<html lang="vi"' in html, url
        for english in ENGLISH:
            assert english not in html, (username, url, english)
        if response.status_code == 403:
            assert reason_for(url) in html, (username, url, html[:500])


def test_applications_are_offered_by_role():
    menus = {}
    for username in ("tramyte", "vhxh", "pct", "vanthu", "admin"):
        html = client_for(username).get("/van-ban/").content.decode()
        menus[username] = {title for title in ("Thẩm định", "Ký duyệt", "Văn thư", "Theo dõi, tổng hợp") if f">{title}<" in html}
        assert "Ứng dụng" in html and "Việc cần xử lý" in html and "Tra cứu văn bản" in html
    assert menus["tramyte"] == set()
    assert menus["vhxh"] == {"Thẩm định", "Theo dõi, tổng hợp"}
    assert menus["pct"] == {"Ký duyệt", "Theo dõi, tổng hợp"}
    assert menus["vanthu"] == {"Văn thư", "Theo dõi, tổng hợp"}


def test_applications_refuse_other_roles_with_the_reason():
    cases = {
        "/tham-dinh/": "chỉ dành cho cán bộ thẩm định",
        "/ky-duyet/": "chỉ dành cho lãnh đạo UBND",
        "/van-thu/": "chỉ dành cho văn thư",
        "/theo-doi/": "dành cho cơ quan thường trực, cán bộ thẩm định, lãnh đạo UBND",
    }
    client = client_for("tramyte")
    for url, reason in cases.items():
        response = client.get(url)
        assert response.status_code == 403
        assert reason in response.content.decode()


def test_home_lists_exactly_what_waits_for_each_person():
    report = opened_report()
    html = client_for("tramyte").get("/van-ban/").content.decode()
    assert f"/van-ban/{report.pk}/sua/" in html
    # The reviewer has nothing of this unit's until it is submitted.
    assert f"/van-ban/{report.pk}/" not in client_for("vanphong").get("/van-ban/").content.decode()
    Document.objects.filter(pk=report.pk).update(state="submitted")
    assert f"/tham-dinh/{report.pk}/" in client_for("vhxh").get("/van-ban/").content.decode()
    assert f"/van-ban/{report.pk}/" not in client_for("tramyte").get("/van-ban/").content.decode()


def test_overdue_reports_are_badged():
    report = opened_report()
    Period.objects.filter(pk=report.period_id).update(deadline="2020-01-01")
    html = client_for("tramyte").get("/van-ban/").content.decode()
    assert "Quá hạn" in html


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx)


LIST_PAGES = {
    "vhxh": ["/van-ban/", "/van-ban/tra-cuu/", "/van-ban/tra-cuu/?q=chuyen+doi+so", "/tham-dinh/", "/theo-doi/?ky=2026-H1",
             "/theo-doi/chi-tieu/?ky=2026-H1", "/theo-doi/ky-bao-cao/", "/van-ban/thong-bao/", "/theo-doi/danh-gia/?nam=2026"],
    "pct": ["/ky-duyet/", "/van-ban/"],
    "vanthu": ["/van-thu/", "/van-thu/so-van-ban-di/"],
    "tramyte": ["/van-ban/", "/van-ban/tra-cuu/"],
}


def grow(vhxh_user):
    """Open more rounds, move reports along, add notifications: lists get longer."""
    for code in ("2026-H1", "2026-Y", "2027-H1"):
        open_round(Period.objects.get(code=code), vhxh_user)
    docs = Document.objects.filter(kind=Kind.UNIT_REPORT)
    Document.objects.filter(pk__in=list(docs.values_list("pk", flat=True)[:30])).update(state="submitted")
    for user in User.objects.all():
        Notification.objects.bulk_create([Notification(user=user, kind="reminder", message=f"Nhắc việc {i}") for i in range(5)])


def test_lists_run_a_constant_number_of_queries():
    vhxh = User.objects.get(username="vhxh")
    open_round(Period.objects.get(code="2026-H1"), vhxh)
    clients = {u: client_for(u) for u in LIST_PAGES}
    before = {(u, url): count_queries(clients[u], url) for u, urls in LIST_PAGES.items() for url in urls}
    grow(vhxh)
    for (u, url), n in before.items():
        after = count_queries(clients[u], url)
        assert after == n, f"{u} {url}: {n} queries before, {after} after adding documents"
        assert after <= 25, f"{u} {url}: {after} queries"


def test_inbox_query_budget(django_assert_max_num_queries):
    grow(User.objects.get(username="vhxh"))
    client = client_for("vhxh")
    # 17 for the home page: the session is read, not written (accounts.sessions writes it at most
    # once a minute); one reads the communes the user may read (tenancy); «Chờ xử lý» is read whole
    # and filtered by the four-eyes rule (three queries for who wrote what) before it is counted and
    # paged, whatever the number of documents; one counts the other tabs, one reads the units that
    # review, one the coordination requests waiting for the user's unit (phối hợp), two the unit's
    # next reporting period and who opens it (issue 14), and one the reviewers, signers and assignees
    # of the page's rows (left out of the list's query, which PostgreSQL plans faster).
    # 11 for the review queue, read whole and filtered by the four-eyes rule the same way.
    with django_assert_max_num_queries(17):
        assert client.get("/van-ban/").status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get("/tham-dinh/").status_code == 200


def test_notifications_panel_and_mark_as_read():
    tramyte = User.objects.get(username="tramyte")
    note = Notification.objects.create(user=tramyte, kind="reminder", message="Còn 3 ngày đến hạn nộp báo cáo")
    other = Notification.objects.create(user=User.objects.get(username="kinhte"), kind="reminder", message="Của đơn vị khác")
    client = client_for("tramyte")
    html = client.get("/van-ban/").content.decode()
    assert "Còn 3 ngày đến hạn nộp báo cáo" in html and "Của đơn vị khác" not in html
    assert 'web-badge--count">1<' in html
    assert client.post(f"/van-ban/thong-bao/{other.pk}/da-doc/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    response = client.post(f"/van-ban/thong-bao/{note.pk}/da-doc/", {"next": "/van-ban/"})
    assert response.status_code == 302 and response["Location"] == "/van-ban/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert "Còn 3 ngày đến hạn nộp báo cáo" not in client.get("/van-ban/").content.decode()
    Notification.objects.create(user=tramyte, kind="reminder", message="Một")
    Notification.objects.create(user=tramyte, kind="reminder", message="Hai")
    client.post("/van-ban/thong-bao/da-doc-het/")
    assert not Notification.objects.filter(user=tramyte, read_at__isnull=True).exists()
    # An outside "next" is ignored.
    response = client.post("/van-ban/thong-bao/da-doc-het/", {"next": "https://example.org/"})
    assert response["Location"] == "/"


JUNK = ["", "0", "-1", "abc", "9" * 30, "<script>", "' OR 1=1 --", "\x00", "đ" * 5000]


@pytest.mark.parametrize("username", ["tramyte", "vhxh", "pct", "vanthu"])
def test_junk_posted_to_every_form_never_gives_a_500(username):
    report = opened_report()
    period = Period.objects.get(code="2026-Y")
    client = client_for(username)
    targets = [
        f"/van-ban/{report.pk}/sua/",
        f"/van-ban/{report.pk}/thao-tac/",
        "/van-ban/tao-bao-cao/",
        "/van-ban/thong-bao/da-doc-het/",
        "/van-ban/thong-bao/999999/da-doc/",
        f"/theo-doi/ky-bao-cao/{period.pk}/mo-ky/",
        f"/theo-doi/ky-bao-cao/{period.pk}/tong-hop/",
    ]
    fields = ["version", "title", "transition", "comment", "expected_state", "period", "initiatives-total", "value-3.2",
              "section-results", "initiative-0-name", "evidence_target", "next", "action"]
    for url in targets:
        for junk in JUNK:
            response = client.post(url, {name: junk for name in fields})
            assert response.status_code < 500, (url, junk[:20], response.status_code)
    for junk in JUNK[:-1]:
        assert client.get("/van-ban/tra-cuu/", {"q": junk, "kind": junk, "period": junk, "unit": junk, "trang": junk}).status_code == 200
        assert client.get("/theo-doi/", {"ky": junk}).status_code == (200 if username in STAFF else 403)
