"""One read function per screen: the web page, the REST API and the Excel/CSV exports of a screen
show the same data (rounds.selectors, documents.selectors), with a constant number of queries."""
import csv
import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from organizations.models import Unit
from rounds.compile import create_summary
from rounds.freshness import freshness, freshness_many
from workflows.services import perform_transition

from tests.helpers.api import login
from tests.helpers.web import client_for
from tests.helpers.workflow import (
    add_xom,
    approve,
    demo,
    fill,
    issue,
    issued_plan,
    new_unit_report,
    opened,
    period,
    report_of,
    signed_summary_report,
    submit,
)

pytestmark = pytest.mark.django_db


def _rows_of(html, marker="data-unit"):
    """{unit code: row html} of a table whose rows carry data-unit."""
    return dict(re.findall(rf'<tr {marker}="([^"]+)">(.*?)</tr>', html, re.S))


def _text(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def _sheet_rows(content):
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(min_row=2, values_only=True))


# --- Tình hình nộp báo cáo ---------------------------------------------------------------------

def _mixed_round(clock):
    """2026-H1 (deadline 19/06/2026), seen on 30/06/2026:
    xom-01 submitted on time (10/06), returned, resubmitted late (25/06): ON TIME, returned once;
    xom-02 first submitted late (25/06): late; xom-03 submitted on time, withdrew, resubmitted
    late: late (the unit took its submission back); tramyte approved on time; the rest never submit."""
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    clock.set(2026, 6, 10, 8, 0)
    document = submit(h1, "xom-01")
    perform_transition(document.pk, demo("vhxh"), "start_review")
    perform_transition(document.pk, demo("vhxh"), "return", "Bổ sung minh chứng.")
    approve(h1, "tramyte")
    document = submit(h1, "xom-03")
    perform_transition(document.pk, demo("xom-03"), "withdraw")
    clock.set(2026, 6, 25, 8, 0)
    fill(h1, "xom-01", sections={"results": "Đã bổ sung minh chứng."})
    perform_transition(report_of(h1, "xom-01").pk, demo("xom-01"), "submit")
    submit(h1, "xom-02")
    perform_transition(report_of(h1, "xom-03").pk, demo("xom-03"), "submit")
    clock.set(2026, 6, 30, 8, 0)
    return period("2026-H1")


def _status_from_page(html):
    """{unit: (date shown, verdict shown, returns)} from the matrix page."""
    out = {}
    for code, row in _rows_of(html).items():
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        submitted, verdict, returns = (_text(c) for c in cells[-3:])
        out[code] = (None if submitted == "—" else submitted, verdict, int(returns))
    return out


def _verdict(submitted_late, overdue, on_time):
    return "Quá hạn" if overdue else "Nộp muộn" if submitted_late else "Đúng hạn" if on_time else "—"


def test_page_api_and_exports_agree_on_the_round_status(clock):
    h1 = _mixed_round(clock)
    units = {u.name: u.code for u in Unit.objects.all()}
    page = _status_from_page(client_for("pct").get("/theo-doi/", {"ky": "2026-H1"}).content.decode())
    body = login("pct").get("/periods/2026-H1/status").json()
    api = {
        row["unit_code"]: (
            date.fromisoformat(row["submitted_on"]).strftime("%d/%m/%Y") if row["submitted_on"] else None,
            _verdict(row["submitted_late"], row["overdue"], row["on_time"]),
            row["returns"],
        )
        for row in body["units"]
    }
    web_xlsx = client_for("pct").get("/theo-doi/tai-ve/", {"ky": "2026-H1"})
    api_xlsx = login("pct").get("/periods/2026-H1/status/xlsx")
    exports = []
    for response in (web_xlsx, api_xlsx):
        assert response.status_code == 200
        exports.append(
            {
                units[r[1]]: (
                    r[3].strftime("%d/%m/%Y") if r[3] else None,
                    "Quá hạn" if r[6] == "Quá hạn" else "Đúng hạn" if r[5] == "Có" else "Nộp muộn" if r[3] else "—",
                    r[7],
                )
                for r in _sheet_rows(response.getvalue())
            }
        )
    assert len(page) == 25
    assert page == api == exports[0] == exports[1]
    # The case the three surfaces used to disagree on: on time, returned, resubmitted late.
    assert page["xom-01"] == ("10/06/2026", "Đúng hạn", 1)
    assert page["xom-02"] == ("25/06/2026", "Nộp muộn", 0)
    assert page["xom-03"] == ("25/06/2026", "Nộp muộn", 0)  # withdrawn: counts from the resubmission
    assert page["tramyte"] == ("10/06/2026", "Đúng hạn", 0)
    assert page["congan"] == (None, "Quá hạn", 0)
    xom1 = next(row for row in body["units"] if row["unit_code"] == "xom-01")
    assert xom1["last_submitted_on"] == "2026-06-25" and xom1["state"] == "submitted"
    assert h1.deadline == date(2026, 6, 19)


