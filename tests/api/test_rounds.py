"""Rounds through the REST API (/api/v1) and the management commands."""
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from accounts.models import ApiToken
from api.auth import hash_token
from plans.models import Period
from workflows.models import Document

from tests.helpers.workflow import approve, demo, opened, period

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def call(client):
    """call(username, method, path) with a real Bearer token of that demo account."""

    def do(username, method, path, **kwargs):
        token = f"token-for-{username}-rounds-tests"
        ApiToken.objects.get_or_create(user=demo(username), key_hash=hash_token(token))
        return getattr(client, method)(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)

    return do


def test_open_a_round_through_the_api(call):
    response = call("vhxh", "post", "/periods/2026-H1/open")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created_count"] == 25 and body["existing_count"] == 0 and len(body["created"]) == 25
    assert body["data_window"] == "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026."
    assert body["deadline"] == "2026-06-19" and body["deadline_display"] == "19/06/2026"
    assert {d["unit_code"] for d in body["created"]} >= {"xom-01", "tramyte", "vanphong"}
    assert all(d["state"] == "draft" for d in body["created"])
    again = call("vhxh", "post", "/periods/2026-H1/open").json()
    assert again["created"] == [] and again["existing_count"] == 25


def test_opening_is_refused_with_reasons(call, client):
    response = call("tramyte", "post", "/periods/2026-H1/open")
    assert response.status_code == 403 and "Phòng Văn hóa – Xã hội" in response.json()["detail"]
    response = call("vhxh", "post", "/periods/2099-H1/open")
    assert response.status_code == 404 and "2099-H1" in response.json()["detail"]
    assert client.post("/api/v1/periods/2026-H1/open").status_code == 401
    assert not Document.objects.filter(kind="unit_report").exists()


def test_compile_and_read_the_figures(call, clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened()
    approve(h1, "xom-01", values={"1.2": True, "1.3": 92.5})
    created = call("vhxh", "post", "/documents", data={"kind": "summary_report", "period": "2026-H1"}, content_type="application/json")
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    response = call("vhxh", "post", f"/documents/{document_id}/compile")
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["code"]: row for row in body["targets"]}
    assert len(rows) == 13 and body["period"] == "2026-H1"
    assert rows["1.3"]["value"] == 92.5 and rows["1.3"]["value_label"] == "92,5%" and rows["1.3"]["met"] is None
    assert rows["1.3"]["coverage_label"] == "số liệu của 1/12 xóm" and rows["1.3"]["verdict"] == "Chưa đủ số liệu"
    assert rows["1.2"]["value_label"] == "100% xóm" and len(rows["1.2"]["missing_units"]) == 11
    assert rows["1.1"]["value"] is None and rows["1.1"]["met"] is None
    assert rows["1.3"]["contributions"] == [{"unit": "Ban cán sự xóm 1 (mẫu)", "value_label": "92,5%"}]
    read = call("pct", "get", f"/documents/{document_id}/compiled")
    assert read.status_code == 200 and read.json()["targets"] == body["targets"]
    stale = call("vhxh", "post", f"/documents/{document_id}/compile?version=1")
    assert stale.status_code == 409
    refused = call("vanphong", "post", f"/documents/{document_id}/compile")
    assert refused.status_code == 403
    hidden = call("tramyte", "post", f"/documents/{document_id}/compile")
    assert hidden.status_code == 404
    sheet = call("vhxh", "get", f"/documents/{document_id}/compiled/xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"] == XLSX
    assert load_workbook(BytesIO(sheet.getvalue())).worksheets[0]["A2"].value == "1.1"


def test_compile_a_unit_report_or_a_missing_document(call):
    h1 = opened()
    unit_report = Document.objects.get(kind="unit_report", period=h1, unit__code="vhxh")
    assert call("vhxh", "post", f"/documents/{unit_report.pk}/compile").status_code == 400
    assert call("vhxh", "post", "/documents/999999/compile").status_code == 404
    assert call("vhxh", "get", f"/documents/{unit_report.pk}/compiled").status_code == 404


