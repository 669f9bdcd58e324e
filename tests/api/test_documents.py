"""API v1 /documents: list, create, read, edit, transitions, history, versions, diff; each success
and each error class (400 naming the field, 401, 403 with a reason, 404, 409)."""
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from organizations.models import Unit
from plans.models import Period
from workflows import services
from workflows.models import Document

from tests.helpers.api import ApiClient, assert_error, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def tramyte():
    return login("tramyte")


@pytest.fixture
def vhxh():
    return login("vhxh")


def create_report(api, period="2026-H1"):
    response = api.post("/documents", {"kind": "unit_report", "period": period})
    assert response.status_code == 201, response.content
    return response.json()


def fill_report(api, document):
    """Everything a Trạm Y tế report needs to be submitted."""
    response = api.patch(
        f"/documents/{document['id']}",
        {
            "version": document["version"],
            "sections": {"results": "Trạm đã triển khai phần mềm quản lý khám chữa bệnh."},
            "values": [
                {"code": "3.2", "value": True, "note": "Dùng phần mềm HIS", "evidence": "Biên bản số 12"},
                {"code": "4.1", "value": False, "note": "Đang mua thùng phân loại"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    return response.json()


# --- list ----------------------------------------------------------------------------------
def test_unit_sees_only_its_own_documents_reviewer_sees_all(tramyte, vhxh):
    own = create_report(tramyte)
    kinhte = create_report(login("kinhte"))
    mine = tramyte.get("/documents").json()["items"]
    assert [d["id"] for d in mine] == [own["id"]]
    everything = {d["id"] for d in vhxh.get("/documents", limit=100).json()["items"]}
    assert {own["id"], kinhte["id"]} <= everything
    assert Document.objects.filter(kind="plan").get().pk in everything


def test_list_filters(tramyte, vhxh):
    report = create_report(tramyte)
    create_report(tramyte, "2026-Y")
    assert [d["id"] for d in vhxh.get("/documents", kind="unit_report", unit="tramyte", period="2026-H1").json()["items"]] == [report["id"]]
    assert [d["kind"] for d in vhxh.get("/documents", kind="plan").json()["items"]] == ["plan"]
    assert vhxh.get("/documents", state="issued").json()["items"] == []
    assert vhxh.get("/documents", unit="khong-co").json()["items"] == []
    row = vhxh.get("/documents", unit="tramyte", period="2026-H1").json()["items"][0]
    assert row["unit_name"] == "Trạm Y tế xã"
    assert row["state_label"] == "Dự thảo"
    assert row["overdue"] is (Period.objects.get(code="2026-H1").deadline < timezone.localdate())


def test_list_filter_validation_names_the_field(vhxh):
    assert_error(vhxh.get("/documents", kind="bao_cao"), 400, "kind")
    assert_error(vhxh.get("/documents", state="xong"), 400, "state")
    assert_error(vhxh.get("/documents", period="2026 H1"), 400, "period")


def test_list_needs_authentication():
    assert_error(ApiClient().get("/documents"), 401)


def _count_list_queries(api):
    with CaptureQueriesContext(connection) as captured:
        response = api.get("/documents")
    assert response.status_code == 200
    return len(captured), response.json()["total"]


def test_list_runs_a_constant_number_of_queries(vhxh, django_assert_max_num_queries):
    period = Period.objects.get(code="2026-H1")
    vhxh.get("/me")  # the first call records last_used_at; later calls do not write
    few_queries, few = _count_list_queries(vhxh)
    for unit in Unit.objects.filter(code__startswith="xom-")[:10]:
        drafter = User.objects.get(username=unit.code)
        document = services.create_document(drafter, "unit_report", plan=period.plan, period=period)
        services.update_document(document.pk, drafter, version=1, sections={"results": "Đã làm"})
    many_queries, many = _count_list_queries(vhxh)
    assert many >= few + 10
    assert many_queries == few_queries
    with django_assert_max_num_queries(4):  # the token and its user, the user's communes, the total, the page
        assert vhxh.get("/documents").json()["total"] == many


# --- create --------------------------------------------------------------------------------
def test_create_unit_report_for_own_unit(tramyte):
    document = create_report(tramyte)
    assert document["kind"] == "unit_report"
    assert document["unit"] == "tramyte"
    assert document["period"] == "2026-H1"
    assert document["state"] == "draft"
    assert document["version"] == 1
    assert document["allowed_transitions"] == ["submit"]
    assert document["editable"] is True
    assert [v["code"] for v in document["values"]] == ["3.2", "4.1"]
    assert all(v["value"] is None and v["text"] == "Chưa có số liệu" for v in document["values"])


def test_create_twice_is_409(tramyte):
    create_report(tramyte)
    body = assert_error(tramyte.post("/documents", {"kind": "unit_report", "period": "2026-H1"}), 409)
    assert "đã có" in body["detail"]


def test_create_validation_names_the_field(tramyte):
    assert_error(tramyte.post("/documents", {"period": "2026-H1"}), 400, "kind")
    assert_error(tramyte.post("/documents", {"kind": "bao_cao", "period": "2026-H1"}), 400, "kind")
    body = assert_error(tramyte.post("/documents", {"kind": "unit_report", "period": "2099-H1"}), 400, "period")
    assert "2099-H1" in body["errors"]["period"][0]
    assert_error(tramyte.post("/documents", {"kind": "unit_report"}), 400, "period")
    assert_error(tramyte.post("/documents", {"kind": "unit_report", "period": "2026-H1", "unit": "vhxh"}), 400, "unit")


def test_summary_report_only_by_the_coordinator(tramyte, vhxh):
    body = assert_error(tramyte.post("/documents", {"kind": "summary_report", "period": "2026-H1"}), 403)
    assert body["detail"].startswith("Chỉ cán bộ soạn thảo của Phòng Văn hóa – Xã hội mới được tạo "), body["detail"]
    response = vhxh.post("/documents", {"kind": "summary_report", "period": "2026-H1"})
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == "vhxh"
    # Created compiled, as on the web page and by the command: the 13 targets' figures are there.
    compiled = response.json()["compiled"]
    assert compiled is not None and [row["code"] for row in compiled["targets"]][:2] == ["1.1", "1.2"]
    assert len(compiled["targets"]) == 13
    assert_error(vhxh.post("/documents", {"kind": "summary_report", "period": "2026-H1"}), 409)


def test_second_plan_document_is_409(vhxh):
    assert_error(vhxh.post("/documents", {"kind": "plan"}), 409)


def test_create_needs_authentication():
    assert_error(ApiClient().post("/documents", {"kind": "unit_report", "period": "2026-H1"}), 401)


# --- read ----------------------------------------------------------------------------------
def test_get_document_in_detail(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    body = vhxh.get(f"/documents/{document['id']}").json()
    assert body["title"].startswith("Kết quả thực hiện phong trào thi đua")
    assert body["sections"]["results"].startswith("Trạm đã triển khai")
    assert body["values"][0] == {"code": "3.2", "value": True, "note": "Dùng phần mềm HIS", "evidence": "Biên bản số 12", "text": "Đạt"}
    assert (body["values"][1]["value"], body["values"][1]["text"]) == (False, "Chưa đạt")
    assert body["allowed_transitions"] == []  # the reviewer waits for submit
    assert body["editable"] is False
    assert body["number"] is None and body["issued_on"] is None and body["sha256"] is None


def test_other_units_and_missing_documents_are_404(tramyte):
    other = create_report(login("kinhte"))
    for path in (f"/documents/{other['id']}", f"/documents/{other['id']}/history", "/documents/999999"):
        body = assert_error(tramyte.get(path), 404)
        assert body["detail"] == "Không tìm thấy văn bản."
    assert_error(tramyte.patch(f"/documents/{other['id']}", {"version": 1, "title": "Sửa trộm"}), 404)
    assert_error(tramyte.transition(other["id"], "submit"), 404)


def test_bad_id_is_400_naming_the_field(tramyte):
    assert_error(tramyte.get("/documents/abc"), 400, "id")
    assert_error(tramyte.get("/documents/0"), 400, "id")


# --- edit ----------------------------------------------------------------------------------
def test_patch_saves_a_new_version(tramyte):
    document = create_report(tramyte)
    saved = fill_report(tramyte, document)
    assert saved["version"] == 2
    assert saved["allowed_transitions"] == ["submit"]
    retitled = tramyte.patch(f"/documents/{document['id']}", {"version": 2, "title": "Báo cáo 6 tháng của Trạm Y tế"}).json()
    assert retitled["version"] == 3
    assert retitled["title"] == "Báo cáo 6 tháng của Trạm Y tế"
    assert retitled["sections"]["results"].startswith("Trạm")  # untouched fields are kept


def test_patch_with_a_stale_version_is_409_and_overwrites_nothing(tramyte):
    document = fill_report(tramyte, create_report(tramyte))
    body = assert_error(tramyte.patch(f"/documents/{document['id']}", {"version": 1, "title": "Cũ"}), 409)
    assert "phiên bản" in body["detail"]
    assert tramyte.get(f"/documents/{document['id']}").json()["title"] == document["title"]


def test_patch_validation_names_the_field(tramyte):
    document = create_report(tramyte)
    url = f"/documents/{document['id']}"
    assert_error(tramyte.patch(url, {"title": "Không có phiên bản"}), 400, "version")
    assert_error(tramyte.patch(url, {"version": "một"}), 400, "version")
    assert_error(tramyte.patch(url, {"version": 1, "values": [{"code": "3.2", "value": 150}]}), 400, "values.3.2")
    assert_error(tramyte.patch(url, {"version": 1, "values": [{"code": "2.2", "value": 90}]}), 400, "values.2.2")
    assert_error(tramyte.patch(url, {"version": 1, "sections": {"mo_dau": "x"}}), 400, "sections.mo_dau")
    assert_error(tramyte.patch(url, {"version": 1, "sections": {"results": 5}}), 400, "sections.results")
    assert_error(tramyte.patch(url, {"version": 1, "initiatives": [{"kind": "Xóm số"}]}), 400, "initiatives[0].name")
    assert_error(tramyte.patch(url, {"version": 1, "title": "x" * 600}), 400, "title")
    assert_error(tramyte.patch(url, {"version": 1, "colour": "đỏ"}), 400, "colour")
    assert tramyte.get(url).json()["version"] == 1


def test_percent_values_and_models_round_trip():
    vanphong = login("vanphong")
    document = create_report(vanphong)
    saved = vanphong.patch(
        f"/documents/{document['id']}",
        {
            "version": 1,
            "values": [{"code": "2.2", "value": 96.5, "note": "Hồ sơ trực tuyến toàn trình"}],
            "initiatives": [{"name": "Bộ phận một cửa không giấy", "kind": "Cơ quan xanh"}],
        },
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert {"code": "2.2", "value": 96.5, "note": "Hồ sơ trực tuyến toàn trình", "evidence": "", "text": "96,5%"} in body["values"]
    assert body["initiatives"] == [{"name": "Bộ phận một cửa không giấy", "kind": "Cơ quan xanh", "note": ""}]
    assert_error(vanphong.patch(f"/documents/{document['id']}", {"version": 2, "values": [{"code": "2.2", "value": 96.555}]}), 400, "values.2.2")


def test_reviewer_may_not_edit_a_unit_report(tramyte, vhxh):
    document = create_report(tramyte)
    body = assert_error(vhxh.patch(f"/documents/{document['id']}", {"version": 1, "title": "Sửa hộ"}), 403)
    assert "soạn thảo" in body["detail"]


def test_input_text_is_normalised_to_nfc(tramyte):
    document = create_report(tramyte)
    nfd_title = unicodedata.normalize("NFD", "Báo cáo kết quả thực hiện của Trạm Y tế xã")
    nfd_results = unicodedata.normalize("NFD", "Đã triển khai \x07tiêm chủng đầy đủ")
    assert nfd_title != unicodedata.normalize("NFC", nfd_title)
    response = tramyte.patch(
        f"/documents/{document['id']}",
        {
            "version": 1,
            "title": nfd_title,
            "sections": {"results": nfd_results},
            "values": [{"code": "3.2", "value": True, "note": unicodedata.normalize("NFD", "Đạt yêu cầu")}],
        },
    )
    assert response.status_code == 200, response.content
    body = tramyte.get(f"/documents/{document['id']}").json()
    assert body["title"] == "Báo cáo kết quả thực hiện của Trạm Y tế xã"
    assert unicodedata.is_normalized("NFC", body["title"])
    assert body["sections"]["results"] == "Đã triển khai tiêm chủng đầy đủ"
    assert body["values"][0]["note"] == "Đạt yêu cầu"


# --- transitions ---------------------------------------------------------------------------
def test_submit_incomplete_report_is_400_naming_what_is_missing(tramyte):
    document = create_report(tramyte)
    body = assert_error(tramyte.transition(document["id"], "submit"), 400)
    assert {"sections.results", "values.3.2", "values.4.1"} <= set(body["errors"])


def test_wrong_role_is_403_with_the_reason(tramyte):
    document = fill_report(tramyte, create_report(tramyte))
    tramyte.transition(document["id"], "submit")
    body = assert_error(tramyte.transition(document["id"], "start_review"), 403)
    assert "thẩm định" in body["detail"]


def test_wrong_state_is_409(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    body = assert_error(vhxh.transition(document["id"], "approve"), 409)
    assert "Dự thảo" in body["detail"]


def test_sign_is_refused_for_a_unit_report(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    tramyte.transition(document["id"], "submit")
    vhxh.transition(document["id"], "start_review")
    vhxh.transition(document["id"], "approve")
    assert_error(login("pct").transition(document["id"], "sign"), 409)


def test_expected_state_guards_against_acting_on_a_stale_page(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    tramyte.transition(document["id"], "submit")
    body = assert_error(tramyte.transition(document["id"], "withdraw", expected_state="draft"), 409)
    assert "Đã trình" in body["detail"]
    assert tramyte.transition(document["id"], "withdraw", expected_state="submitted").status_code == 200


def test_unknown_transition_and_bad_body_are_400(tramyte):
    document = create_report(tramyte)
    assert_error(tramyte.transition(document["id"], "publish"), 400, "name")
    assert_error(tramyte.post(f"/documents/{document['id']}/transitions/submit", {"comment": 5}), 400, "comment")


def test_return_needs_a_comment(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    tramyte.transition(document["id"], "submit")
    vhxh.transition(document["id"], "start_review")
    assert_error(vhxh.transition(document["id"], "return"), 400, "comment")
    assert vhxh.get(f"/documents/{document['id']}").json()["state"] == "under_review"


def test_transition_needs_authentication(tramyte):
    document = create_report(tramyte)
    assert_error(ApiClient().transition(document["id"], "submit"), 401)


# --- history, versions, diff ---------------------------------------------------------------
def test_history_versions_and_diff(tramyte, vhxh):
    document = fill_report(tramyte, create_report(tramyte))
    tramyte.transition(document["id"], "submit")
    vhxh.transition(document["id"], "start_review")
    vhxh.transition(document["id"], "return", "Bổ sung minh chứng chỉ tiêu 4.1")
    tramyte.patch(
        f"/documents/{document['id']}",
        {"version": 2, "values": [{"code": "4.1", "value": True, "note": "Đã có thùng phân loại"}]},
    )

    history = vhxh.get(f"/documents/{document['id']}/history").json()["items"]
    assert [(h["transition"], h["source"], h["target"]) for h in history] == [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("return", "under_review", "returned"),
    ]
    assert history[2]["actor"] == "vhxh"
    assert history[2]["comment"] == "Bổ sung minh chứng chỉ tiêu 4.1"
    assert history[2]["label"] == "Trả lại"
    assert history[2]["version"] == 2

    first = vhxh.get(f"/documents/{document['id']}/versions/1").json()
    assert first["number"] == 1 and first["created_by"] == "tramyte"
    assert first["values"][0]["value"] is None
    assert vhxh.get(f"/documents/{document['id']}/versions/3").json()["values"][1]["value"] is True
    assert_error(vhxh.get(f"/documents/{document['id']}/versions/9"), 404)

    # Without parameters: what changed since the version the reviewer returned.
    diff = vhxh.get(f"/documents/{document['id']}/diff").json()
    assert (diff["from"], diff["to"]) == (2, 3)
    assert diff["has_changes"] is True
    assert diff["title"] is None and diff["sections"] == []
    assert diff["values"][0]["code"] == "4.1"
    assert (diff["values"][0]["old"], diff["values"][0]["new"]) == (False, True)
    assert diff["values"][0]["new_note"] == "Đã có thùng phân loại"

    full = vhxh.get(f"/documents/{document['id']}/diff", **{"from": 1, "to": 3}).json()
    assert full["sections"][0]["key"] == "results"
    assert full["sections"][0]["changes"][0]["op"] in ("insert", "replace")
    assert_error(vhxh.get(f"/documents/{document['id']}/diff", **{"from": 1, "to": 7}), 404)
    assert_error(vhxh.get(f"/documents/{document['id']}/diff", **{"from": 0}), 400, "from")


def test_broken_unicode_is_400_naming_the_field(tramyte):
    document = create_report(tramyte)
    response = tramyte.client.patch(
        f"/api/v1/documents/{document['id']}",
        '{"version": 1, "title": "Báo cáo \\ud800"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tramyte.token}",
    )
    body = assert_error(response, 400, "title")
    assert body["errors"]["title"] == ["Chứa ký tự Unicode không hợp lệ."]


def test_oversized_body_is_400_not_a_crash(tramyte):
    document = create_report(tramyte)
    huge = "x" * (6 * 1024 * 1024)
    body = assert_error(tramyte.patch(f"/documents/{document['id']}", {"version": 1, "title": huge}), 400, "body")
    assert "quá lớn" in body["detail"]