def test_a_returned_report_awaiting_correction_after_the_deadline_is_overdue_but_was_on_time(clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened("2026-H1")
    document = submit(h1, "xom-01")
    perform_transition(document.pk, demo("vhxh"), "start_review")
    perform_transition(document.pk, demo("vhxh"), "return", "Bổ sung minh chứng.")
    clock.set(2026, 6, 22, 8, 0)
    row = next(r for r in login("vhxh").get("/periods/2026-H1/status").json()["units"] if r["unit_code"] == "xom-01")
    assert (row["on_time"], row["submitted_late"], row["overdue"], row["returns"]) == (True, False, True, 1)
    page = _status_from_page(client_for("vhxh").get("/theo-doi/", {"ky": "2026-H1"}).content.decode())
    assert page["xom-01"] == ("10/06/2026", "Quá hạn", 1)
    assert h1.code == "2026-H1"


# --- Đánh giá thi đua ---------------------------------------------------------------------------

def _evaluation_from_page(html):
    """[(unit code, score, first reason)] in the page's order."""
    out = []
    for code, row in _rows_of(html).items():
        score = _text(re.search(r'data-label="Điểm"[^>]*>(.*?)</td>', row, re.S).group(1))
        reasons = [_text(r) for r in re.findall(r"<li>(.*?)</li>", row, re.S)]
        out.append((code, float(score.replace(",", ".")), reasons[0]))
    return out


def test_every_reporting_unit_is_ranked_on_the_page_in_the_api_and_in_the_exports(clock):
    # No round opened: only Trạm Y tế makes a report; the 24 other units never start one.
    clock.set(2026, 6, 5, 8, 0)
    new_unit_report("tramyte")
    approve(period("2026-H1"), "tramyte")
    clock.set(2026, 7, 1, 8, 0)
    units = {u.name: u.code for u in Unit.objects.all()}
    page = _evaluation_from_page(client_for("pct").get("/theo-doi/danh-gia/", {"nam": "2026"}).content.decode())
    body = login("pct").get("/evaluations/2026").json()
    api = [(r["unit_code"], r["score"], r["reasons"][0]) for r in body["rows"]]
    assert page == api
    assert len(api) == 25 and [r["rank"] for r in body["rows"]] == list(range(1, 26))
    assert api[0][0] == "tramyte" and body["rows"][0]["reported"] is True
    assert all(not r["reported"] and r["reasons"][0].startswith("Chưa báo cáo") for r in body["rows"][1:])
    assert {code for code, _, _ in api} == {u.code for u in Unit.objects.filter(reported_targets__isnull=False, active=True).distinct()}
    for response in (
        client_for("pct").get("/theo-doi/danh-gia/", {"nam": "2026", "dinh-dang": "xlsx"}),
        login("pct").get("/evaluations/2026/xlsx"),
    ):
        rows = _sheet_rows(response.getvalue())
        assert [(units[r[1]], r[2], r[10].split("\n")[0]) for r in rows] == api
        assert [r[0] for r in rows] == list(range(1, 26))


# --- Sổ văn bản đi ----------------------------------------------------------------------------

def test_register_page_exports_and_api_list_the_same_entries():
    issued_plan()
    issue(signed_summary_report("2026-H1"))
    page = client_for("vanthu").get("/van-thu/so-van-ban-di/", {"nam": "2026"}).content.decode()
    shown = [_text(s) for s in re.findall(r'data-label="Số, ký hiệu"><a [^>]*>(.*?)</a>', page)]
    api = [e["symbol"] for e in login("vanthu").get("/register", year=2026).json()["items"]]
    sheet = load_workbook(io.BytesIO(client_for("vanthu").get("/van-thu/so-van-ban-di/tai-ve/", {"nam": "2026"}).getvalue())).active
    in_xlsx = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    text = client_for("vanthu").get("/van-thu/so-van-ban-di/tai-ve/", {"nam": "2026", "dinh-dang": "csv"}).getvalue().decode("utf-8-sig")
    in_csv = [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]]
    assert len(shown) == 2 and shown == api == in_xlsx == in_csv
    assert shown[0].startswith("01/") and shown[1].startswith("02/")


