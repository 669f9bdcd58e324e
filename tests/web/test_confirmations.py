"""Issue 14 in the pages: the actions that matter ask for confirmation in a dialog that states the
consequence (the server stays the authority), the round page marks the current and next period,
the signer reads the changes and the document before the buttons, new evidence counts as a change,
and a refused action on a step's page stays on that page."""
import html as html_lib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from plans.models import Period
from rounds.services import reporting_units
from tests.helpers.web import client_for, opened_report
from tests.helpers.workflow import (
    COMMUNE_STEPS, RETURN_COMMENT, demo, document_in, fill_unit_report, new_plan_document, run, the_plan,
)
from workflows.attachments import add_attachment
from workflows.models import State

pytestmark = pytest.mark.django_db


def dialog(page, dialog_id):
    """The text of the <dialog> with that id (None when absent)."""
    found = re.search(rf'<dialog class="web-dialog" id="{re.escape(dialog_id)}"[^>]*>(.*?)</dialog>', page, re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))).strip() if found else None


# --- Kỳ báo cáo ---------------------------------------------------------------------------------

def test_opening_a_round_states_how_many_drafts_it_creates():
    units = len(reporting_units(the_plan()))
    assert units == 25
    client = client_for("vhxh")
    page = client.get("/theo-doi/ky-bao-cao/").content.decode()
    assert 'data-confirm="mo-ky-2026-H1"' in page
    text = dialog(page, "mo-ky-2026-H1")
    assert "Xác nhận: Mở kỳ báo cáo" in text
    assert "Mở kỳ 2026-H1 sẽ tạo 25 bản dự thảo báo cáo cho 25 đơn vị" in text
    assert "Hủy" in text and "Xác nhận mở kỳ báo cáo" in text

    # Once open with every draft made, there is nothing left to create: no button, a note.
    term = Period.objects.get(code="2026-H1")
    client.post(f"/theo-doi/ky-bao-cao/{term.pk}/mo-ky/")
    page = client.get("/theo-doi/ky-bao-cao/").content.decode()
    assert dialog(page, "mo-ky-2026-H1") is None and "Mọi đơn vị đã có báo cáo." in page
    # A unit's draft deleted (or a unit added) later: the button offers exactly the missing ones.
    from workflows.models import Document, Kind

    Document.objects.filter(kind=Kind.UNIT_REPORT, period=term, unit__code="xom-12").delete()
    page = client.get("/theo-doi/ky-bao-cao/").content.decode()
    assert "Tạo 1 dự thảo còn thiếu" in page
    assert "Kỳ 2026-H1 đã mở. Sẽ tạo 1 bản dự thảo báo cáo còn thiếu cho 1 đơn vị" in dialog(page, "mo-ky-2026-H1")


def test_round_page_marks_the_current_and_the_next_period():
    today = timezone.localdate()
    ordered = list(Period.objects.filter(plan=the_plan()).order_by("data_end", "kind"))
    current = next(i for i, p in enumerate(ordered) if p.deadline >= today)
    page = client_for("vhxh").get("/theo-doi/ky-bao-cao/").content.decode()
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    marked = {re.search(r"<strong>(.*?)</strong>", r).group(1): r for r in rows if "web-badge--current" in r or "web-badge--next" in r}
    assert list(marked) == [ordered[current].name, ordered[current + 1].name]
    assert "Kỳ hiện tại" in marked[ordered[current].name] and "Kỳ tiếp theo" in marked[ordered[current + 1].name]
    # Dates never break inside themselves.
    assert f'<span class="web-date">{ordered[0].deadline:%d/%m/%Y}</span>' in page


def test_only_the_coordinator_sees_the_open_button_and_the_server_still_decides():
    page = client_for("vanphong").get("/theo-doi/ky-bao-cao/").content.decode()
    assert "mo-ky-2026-H1" not in page
    term = Period.objects.get(code="2026-H1")
    assert client_for("vanphong").post(f"/theo-doi/ky-bao-cao/{term.pk}/mo-ky/").status_code == 403


# --- Duyệt, Rút lại, Ký ban hành, Cấp số ------------------------------------------------------------

def test_approve_asks_for_confirmation_and_return_does_not():
    report = document_in("unit_report", "under_review")
    page = client_for("vhxh").get(f"/tham-dinh/{report.pk}/").content.decode()
    assert 'data-confirm="xac-nhan-approve"' in page
    text = dialog(page, "xac-nhan-approve")
    assert f"Duyệt «{report.title}» của Trạm Y tế" in text
    assert "báo cáo chuyển sang «Đã duyệt», không sửa được nữa" in text
    assert "Xác nhận duyệt" in text
    assert 'data-confirm="xac-nhan-return"' not in page and dialog(page, "xac-nhan-return") is None


def test_withdraw_asks_for_confirmation():
    report = run(fill_unit_report(opened_report()), ("tramyte", "submit"))
    page = client_for("tramyte").get(f"/van-ban/{report.pk}/").content.decode()
    assert f"Rút lại «{report.title}» về dự thảo: người thẩm định sẽ không thấy văn bản này nữa" in dialog(page, "xac-nhan-withdraw")


