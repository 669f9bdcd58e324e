"""GET /api/v1/worklists and /worklists/{tab}: the home page's four lists through the API, with the
same selectors (workflows.worklists): counts, pagination (page, limit up to 100, total count), the
Theo dõi filters, refusals, constant queries, and the OpenAPI document."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers.api import assert_error, login
from tests.helpers.workflow import add_xom, opened, run, submit

pytestmark = pytest.mark.django_db


def test_tabs_and_counts_follow_a_submitted_report(clock):
    h1 = opened("2026-H1")
    report = submit(h1, "tramyte")
    unit = login("tramyte")
    assert unit.get("/worklists").json() == [
        {"tab": "cho-xu-ly", "label": "Chờ xử lý", "count": 0},
        {"tab": "da-xu-ly", "label": "Đã xử lý", "count": 0},
        {"tab": "da-trinh", "label": "Đã trình / đã gửi", "count": 1},
    ]
    body = unit.get("/worklists/da-trinh").json()
    assert body["total"] == 1 and body["page"] == 1 and body["limit"] == 25 and body["pages"] == 1
    item = body["items"][0]
    assert item["id"] == report.pk and item["state"] == "submitted" and item["my_transition"] == "submit"
    assert item["holder"].startswith("Chờ Phòng Văn hóa") and item["deadline"] == "2026-06-19"

    reviewer = login("vhxh")
    waiting = reviewer.get("/worklists/cho-xu-ly").json()
    assert report.pk in [d["id"] for d in waiting["items"]]
    run(report, ("vhxh", "start_review"), ("vhxh", "approve"))
    handled = reviewer.get("/worklists/da-xu-ly").json()
    assert [(d["id"], d["my_transition"]) for d in handled["items"]] == [(report.pk, "approve")]
    assert unit.get("/worklists/da-trinh").json()["items"][0]["holder"] == "Đã duyệt, hoàn thành"


def test_monitoring_filters_pagination_and_refusals(clock):
    h1 = opened("2026-H1")
    submit(h1, "kinhte")
    leader = login("pct")
    everything = leader.get("/worklists/theo-doi", limit=10).json()
    assert everything["total"] >= 26 and len(everything["items"]) == 10 and everything["pages"] == -(-everything["total"] // 10)
    second = leader.get("/worklists/theo-doi", limit=10, page=2).json()
    assert not {d["id"] for d in second["items"]} & {d["id"] for d in everything["items"]}
    assert leader.get("/worklists/theo-doi", page=999).json()["items"] == []
    filtered = leader.get("/worklists/theo-doi", unit="kinhte", state="submitted", kind="unit_report", period="2026-H1").json()
    assert [d["unit"] for d in filtered["items"]] == ["kinhte"] and filtered["total"] == 1
    clock.set(2026, 6, 25, 8, 0)  # after the deadline of 2026-H1 (19/06), the token still valid
    overdue = leader.get("/worklists/theo-doi", state="overdue", limit=100).json()
    assert overdue["total"] == 24 and all(d["overdue"] for d in overdue["items"])

    assert_error(login("tramyte").get("/worklists/theo-doi"), 403)
    assert_error(leader.get("/worklists/theo-doi", limit=101), 400, "limit")
    assert_error(leader.get("/worklists/theo-doi", page=0), 400, "page")
    assert_error(leader.get("/worklists/theo-doi", state="issued"), 400, "state")
    assert_error(leader.get("/worklists/khong-co"), 400, "tab")
    assert login("tramyte").client.get("/api/v1/worklists").status_code == 401


def test_a_page_runs_the_same_queries_whatever_the_length(clock):
    h1 = opened("2026-H1")
    submit(h1, "tramyte")
    api = login("vhxh")
    api.get("/worklists")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        assert api.get("/worklists/theo-doi").status_code == 200
    add_xom(20)
    h1 = opened("2026-H1")
    for index in range(20):
        submit(h1, f"xom-moi-{index}")
    with CaptureQueriesContext(connection) as many:
        assert api.get("/worklists/theo-doi", limit=100).json()["total"] > 40
    assert len(many) == len(few)


def test_the_worklists_are_in_the_openapi_document():
    schema = login("vhxh").client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/worklists/{tab}"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["tab"]["schema"]["enum"] == ["cho-xu-ly", "da-xu-ly", "da-trinh", "theo-doi"]
    assert params["limit"]["schema"]["maximum"] == 100
    assert "/api/v1/worklists" in schema["paths"]
