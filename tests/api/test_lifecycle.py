"""The whole paths of issue 3 through the API with the demo users: a unit report from draft to
approval with one return, and the plan from submission to issue with a number from the register."""
import hashlib
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from tests.helpers.api import assert_error, login
from tests.helpers.web import client_for, opened_report
from tests.helpers.workflow import demo
from workflows.attachments import add_attachment
from workflows.models import Document

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_unit_report_draft_to_approved_with_one_return():
    tramyte, vhxh = login("tramyte"), login("vhxh")
    document = ok(tramyte.post("/documents", {"kind": "unit_report", "period": "2026-H1"}), 201)
    url = f"/documents/{document['id']}"
    document = ok(
        tramyte.patch(
            url,
            {
                "version": 1,
                "sections": {"results": "Trạm Y tế đã dùng phần mềm quản lý.", "proposals": "Cấp thêm máy tính."},
                "values": [{"code": "3.2", "value": True}, {"code": "4.1", "value": False, "note": "Chưa có thùng rác"}],
                "initiatives": [{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh"}],
            },
        )
    )
    assert ok(tramyte.transition(document["id"], "submit"))["state"] == "submitted"
    assert ok(vhxh.get(url))["allowed_transitions"] == ["start_review"]
    reviewing = ok(vhxh.transition(document["id"], "start_review"))
    assert reviewing["state"] == "under_review"
    assert reviewing["reviewer"] == "Cán bộ Phòng Văn hóa – Xã hội"
    assert set(reviewing["allowed_transitions"]) == {"return", "approve"}
    returned = ok(vhxh.transition(document["id"], "return", "Chỉ tiêu 4.1 cần nêu thời hạn khắc phục."))
    assert returned["state"] == "returned"
    assert returned["return_count"] == 1

    mine = ok(tramyte.get(url))
    assert mine["editable"] is True and mine["allowed_transitions"] == ["submit"]
    edited = ok(tramyte.patch(url, {"version": mine["version"], "values": [{"code": "4.1", "value": False, "note": "Khắc phục trước 30/9/2026"}]}))
    assert edited["version"] == mine["version"] + 1

    assert ok(tramyte.transition(document["id"], "submit"))["state"] == "submitted"
    ok(vhxh.transition(document["id"], "start_review"))
    diff = ok(vhxh.get(f"{url}/diff"))
    assert [v["code"] for v in diff["values"]] == ["4.1"]
    approved = ok(vhxh.transition(document["id"], "approve"))
    assert approved["state"] == "approved"
    assert approved["allowed_transitions"] == []
    assert ok(tramyte.get(url))["editable"] is False
    assert_error(tramyte.patch(url, {"version": approved["version"], "title": "Sửa sau khi duyệt"}), 409)

    history = ok(vhxh.get(f"{url}/history"))["items"]
    assert [h["transition"] for h in history] == ["submit", "start_review", "return", "submit", "start_review", "approve"]
    assert [h["actor"] for h in history] == ["tramyte", "vhxh", "vhxh", "tramyte", "vhxh", "vhxh"]


def _plan_to_approved():
    vhxh, vanphong = login("vhxh"), login("vanphong")
    plan = Document.objects.get(kind="plan")
    ok(vhxh.transition(plan.pk, "submit"))
    assert_error(vhxh.transition(plan.pk, "start_review"), 403)  # Phòng VH-XH authors the plan, Văn phòng reviews it
    ok(vanphong.transition(plan.pk, "start_review"))
    assert ok(vanphong.transition(plan.pk, "approve"))["state"] == "approved"
    return plan


def test_plan_approve_sign_issue_takes_a_number_and_freezes_the_document():
    plan = _plan_to_approved()
    pct, vanthu, vhxh = login("pct"), login("vanthu"), login("vhxh")
    assert_error(vanthu.transition(plan.pk, "sign"), 403)
    signed = ok(pct.transition(plan.pk, "sign"))
    assert signed["state"] == "signed"
    assert signed["signer"] == "Đào Hồng Thanh"
    assert_error(pct.transition(plan.pk, "issue"), 403)

    issued = ok(vanthu.transition(plan.pk, "issue"))
    today = timezone.localdate()
    assert issued["state"] == "issued"
    assert issued["number"] == "01/KH-UBND"
    assert issued["issued_on"] == today.isoformat()
    assert issued["issued_on_display"] == today.strftime("%d/%m/%Y")
    assert issued["allowed_transitions"] == []

    download = vanthu.client.get(f"/api/v1/documents/{plan.pk}/docx", HTTP_AUTHORIZATION=f"Bearer {vanthu.token}")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    downloaded = download.getvalue()  # a FileResponse streams: read it once
    assert issued["sha256"] == hashlib.sha256(downloaded).hexdigest()
    again = vanthu.client.get(f"/api/v1/documents/{plan.pk}/docx", HTTP_AUTHORIZATION=f"Bearer {vanthu.token}")
    assert again.getvalue() == downloaded

    # Nothing about an issued document changes any more.
    assert_error(vhxh.patch(f"/documents/{plan.pk}", {"version": issued["version"], "title": "Sửa sau ban hành"}), 409)
    assert_error(vanthu.transition(plan.pk, "issue"), 409)

    register = ok(vanthu.get("/register", year=today.year))["items"]
    assert register == [
        {
            "number": 1,
            "symbol": "01/KH-UBND",
            "type": "KH",
            "issued_on": today.isoformat(),
            "issued_on_display": today.strftime("%d/%m/%Y"),
            "excerpt": issued["title"],
            "signer": "Đào Hồng Thanh",
            "recipients": register[0]["recipients"],
            "document_id": plan.pk,
        }
    ]
    assert "Đảng ủy (để b/c)" in register[0]["recipients"]


def test_signer_sends_the_plan_back_with_a_comment():
    plan = _plan_to_approved()
    pct, vhxh = login("pct"), login("vhxh")
    assert_error(pct.transition(plan.pk, "send_back"), 400, "comment")
    sent_back = ok(pct.transition(plan.pk, "send_back", "Bổ sung chỉ tiêu về chuyển đổi số."))
    assert sent_back["state"] == "returned"
    assert ok(vhxh.get(f"/documents/{plan.pk}"))["editable"] is True


def test_docx_download_names_the_file():
    vhxh = login("vhxh")
    plan = Document.objects.get(kind="plan")
    response = vhxh.client.get(f"/api/v1/documents/{plan.pk}/docx", HTTP_AUTHORIZATION=f"Bearer {vhxh.token}")
    assert response.status_code == 200
    assert response.getvalue()[:2] == b"PK"  # a Word file is a zip archive
    # An ASCII name is sent as it is (Django's FileResponse), and is the draft's name.
    assert response["Content-Disposition"] == f'attachment; filename="Du-thao-KH-UBND-{plan.pk}.docx"'


def test_a_vietnamese_file_name_is_downloaded_in_rfc_5987_form():
    report = opened_report()
    name = "Biên bản họp Đoàn.pdf"
    evidence = add_attachment(report.pk, demo("tramyte"), SimpleUploadedFile(name, b"%PDF-1.4 minh chung"), "3.2")
    response = client_for("tramyte").get(f"/van-ban/{report.pk}/minh-chung/{evidence.pk}/")
    assert response.status_code == 200 and response.getvalue() == b"%PDF-1.4 minh chung"
    disposition = response["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp%20%C4%90o%C3%A0n.pdf"
    assert unquote(disposition.split("''", 1)[1]) == name


def test_files_of_invisible_documents_are_404():
    kinhte = login("kinhte")
    plan = Document.objects.get(kind="plan")
    assert_error(kinhte.get(f"/documents/{plan.pk}/docx"), 404)
    assert_error(kinhte.get(f"/documents/{plan.pk}/pdf"), 404)


@override_settings(SOFFICE_PATH="/khong/co/soffice")
def test_pdf_without_libreoffice_is_503_explaining_how_to_enable_it():
    vhxh = login("vhxh")
    plan = Document.objects.get(kind="plan")
    body = assert_error(vhxh.get(f"/documents/{plan.pk}/pdf"), 503)
    assert "LibreOffice" in body["detail"]


def test_pdf_is_rendered_when_libreoffice_is_installed():
    from documents import pdf

    if not pdf.available():
        pytest.skip("LibreOffice (soffice) is not installed on this machine")
    vhxh = login("vhxh")
    plan = Document.objects.get(kind="plan")
    response = vhxh.client.get(f"/api/v1/documents/{plan.pk}/pdf", HTTP_AUTHORIZATION=f"Bearer {vhxh.token}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.getvalue().startswith(b"%PDF")
    assert ".pdf" in response["Content-Disposition"]


def test_issue_whose_word_file_cannot_be_rendered_is_503_and_changes_nothing(monkeypatch):
    import documents.rendering

    plan = _plan_to_approved()
    ok(login("pct").transition(plan.pk, "sign"))

    def broken(document, *args, **kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(documents.rendering, "store_issued_file", broken)
    vanthu = login("vanthu")
    body = assert_error(vanthu.transition(plan.pk, "issue"), 503)
    assert "chưa cấp số" in body["detail"]
    after = ok(vanthu.get(f"/documents/{plan.pk}"))
    assert after["state"] == "signed" and after["number"] is None
    assert ok(vanthu.get("/register"))["items"] == []