def test_sign_and_issue_state_the_consequence_with_the_number():
    plan = run(new_plan_document("Kế hoạch xác nhận"), *COMMUNE_STEPS["approved"])
    page = client_for("pct").get(f"/ky-duyet/{plan.pk}/").content.decode()
    text = dialog(page, "xac-nhan-sign")
    assert "Ký ban hành «Kế hoạch xác nhận»: văn bản được ký với tên của bạn và chuyển cho văn thư cấp số, phát hành" in text
    run(plan, ("pct", "sign"))
    today = timezone.localdate()
    page = client_for("vanthu").get(f"/van-ban/{plan.pk}/").content.decode()
    text = dialog(page, "xac-nhan-issue")
    assert re.search(rf"Cấp số \d{{2}}/KH-UBND ngày {today:%d/%m/%Y} và phát hành «Kế hoạch xác nhận»", text), text
    assert "Số đã cấp không hủy được." in text
    queue = client_for("vanthu").get("/van-thu/").content.decode()
    assert f'data-confirm="xac-nhan-issue-{plan.pk}"' in queue
    assert "Cấp số tiếp theo của sổ văn bản đi" in dialog(queue, f"xac-nhan-issue-{plan.pk}")


def test_the_queue_of_the_clerk_runs_a_constant_number_of_queries(django_assert_max_num_queries):
    client = client_for("vanthu")
    run(new_plan_document("Kế hoạch một"), *COMMUNE_STEPS["signed"])
    client.get("/van-thu/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/van-thu/")
    for n in range(2, 5):
        run(new_plan_document(f"Kế hoạch {n}"), *COMMUNE_STEPS["signed"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/van-thu/").status_code == 200


# --- the signer reads first; new evidence is a change ----------------------------------------------

def test_signer_sees_changes_then_document_then_buttons():
    plan = run(new_plan_document("Kế hoạch gửi lại"), *COMMUNE_STEPS["approved"], ("pct", "send_back", "Bổ sung kinh phí."))
    from workflows.services import update_document

    plan = update_document(plan.pk, demo("vhxh"), version=plan.version, sections={"solutions": "Ngân sách xã năm 2026: 50 triệu đồng."})
    plan = run(plan, ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"))
    page = client_for("pct").get(f"/ky-duyet/{plan.pk}/").content.decode()
    assert page.index('id="h-diff"') < page.index('id="h-body"') < page.index('id="thao-tac"')
    assert "Ngân sách xã năm 2026: 50 triệu đồng." in page[page.index('id="h-diff"'):page.index('id="h-body"')]
    assert "nút «Ký ban hành» và «Trả lại để sửa» ở cuối văn bản" in page


def test_evidence_attached_after_a_return_is_listed_as_a_change(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = document_in("unit_report", "returned")
    add_attachment(report.pk, demo("tramyte"), SimpleUploadedFile("bien-ban-kiem-tra.pdf", b"%PDF-1.4 minh chung", "application/pdf"))
    report = run(report, ("tramyte", "submit"), ("vhxh", "start_review"))
    page = client_for("vhxh").get(f"/tham-dinh/{report.pk}/").content.decode()
    section = page[page.index('id="h-diff"'):]
    assert "Minh chứng mới đính kèm" in section and "bien-ban-kiem-tra.pdf" in section
    assert "Đơn vị chưa sửa gì" not in section


# --- a refused action stays in its context ---------------------------------------------------------

def test_refused_return_on_the_review_page_stays_on_the_review_page():
    report = document_in("unit_report", "under_review")
    client = client_for("vhxh")
    page = client.get(f"/tham-dinh/{report.pk}/").content.decode()
    assert f'action="/tham-dinh/{report.pk}/"' in page  # the review page posts to itself
    response = client.post(f"/tham-dinh/{report.pk}/", {
        "transition": "return", "comment": "", "expected_state": "under_review", "next": f"/tham-dinh/{report.pk}/",
    })
    assert response.status_code == 400
    assert response.resolver_match.app_name == "tham-dinh"  # the menu keeps «Thẩm định» highlighted
    assert [t.name for t in response.templates][0] == "web/review.html"
    page = response.content.decode()
    assert 'id="comment-error"' in page and "Nhập lý do trả lại" in page
    report.refresh_from_db()
    assert report.state == State.UNDER_REVIEW
    # With the reason it goes through and comes back to the review page.
    response = client.post(f"/tham-dinh/{report.pk}/", {
        "transition": "return", "comment": RETURN_COMMENT, "expected_state": "under_review", "next": f"/tham-dinh/{report.pk}/",
    })
    assert response.status_code == 302 and response["Location"] == f"/tham-dinh/{report.pk}/"
    report.refresh_from_db()
    assert report.state == State.RETURNED


def test_the_sign_page_refuses_in_place_and_others_may_not_post_there():
    plan = run(new_plan_document("Kế hoạch ký"), *COMMUNE_STEPS["approved"])
    response = client_for("pct").post(f"/ky-duyet/{plan.pk}/", {"transition": "send_back", "comment": "", "expected_state": "approved"})
    assert response.status_code == 400
    assert response.resolver_match.app_name == "ky-duyet"
    assert client_for("tramyte").post(f"/ky-duyet/{plan.pk}/", {"transition": "sign"}).status_code == 403
    # The plain document page does not take posts; its actions go to /thao-tac/.
    assert client_for("pct").post(f"/van-ban/{plan.pk}/", {"transition": "sign"}).status_code == 405
    plan.refresh_from_db()
    assert plan.state == State.APPROVED
