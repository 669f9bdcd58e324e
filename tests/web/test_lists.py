"""Every list, page and API collection, is paginated and reads a constant number of queries at two
sizes: a few rows, then more than a page of each (documents, queues, audit trail, register,
notifications, incoming documents, deliveries, tokens, rounds, units of a round, evaluation)."""
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, User
from distribution.models import Delivery
from documents.models import RegisterEntry
from rounds.models import Notification
from tests.helpers.api import login
from tests.helpers.web import client_for
from tests.helpers.workflow import add_xom, demo, issued_plan, opened
from workflows.models import AuditEntry, Document, Kind

pytestmark = pytest.mark.django_db

WEB = {
    "vhxh": ["/van-ban/", "/van-ban/tra-cuu/", "/van-ban/tra-cuu/?trang=2&kind=unit_report", "/tham-dinh/",
             "/tham-dinh/?trang-thai=submitted&ky=2026-H1", "/van-ban/thong-bao/", "/van-ban/thong-bao/?trang-da-doc=2",
             "/theo-doi/?ky=2026-H1", "/theo-doi/?ky=2026-H1&trang-thai=draft&trang=2", "/theo-doi/danh-gia/?nam=2026",
             "/theo-doi/ky-bao-cao/", "/accounts/khoa-truy-cap/"],
    "tramyte": ["/van-ban/van-ban-den/", "/van-ban/van-ban-den/?chua-mo=1", "/van-ban/"],
    "vanthu": ["/van-thu/", "/van-thu/?trang-da-phat-hanh=2", "/van-thu/so-van-ban-di/?nam=2026", "/van-ban/{plan}/phat-hanh/"],
    "pct": ["/ky-duyet/", "/van-ban/"],
}
API = {
    "vhxh": ["/documents", "/documents?page=2&limit=10&kind=unit_report", "/documents/{plan}/history?limit=5",
             "/auth/tokens", "/periods", "/targets", "/periods/2026-H1/status?limit=10", "/evaluations/2026?limit=10"],
    "tramyte": ["/incoming?limit=10"],
    "vanthu": ["/register?year=2026&limit=10", "/documents/{plan}/deliveries?limit=10", "/documents?state=draft"],
}


def _count(get, url):
    with CaptureQueriesContext(connection) as captured:
        response = get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def _measure(clients, apis, plan):
    counts = {}
    for username, urls in WEB.items():
        for url in urls:
            counts[("web", username, url)] = _count(clients[username].get, url.format(plan=plan.pk))
    for username, urls in API.items():
        for url in urls:
            counts[("api", username, url)] = _count(apis[username].get, url.format(plan=plan.pk))
    return counts


def _grow(plan, batch):
    """More than a page of everything each list shows."""
    for code in ("2026-Y", "2027-H1", "2027-Y"):
        opened(code)
    add_xom(30)
    opened("2026-H1")  # the new xóm get their drafts too
    # Trạm Y tế keeps its own draft: its home page is measured with work waiting at both sizes (an
    # empty list shows the next period instead, other queries).
    drafts = list(Document.objects.filter(kind=Kind.UNIT_REPORT).exclude(unit__code="tramyte").order_by("pk"))
    Document.objects.filter(pk__in=[d.pk for d in drafts[:40]]).update(state="submitted")
    Document.objects.filter(pk__in=[d.pk for d in drafts[40:70]]).update(state="signed")
    Document.objects.filter(pk__in=[d.pk for d in drafts[70:100]]).update(state="issued")
    vhxh, tramyte = demo("vhxh"), demo("tramyte")
    AuditEntry.objects.bulk_create(
        [AuditEntry(document=plan, transition="submit", source="draft", target="submitted", actor=vhxh, version=1) for _ in range(30)]
    )
    RegisterEntry.objects.bulk_create(
        [RegisterEntry(commune=plan.commune, year=2026, sequence_key="", number=100 + i, symbol=f"{100 + i}/BC-UBND", type_abbreviation="BC",
                       issued_on=date(2026, 7, 1), excerpt=f"Báo cáo {i}", signer_name="Đào Hồng Thanh", document=doc)
         for i, doc in enumerate(drafts[100:160])]
    )
    Delivery.objects.bulk_create([Delivery(document=doc, unit=tramyte.unit, channel="internal") for doc in drafts[160:200] if doc.unit_id != tramyte.unit_id])
    units = [doc.unit for doc in drafts[200:240]]
    Delivery.objects.bulk_create([Delivery(document=plan, unit=unit, channel="internal") for unit in units
                                  if not Delivery.objects.filter(document=plan, unit=unit).exists()])
    for user in User.objects.filter(username__in=[*WEB, *API]):
        Notification.objects.bulk_create([Notification(user=user, kind="reminder", message=f"Nhắc {i}") for i in range(30)])
        Notification.objects.bulk_create([Notification(user=user, kind="reminder", message=f"Đã đọc {i}", read_at=plan.updated_at) for i in range(30)])
    ApiToken.objects.bulk_create([ApiToken(user=vhxh, key_hash=f"{batch}{i:063d}"[-64:]) for i in range(30)])