def test_evaluation_table(call, clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened()
    approve(h1, "xom-01", values={"1.3": 95, "4.2": 1}, initiatives=[{"name": "Xóm số", "kind": "Xóm số"}])
    response = call("vhxh", "get", "/evaluations/2026")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["year"] == 2026 and body["weights"]["targets"] == 50
    top = body["rows"][0]
    assert top["rank"] == 1 and top["unit_code"] == "xom-01" and top["score"] == 85
    assert top["reasons"][0].startswith("Đạt 3/3 chỉ tiêu")
    assert call("tramyte", "get", "/evaluations/2026").status_code == 403
    assert call("vhxh", "get", "/evaluations/2040").status_code == 404
    assert call("vhxh", "get", "/evaluations/abc").status_code == 400  # not a year: invalid input
    sheet = call("pct", "get", "/evaluations/2026/xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"] == XLSX
    assert "danh-gia-thi-dua-2026.xlsx" in sheet["Content-Disposition"]
    assert load_workbook(BytesIO(sheet.getvalue())).worksheets[0]["B2"].value == "Ban cán sự xóm 1 (mẫu)"


def test_round_status(call, clock):
    clock.set(2026, 6, 25, 8, 0)
    opened()
    response = call("vhxh", "get", "/periods/2026-H1/status")
    assert response.status_code == 200
    body = response.json()
    assert body["opened"] is True and len(body["units"]) == 25
    assert all(u["overdue"] for u in body["units"])
    assert call("xom-01", "get", "/periods/2026-H1/status").status_code == 403
    sheet = call("vanthu", "get", "/periods/2026-H1/status/xlsx")
    assert sheet.status_code == 200 and load_workbook(BytesIO(sheet.getvalue())).worksheets[0].max_row == 26


def test_the_endpoints_are_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/periods/{code}/open", "/api/v1/documents/{id}/compile", "/api/v1/evaluations/{year}"):
        assert path in paths
    compile_op = paths["/api/v1/documents/{id}/compile"]["post"]
    assert {"200", "403", "404", "409"} <= set(compile_op["responses"])
    assert paths["/api/v1/periods/{code}/open"]["post"]["tags"] == ["Kỳ báo cáo"]


# --- commands ------------------------------------------------------------------------

def command(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_open_round_command():
    output = command("open_round", "2026-H1")
    assert "Đã tạo 25 dự thảo báo cáo" in output and "Ban cán sự xóm 12 (mẫu)" in output
    assert "Hạn nộp: 19/06/2026" in output
    assert "không tạo thêm dự thảo nào (25 báo cáo đã có)" in command("open_round", "2026-H1")
    assert Period.objects.get(code="2026-H1").opened_at is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (("open_round", "2099-H1"), "Không có kỳ báo cáo «2099-H1»"),
        (("open_round", "2026-H1", "--user", "nobody"), "Không có tài khoản «nobody»"),
        (("open_round", "2026-H1", "--user", "tramyte"), "Chỉ cán bộ soạn thảo của cơ quan thường trực"),
        # The same refusal as creating it on the web page or through the API (one service).
        (("compile_summary", "2026-H1", "--user", "kinhte"), "Chỉ cán bộ soạn thảo của Phòng Văn hóa – Xã hội mới được tạo báo cáo tổng hợp"),
    ],
)
def test_commands_fail_with_clear_vietnamese_errors(args, message):
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=StringIO())
    assert message in str(caught.value)


def test_compile_summary_command_creates_then_recompiles(clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened()
    approve(h1, "kinhte", values={"4.3": True, "3.3": 40})
    output = command("compile_summary", "2026-H1")
    assert "Đã tạo và tổng hợp" in output and "4.3: Đạt / Theo quy định — Đạt" in output
    assert "1.2: Chưa có số liệu / ≥ 100% xóm — Chưa đủ số liệu (số liệu của 0/12 xóm)" in output
    assert "Đã tổng hợp lại" in command("compile_summary", "2026-H1")
    assert Document.objects.filter(kind="summary_report", period=period("2026-H1")).count() == 1


def test_a_whole_round_end_to_end_with_the_demo_data(call, clock):
    """Open, remind, report, approve, compile and evaluate 2026-H1 as the commune would."""
    from django.core import mail

    from organizations.models import Unit

    clock.set(2026, 6, 1, 8, 0)
    assert "Đã tạo 25 dự thảo" in command("open_round", "2026-H1", "--user", "vhxh")
    assert "đã gửi: 25" in command("send_reminders", "--now", "2026-06-16T08:00")
    clock.set(2026, 6, 17, 8, 0)
    units = list(Unit.objects.filter(reported_targets__isnull=False).distinct().values_list("code", flat=True))
    for code in units:
        if code != "congan":  # one unit never reports
            approve(period("2026-H1"), code, values={"1.3": 93, "4.2": 1, "3.3": 41})
    assert "đã gửi: 1" in command("send_reminders", "--now", "2026-06-18T08:00")  # only Công an xã
    assert mail.outbox[-1].to == ["congan@example.invalid"]
    output = command("compile_summary", "2026-H1", "--user", "vhxh")
    assert "1.2: 100% xóm / ≥ 100% xóm — Đạt" in output
    assert "4.1: 100% cơ quan, trường học / ≥ 100% cơ quan, trường học — Chưa đủ số liệu (số liệu của 7/8 đơn vị)" in output
    assert "3.1: 7 mô hình / ≥ 1 mô hình/năm — Đạt" in output
    clock.set(2026, 6, 20, 8, 0)
    assert "đã gửi: 2" in command("send_reminders", "--now", "2026-06-20T08:00")  # overdue: unit + coordinator
    body = call("vhxh", "get", "/evaluations/2026").json()
    ranked = {row["unit_code"]: row for row in body["rows"]}
    assert ranked["congan"]["rank"] == len(ranked) == 25
    assert ranked["congan"]["reported"] is False and ranked["congan"]["reasons"][0].startswith("Chưa báo cáo:")
    assert ranked["congan"]["reasons"][2].startswith("Nộp đúng hạn 0/1 báo cáo")
    assert all(row["reasons"][1] == "Nộp đúng hạn 1/1 báo cáo: +30 điểm." for code, row in ranked.items() if code != "congan")
    assert ranked["xom-01"]["score"] == 80 and ranked["xom-01"]["targets_met"] == 3
    assert ranked["vanphong"]["targets_met"] == 2 and ranked["vanphong"]["targets_judged"] == 5  # 2.2 and 4.1 only


def test_admin_pages_for_settings_and_the_outbox(client):
    client.force_login(demo("admin"))
    assert client.get("/admin/rounds/roundsettings/add/").status_code == 200
    response = client.get("/admin/rounds/reminderlog/")
    assert response.status_code == 200
    assert client.get("/admin/rounds/reminderlog/add/").status_code == 403
