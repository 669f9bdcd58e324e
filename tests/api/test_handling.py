"""/api/v1/documents/{id}/… for chuyển xử lý, phối hợp, ý kiến chỉ đạo, the waiting step and đôn đốc."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.helpers.api import assert_error, login
from tests.helpers.office import colleague
from tests.helpers.workflow import document_in, opened, report_of
from workflows.models import Document

pytestmark = pytest.mark.django_db


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_hand_over_through_the_api():
    hoa = colleague()
    document = document_in("unit_report", "submitted")
    vhxh = login("vhxh")
    options = ok(vhxh.get(f"/documents/{document.pk}/hand-over"))
    assert options["step"] == "reviewer" and options["assignee"] is None
    assert [p["username"] for p in options["candidates"]] == ["vhxh2"]
    assert ok(login("tramyte").get(f"/documents/{document.pk}/hand-over"))["candidates"] == []
    assert_error(vhxh.post(f"/documents/{document.pk}/hand-over", {"to": hoa.pk, "note": ""}), 400, "note")
    assert_error(vhxh.post(f"/documents/{document.pk}/hand-over", {"to": 1, "note": "x"}), 400, "to")
    assert_error(login("tramyte").post(f"/documents/{document.pk}/hand-over", {"to": hoa.pk, "note": "x"}), 403)
    assert_error(login("kinhte").post(f"/documents/{document.pk}/hand-over", {"to": hoa.pk, "note": "x"}), 404)
    done = ok(vhxh.post(f"/documents/{document.pk}/hand-over", {"to": hoa.pk, "note": "Nhờ chị thẩm định", "expected_assignee": 0}))
    assert done["assignee"]["username"] == "vhxh2" and done["candidates"] == []
    assert ok(vhxh.get(f"/documents/{document.pk}"))["assignee"] == "vhxh2"
    assert_error(vhxh.post(f"/documents/{document.pk}/hand-over", {"to": hoa.pk, "note": "x"}), 409)
    assert_error(vhxh.post(f"/documents/{document.pk}/transitions/start_review", {}), 403)
    ok(login("vhxh2").post(f"/documents/{document.pk}/transitions/start_review", {}))
    history = ok(vhxh.get(f"/documents/{document.pk}/history"))
    handed = [e for e in history["items"] if e["transition"] == "hand_over"][0]
    assert handed["recipient"] == "vhxh2" and handed["label"] == "Chuyển xử lý" and handed["comment"] == "Nhờ chị thẩm định"
    draft = document_in("plan", "draft")
    assert_error(vhxh.post(f"/documents/{draft.pk}/hand-over", {"to": hoa.pk, "note": "x"}), 409)


def test_consultation_through_the_api():
    document = document_in("unit_report", "under_review")
    vhxh, kinhte = login("vhxh"), login("kinhte")
    url = f"/documents/{document.pk}/consultations"
    assert_error(kinhte.get(f"/documents/{document.pk}"), 404)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert_error(vhxh.post(url, {"unit": "kinhte", "question": "?", "deadline": yesterday}), 400, "deadline")
    assert_error(vhxh.post(url, {"unit": "khong-co", "question": "?", "deadline": timezone.localdate().isoformat()}), 400, "unit")
    assert_error(login("pct").post(url, {"unit": "kinhte", "question": "?", "deadline": timezone.localdate().isoformat()}), 403)
    asked = ok(vhxh.post(url, {"unit": "kinhte", "question": "Cho ý kiến", "deadline": timezone.localdate().isoformat()}), 201)
    assert asked["answered"] is False and asked["overdue"] is False
    assert ok(kinhte.get(f"/documents/{document.pk}"))["state"] == "under_review"
    answer_url = f"{url}/{asked['id']}/answer"
    client = kinhte.client
    headers = {"HTTP_AUTHORIZATION": f"Bearer {kinhte.token}"}
    big = SimpleUploadedFile("a.txt", b"hello", content_type="text/plain")
    refused = client.post(f"/api/v1{answer_url}", {"answer": "Đồng ý", "file": big}, **headers)
    assert_error(refused, 400, "file")
    pdf = SimpleUploadedFile("tra-loi.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    answered = client.post(f"/api/v1{answer_url}", {"answer": "Phòng Kinh tế đồng ý.", "file": pdf}, **headers)
    body = ok(answered)
    assert body["answered"] and body["answered_by"] == "kinhte" and body["file_name"] == "tra-loi.pdf"
    assert_error(client.post(f"/api/v1{answer_url}", {"answer": "Lần hai"}, **headers), 409)
    tramyte = login("tramyte")
    assert_error(tramyte.client.post(f"/api/v1{answer_url}", {"answer": "x"}, HTTP_AUTHORIZATION=f"Bearer {tramyte.token}"), 403)
    listed = ok(vhxh.get(url))
    assert [c["answer"] for c in listed["items"]] == ["Phòng Kinh tế đồng ý."] and listed["total"] == 1
    file = vhxh.get(f"{url}/{asked['id']}/file")
    assert file.status_code == 200 and b"".join(file.streaming_content).startswith(b"%PDF")


def test_instructions_and_step_through_the_api():
    document = document_in("unit_report", "submitted")
    pct = login("pct")
    url = f"/documents/{document.pk}/instructions"
    assert_error(login("vhxh").post(url, {"text": "x"}), 403)
    assert_error(pct.post(url, {"text": " "}), 400, "text")
    entry = ok(pct.post(url, {"text": "Khẩn trương thẩm định."}), 201)
    assert entry["transition"] == "instruct" and entry["actor"] == "pct"
    listed = ok(login("tramyte").get(url))
    assert [e["comment"] for e in listed["items"]] == ["Khẩn trương thẩm định."] and listed["pages"] == 1
    step = ok(login("vhxh").get(f"/documents/{document.pk}/step"))
    assert step["step"] == "reviewer" and step["limit_working_days"] == 3 and step["overdue"] is False


def test_urge_through_the_api(clock):
    clock.set(2026, 6, 1, 8, 0)
    period = opened()
    clock.set(2026, 6, 22, 8, 0)
    document = report_of(period, "congan")
    first = ok(login("pct").post(f"/documents/{document.pk}/urge"))
    assert first["sent_now"] is True and first["requested_by"] == "pct"
    second = ok(login("vhxh").post(f"/documents/{document.pk}/urge"))
    assert second["sent_now"] is False and "không gửi lại" in second["detail"]
    assert_error(login("vanthu").post(f"/documents/{document.pk}/urge"), 403)
    assert Document.objects.get(pk=document.pk).state == "draft"