# --- constant query counts ----------------------------------------------------------------------

def _counts(screens):
    """Queries of each screen, asked twice so that one-time work (a token's first use) is not counted."""
    for screen in screens:
        screen()
    return [_count(screen) for screen in screens]


def _count(call):
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_round_screens_run_the_same_number_of_queries_whatever_the_number_of_units(clock):
    clock.set(2026, 6, 10, 8, 0)
    opened("2026-H1")
    approve(period("2026-H1"), "xom-01")
    page, api, coordinator = client_for("pct"), login("pct"), client_for("vhxh")
    screens = [
        lambda: page.get("/theo-doi/", {"ky": "2026-H1"}),
        lambda: page.get("/theo-doi/tai-ve/", {"ky": "2026-H1"}),
        lambda: page.get("/theo-doi/danh-gia/", {"nam": "2026"}),
        lambda: page.get("/theo-doi/chi-tieu/", {"ky": "2026-H1"}),
        lambda: coordinator.get("/theo-doi/ky-bao-cao/"),
        lambda: api.get("/periods/2026-H1/status"),
        lambda: api.get("/evaluations/2026"),
        lambda: api.get("/evaluations/2026/xlsx"),
    ]
    before = _counts(screens)
    add_xom(6)
    opened("2026-H1")
    for code in ("xom-moi-0", "xom-moi-1", "xom-moi-2"):
        approve(period("2026-H1"), code, values={"1.2": True, "1.3": 99, "4.2": 1})
    assert _counts(screens) == before
    assert len(login("pct").get("/periods/2026-H1/status").json()["units"]) == 31


def test_register_and_document_lists_run_the_same_number_of_queries_whatever_their_length(clock):
    issued_plan()
    page, api = client_for("vanthu"), login("vanthu")
    screens = [
        lambda: page.get("/van-thu/so-van-ban-di/", {"nam": "2026"}),
        lambda: page.get("/van-thu/so-van-ban-di/tai-ve/", {"nam": "2026"}),
        lambda: api.get("/register", year=2026),
        lambda: api.get("/documents"),
        lambda: page.get("/van-ban/tra-cuu/"),
        lambda: page.get("/van-ban/tra-cuu/", {"trang": "2"}),
    ]
    before = _counts(screens)
    issue(signed_summary_report("2026-H1"))
    issue(signed_summary_report("2026-Y"))
    opened("2026-H1")  # 25 more documents: the search list now has two pages
    assert _counts(screens) == before
    assert len(api.get("/register", year=2026).json()["items"]) == 3
    html = page.get("/van-ban/tra-cuu/", {"trang": "2"}).content.decode()
    assert "Trang trước" in html and "Trang sau" not in html


# --- Tra cứu văn bản ----------------------------------------------------------------------------

def _ids_on_search_page(client, params):
    html = client.get("/van-ban/tra-cuu/", params).content.decode()
    return [int(pk) for pk in re.findall(r'href="/van-ban/(\d+)/"', html)]


