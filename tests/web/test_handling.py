"""Chuyển xử lý, phối hợp, ý kiến chỉ đạo and đôn đốc through the pages (HTTP)."""
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rounds.models import Notification, ReminderLog
from tests.helpers.office import colleague
from tests.helpers.web import client_for
from tests.helpers.workflow import demo, document_in, opened, report_of, submit
from workflows.models import AuditEntry, Consultation, Document

pytestmark = pytest.mark.django_db


def test_hand_over_from_the_review_page(django_capture_on_commit_callbacks):
    hoa = colleague()
    document = document_in("unit_report", "submitted")
    page = client_for("vhxh").get(f"/tham-dinh/{document.pk}/").content.decode()
    assert 'id="hand-over-to"' in page and f'value="{hoa.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("vhxh").post(
            f"/van-ban/{document.pk}/chuyen-xu-ly/", {"to": hoa.pk, "note": "Nhờ chị Hoa thẩm định.", "expected_assignee": "0"}
        )
    assert response.status_code == 302
    assert Document.objects.get(pk=document.pk).assignee_id == hoa.pk
    assert Notification.objects.filter(user=hoa, kind="hand_over").exists()
    home = client_for("vhxh2").get("/van-ban/").content.decode()
    assert document.title[:40] in home
    # The page says who holds it; the former holder has no review buttons any more.
    page = client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    assert "Đang do <strong>Lê Thị Hoa</strong> xử lý" in page and 'data-action="start_review"' not in page
    assert "chuyển cho Lê Thị Hoa" in page and 'data-event="hand_over"' in page
    refused = client_for("vhxh").post(f"/van-ban/{document.pk}/thao-tac/", {"transition": "start_review"})
    assert refused.status_code == 403 and "Lê Thị Hoa" in refused.content.decode()
    # A stale second hand-over: 409, not a silent overwrite.
    again = client_for("vhxh").post(f"/van-ban/{document.pk}/chuyen-xu-ly/", {"to": hoa.pk, "note": "x", "expected_assignee": "0"})
    assert again.status_code == 409


def test_hand_over_errors_name_the_field_and_keep_the_note():
    colleague()
    document = document_in("unit_report", "submitted")
    response = client_for("vhxh").post(f"/van-ban/{document.pk}/chuyen-xu-ly/", {"to": "999999", "note": "Ghi chú đã gõ"})
    html = response.content.decode()
    assert response.status_code == 400 and "Chọn một đồng nghiệp" in html and "Ghi chú đã gõ" in html
    assert client_for("tramyte").post(f"/van-ban/{document.pk}/chuyen-xu-ly/", {"to": "1", "note": "x"}).status_code == 403
    assert client_for("kinhte").post(f"/van-ban/{document.pk}/chuyen-xu-ly/", {"to": "1", "note": "x"}).status_code == 404