def test_every_list_reads_the_same_number_of_queries_at_two_sizes():
    opened("2026-H1")
    plan = issued_plan()
    clients = {u: client_for(u) for u in WEB}
    apis = {u: login(u) for u in API}
    for api in apis.values():
        api.get("/me")  # the first call records last_used_at; later calls do not write
    small = _measure(clients, apis, plan)
    _grow(plan, "a")
    large = _measure(clients, apis, plan)
    changed = {key: (small[key], large[key]) for key in small if small[key] != large[key]}
    assert not changed, changed
    assert max(large.values()) <= 30, large


def test_collections_are_paged_with_their_total():
    opened("2026-H1")
    plan = issued_plan()
    _grow(plan, "b")
    api = login("vhxh")
    body = api.get("/documents", limit=10, page=2).json()
    assert body["page"] == 2 and body["limit"] == 10 and len(body["items"]) == 10
    assert body["total"] == Document.objects.filter(commune=plan.commune).count()
    assert body["pages"] == -(-body["total"] // 10)
    assert api.get("/documents", page=body["pages"] + 1, limit=10).json()["items"] == []
    assert api.get("/documents", limit=101).status_code == 400  # at most 100 a page
    assert api.get("/documents", page=0).status_code == 400
    history = api.get(f"/documents/{plan.pk}/history", limit=5).json()
    assert len(history["items"]) == 5 and history["total"] > 30
    status = api.get("/periods/2026-H1/status", limit=10, page=3).json()
    assert len(status["units"]) == 10 and status["total"] > 30
    html = client_for("vhxh").get("/van-ban/tra-cuu/", {"kind": "unit_report"}).content.decode()
    assert "Trang 1/" in html and "kind=unit_report&amp;trang=2" in html


def test_openapi_documents_the_pages():
    document = login("vhxh").client.get("/api/v1/openapi.json").json()
    listing = document["paths"]["/api/v1/documents"]["get"]
    names = {p["name"]: p for p in listing["parameters"]}
    assert names["limit"]["schema"]["maximum"] == 100 and names["page"]["schema"]["minimum"] == 1
    page = document["components"]["schemas"]["DocumentPageOut"]
    assert {"items", "total", "page", "limit", "pages"} <= set(page["properties"])


def test_the_search_page_and_the_review_queue_name_the_people_of_their_rows_without_joining_them():
    """Their page query joins no person (PostgreSQL plans three more outer joins slower than it runs
    the query): workflows.queries.with_people reads the reviewer and the assignee of the page's rows
    in one query of its own, and the pages say the same."""
    from tests.helpers.office import colleague
    from tests.helpers.workflow import document_in

    hoa = colleague()
    document = document_in("unit_report", "under_review")
    Document.objects.filter(pk=document.pk).update(assignee=hoa, assignee_role="reviewer")
    reviewer = Document.objects.select_related("reviewer").get(pk=document.pk).reviewer
    for username, url in (("vhxh", "/van-ban/tra-cuu/"), ("vhxh2", "/tham-dinh/")):
        with CaptureQueriesContext(connection) as captured:
            page = client_for(username).get(url).content.decode()
        assert "Đang do Lê Thị Hoa xử lý" in page, url
        listed = [q["sql"] for q in captured if 'FROM "workflows_document"' in q["sql"] and "LIMIT" in q["sql"]]
        assert listed and not any('JOIN "accounts_user"' in sql for sql in listed), url
    assert (reviewer.full_name or reviewer.username) in page


def test_row_urls_are_what_reverse_gives_each_row_even_under_an_odd_prefix():
    from django.urls import get_script_prefix, reverse, set_script_prefix

    from web import presenters

    documents = list(Document.objects.order_by("pk")[:3])
    prefix = get_script_prefix()
    try:
        for script_prefix in (prefix, f"/{presenters._ID_MARK}/"):
            set_script_prefix(script_prefix)
            presenters.row_urls(documents, detail_url="van-ban:detail", review_url="tham-dinh:review")
            for document in documents:
                assert document.detail_url == reverse("van-ban:detail", args=[document.pk])
                assert document.review_url == reverse("tham-dinh:review", args=[document.pk])
    finally:
        set_script_prefix(prefix)