@pytest.mark.parametrize(
    "username, params",
    [
        ("vhxh", {}),
        ("vhxh", {"kind": "unit_report", "state": "submitted"}),
        ("vhxh", {"q": "ket qua cua tram y te"}),
        ("pct", {"period": "2026-H1", "unit": "xom-01"}),
        ("tramyte", {}),
    ],
)
def test_search_page_and_api_list_the_same_documents(clock, username, params):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened("2026-H1")
    submit(h1, "tramyte")
    clock.set(2026, 6, 11, 8, 0)
    submit(h1, "xom-01")
    page = list(dict.fromkeys(_ids_on_search_page(client_for(username), params)))
    api = [d["id"] for d in login(username).get("/documents", limit=100, **params).json()["items"]]
    assert page == api[: len(page)] and len(page) == min(len(api), 25)
    assert api, "every case lists something"


# --- Số liệu tổng hợp -----------------------------------------------------------------------------

def test_compiled_figures_agree_on_the_document_page_in_the_api_and_in_its_export(clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened("2026-H1")
    approve(h1, "xom-01", values={"1.2": True, "1.3": 92.5})
    approve(h1, "tramyte")
    summary = create_summary(h1, demo("vhxh"))
    html = client_for("pct").get(f"/van-ban/{summary.pk}/").content.decode()
    section = html[html.index('id="so-lieu-tong-hop"'):]
    # (code, printed value, how much data it rests on: "" when every unit reported)
    page = [
        (code, _text(value), _text(coverage).strip("()"))
        for code, value, coverage in re.findall(
            r'data-label="Chỉ tiêu"><strong>([\d.]+)</strong>.*?data-label="Kết quả">(.*?)(?:<div[^>]*>(.*?)</div>)?</td>', section, re.S
        )
    ]
    api = [
        (t["code"], t["value_label"], t["coverage_label"] if t["partial"] else "")
        for t in login("pct").get(f"/documents/{summary.pk}/compiled").json()["targets"]
    ]
    export = [(r[0], r[4], r[8] or "") for r in _sheet_rows(login("pct").get(f"/documents/{summary.pk}/compiled/xlsx").getvalue())]
    assert len(page) == 13 and page == api == export
    assert ("1.3", "92,5%", "số liệu của 1/12 xóm") in api


# --- who reads the round screens: one rule for the pages and the API ------------------------------

def test_round_screens_are_open_to_the_same_people_on_the_web_and_in_the_api():
    coordinator = demo("vhxh")
    User.objects.create_user(
        username="vhxh-soan-thao", password="x-Mật-khẩu-2026", unit=coordinator.unit, commune=coordinator.commune, roles=["drafter"]
    )  # staff of the coordinator unit who is not a reviewer
    for username, allowed in (("vhxh-soan-thao", True), ("pct", True), ("vanthu", True), ("tramyte", False), ("xom-01", False)):
        pages = [client_for(username).get(path, params) for path, params in (("/theo-doi/", {"ky": "2026-H1"}), ("/theo-doi/danh-gia/", {"nam": "2026"}))]
        calls = [login(username).get("/periods/2026-H1/status"), login(username).get("/evaluations/2026")]
        assert {r.status_code for r in pages + calls} == ({200} if allowed else {403}), username


# --- "số liệu đã cũ" on list pages: one query for all the summaries shown -------------------------

def test_out_of_date_flags_of_a_list_take_one_query_however_many_summaries(clock):
    clock.set(2026, 6, 10, 8, 0)
    summaries = []
    for code in ("2026-H1", "2026-Y"):
        period = opened(code)
        approve(period, "tramyte")
        summaries.append(create_summary(period, demo("vhxh")))
    approve(opened("2026-H1"), "xom-01")  # approved after compiling: the H1 summary is out of date
    with CaptureQueriesContext(connection) as queries:
        states = freshness_many(summaries)
    assert len(queries.captured_queries) == 1
    assert states == [freshness(d) for d in summaries]
    assert [s["out_of_date"] for s in states] == [True, False]