def test_consultation_asked_answered_with_file_and_shown(django_capture_on_commit_callbacks):
    document = document_in("unit_report", "under_review")
    deadline = (timezone.localdate() + timedelta(days=2)).strftime("%d/%m/%Y")
    bad = client_for("vhxh").post(f"/van-ban/{document.pk}/phoi-hop/", {"unit": "kinhte", "question": "", "deadline": deadline})
    assert bad.status_code == 400 and "Nhập nội dung cần xin ý kiến" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ok = client_for("vhxh").post(
            f"/van-ban/{document.pk}/phoi-hop/", {"unit": "kinhte", "question": "Cho ý kiến về chỉ tiêu 2.1", "deadline": deadline}
        )
    assert ok.status_code == 302
    consultation = Consultation.objects.get(document=document)
    home = client_for("kinhte").get("/van-ban/").content.decode()
    assert "Đề nghị cho ý kiến phối hợp (1)" in home
    page = client_for("kinhte").get(f"/van-ban/{document.pk}/")
    assert page.status_code == 200 and 'name="answer"' in page.content.decode()
    assert 'name="answer"' not in client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    wrong = SimpleUploadedFile("bang.pdf", b"not a pdf", content_type="application/pdf")
    refused = client_for("kinhte").post(f"/van-ban/{document.pk}/phoi-hop/{consultation.pk}/tra-loi/", {"answer": "Đồng ý", "file": wrong})
    assert refused.status_code == 400 and "không phải là tệp PDF hợp lệ" in refused.content.decode()
    good = SimpleUploadedFile("y-kien.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        answered = client_for("kinhte").post(
            f"/van-ban/{document.pk}/phoi-hop/{consultation.pk}/tra-loi/", {"answer": "Phòng Kinh tế thống nhất.", "file": good}
        )
    assert answered.status_code == 302
    page = client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    assert "Phòng Kinh tế thống nhất." in page and "Đã trả lời" in page and "y-kien.pdf" in page
    download = client_for("vhxh").get(f"/van-ban/{document.pk}/phoi-hop/{consultation.pk}/tep/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client_for("tramyte").post(f"/van-ban/{document.pk}/phoi-hop/{consultation.pk}/tra-loi/", {"answer": "x"}).status_code == 403
    twice = client_for("kinhte").post(f"/van-ban/{document.pk}/phoi-hop/{consultation.pk}/tra-loi/", {"answer": "Lần hai"})
    assert twice.status_code == 409 and "Phòng Kinh tế đã trả lời yêu cầu này" in twice.content.decode()
    assert Document.objects.get(pk=document.pk).state == "under_review"
    admin_list = client_for("admin").get("/admin/workflows/consultation/")
    assert admin_list.status_code == 200 and "Phòng Kinh tế" in admin_list.content.decode()


def test_overdue_consultation_marked(clock):
    clock.set(2026, 6, 1, 8, 0)
    document = document_in("unit_report", "submitted")
    client_for("vhxh").post(f"/van-ban/{document.pk}/phoi-hop/", {"unit": "kinhte", "question": "Ý kiến?", "deadline": "02/06/2026"})
    clock.set(2026, 6, 4, 8, 0)
    assert "Quá hạn trả lời" in client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    assert "Quá hạn trả lời" in client_for("kinhte").get("/van-ban/").content.decode()


def test_instruction_at_the_top_and_in_the_history():
    document = document_in("unit_report", "under_review")
    assert client_for("vhxh").post(f"/van-ban/{document.pk}/chi-dao/", {"text": "x"}).status_code == 403
    empty = client_for("pct").post(f"/van-ban/{document.pk}/chi-dao/", {"text": ""})
    assert empty.status_code == 400
    assert client_for("pct").post(f"/van-ban/{document.pk}/chi-dao/", {"text": "Đề nghị làm rõ số liệu tiêm chủng."}).status_code == 302
    page = client_for("tramyte").get(f"/van-ban/{document.pk}/").content.decode()
    top = page.index('id="h-instructions"')
    assert top < page.index("Lịch sử xử lý") and "Đề nghị làm rõ số liệu tiêm chủng." in page
    assert page.count("Ý kiến chỉ đạo") >= 2  # the panel and the history entry


def test_step_deadline_and_overdue_mark_in_lists_and_page(clock):
    clock.set(2026, 6, 1, 8, 0)  # Monday
    document = document_in("unit_report", "submitted")
    clock.set(2026, 6, 3, 8, 0)
    page = client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    assert "đã chờ 2 ngày làm việc" in page and "Quá hạn xử lý" not in page
    clock.set(2026, 6, 9, 8, 0)
    assert "Quá hạn xử lý" in client_for("vhxh").get(f"/van-ban/{document.pk}/").content.decode()
    assert "Quá hạn xử lý" in client_for("vhxh").get("/tham-dinh/").content.decode()
    assert "Quá hạn xử lý" in client_for("vhxh").get("/van-ban/").content.decode()


def test_review_queue_queries_stay_constant_with_step_marks(clock):
    clock.set(2026, 6, 1, 8, 0)
    document_in("unit_report", "submitted")
    client = client_for("vhxh")
    with CaptureQueriesContext(connection) as one:
        client.get("/tham-dinh/")
    period = opened()
    for code in ("kinhte", "congan", "mttq"):
        submit(period, code)
    with CaptureQueriesContext(connection) as many:
        client.get("/tham-dinh/")
    assert len(many) == len(one)


def test_urge_a_late_unit_once_from_the_dashboard(clock, mailoutbox):
    clock.set(2026, 6, 1, 8, 0)
    period = opened()
    clock.set(2026, 6, 25, 8, 0)  # after the deadline (19/06/2026)
    client = client_for("vhxh")
    page = client.get(f"/theo-doi/?ky={period.code}").content.decode()
    assert "data-urge" in page and 'aria-label="Đôn đốc Trạm Y tế xã"' in page
    document = report_of(period, "tramyte")
    response = client.post(f"/theo-doi/don-doc/{document.pk}/", follow=True)
    assert response.status_code == 200 and "Đã gửi đôn đốc tới Trạm Y tế xã" in response.content.decode()
    assert Notification.objects.filter(user__username="tramyte", kind="urge").count() == 1
    sent = len(mailoutbox)
    assert sent == 1 and "Đôn đốc" in mailoutbox[0].subject
    again = client.post(f"/theo-doi/don-doc/{document.pk}/", follow=True).content.decode()
    assert "không gửi lại lần nữa" in again and "Đã đôn đốc" in again
    assert Notification.objects.filter(user__username="tramyte", kind="urge").count() == 1 and len(mailoutbox) == sent
    assert ReminderLog.objects.filter(kind="urge", document=document).get().requested_by == demo("vhxh")
    assert AuditEntry.objects.filter(document=document, transition="urge").count() == 1
    assert client_for("tramyte").post(f"/theo-doi/don-doc/{document.pk}/").status_code == 403
    on_time = submit(period, "kinhte")  # late, but handed in: nothing to urge
    assert client.post(f"/theo-doi/don-doc/{on_time.pk}/").status_code == 409
