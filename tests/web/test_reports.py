"""The unit report path through the pages: fill, validation that keeps what was typed, stale
versions, evidence, submit, review with a diff, return with a comment, fix, approve; refusals."""
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers.web import client_for, filled_report, form_data, opened_report
from workflows.models import Document

pytestmark = pytest.mark.django_db


def errors_in(html):
    return re.findall(r'class="web-field-error"[^>]*>([^<]+)<', html)


def test_unit_staff_sees_the_draft_in_the_inbox_with_period_deadline_and_state():
    report = opened_report()
    html = client_for("tramyte").get("/van-ban/").content.decode()
    assert f"/van-ban/{report.pk}/sua/" in html
    assert "6 tháng đầu năm 2026" in html and "19/06/2026" in html and "Dự thảo" in html


def test_each_target_gets_the_right_input():
    report = opened_report("xom-01")
    html = client_for("xom-01").get(f"/van-ban/{report.pk}/sua/").content.decode()
    targets = {t.code: t.input_kind for t in report.plan.targets.filter(reporting_units=report.unit)}
    assert "percent" in targets.values() and "boolean" in targets.values()
    for code, kind in targets.items():
        if kind == "boolean":
            assert f'name="value-{code}" value="true"' in html and f'name="value-{code}" value="false"' in html
        elif kind == "percent":
            assert re.search(rf'id="value-{re.escape(code)}" name="value-{re.escape(code)}" value="" inputmode="decimal"', html)
        elif kind == "count":
            assert re.search(rf'name="value-{re.escape(code)}" value="" inputmode="numeric"', html)
    for heading in ("Kết quả thực hiện", "Tồn tại, hạn chế và nguyên nhân", "Mô hình đã xây dựng", "Tệp minh chứng"):
        assert heading in html


def test_invalid_values_come_back_with_vietnamese_messages_and_the_typed_text_kept():
    report = opened_report("xom-01")
    client = client_for("xom-01")
    data = filled_report(client, report)
    percent_code = next(t.code for t in report.plan.targets.filter(reporting_units=report.unit, input_kind="percent"))
    data[f"value-{percent_code}"] = "120,5"
    data["section-results"] = "Nội dung rất dài đã gõ & <giữ nguyên>"
    data["initiative-0-name"] = "Xóm số kiểu mẫu"
    response = client.post(f"/van-ban/{report.pk}/sua/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Tỷ lệ phải từ 0 đến 100." in errors_in(html)
    assert 'value="120,5"' in html
    assert "Nội dung rất dài đã gõ &amp; &lt;giữ nguyên&gt;" in html
    assert 'value="Xóm số kiểu mẫu"' in html
    report.refresh_from_db()
    assert report.version == 1  # nothing saved

    data[f"value-{percent_code}"] = "96,555"
    html = client.post(f"/van-ban/{report.pk}/sua/", data).content.decode()
    assert "Tỷ lệ chỉ được có tối đa 2 chữ số thập phân." in errors_in(html)


def test_save_draft_then_submit_with_missing_parts_names_them():
    report = opened_report()
    client = client_for("tramyte")
    data = form_data(client.get(f"/van-ban/{report.pk}/sua/").content.decode())
    data["section-preamble"] = "Mở đầu"
    response = client.post(f"/van-ban/{report.pk}/sua/", {**data, "action": "save"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.version == 2 and report.content["sections"]["preamble"] == "Mở đầu"

    data = form_data(client.get(f"/van-ban/{report.pk}/sua/").content.decode())
    response = client.post(f"/van-ban/{report.pk}/sua/", {**data, "action": "submit"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa viết mục «Kết quả thực hiện»." in errors_in(html)
    assert any(m.startswith("Chưa nhập kết quả chỉ tiêu") for m in errors_in(html))
    report.refresh_from_db()
    assert report.state == "draft"


def test_stale_version_is_explained_and_the_users_text_is_kept():
    report = opened_report()
    client = client_for("tramyte")
    stale = filled_report(client, report, **{"section-results": "Bản tôi đang gõ"})
    # A colleague saves first.
    other = filled_report(client, report, **{"section-results": "Bản của đồng nghiệp"})
    assert client.post(f"/van-ban/{report.pk}/sua/", other).status_code == 302
    response = client.post(f"/van-ban/{report.pk}/sua/", stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Có người khác vừa lưu văn bản này." in html
    assert "Bản tôi đang gõ" in html
    report.refresh_from_db()
    assert report.content["sections"]["results"] == "Bản của đồng nghiệp"
    # Saving again from that page (it now carries the latest version) keeps the user's text.
    again = form_data(html)
    assert client.post(f"/van-ban/{report.pk}/sua/", {**again, "action": "save"}).status_code == 302
    report.refresh_from_db()
    assert report.content["sections"]["results"] == "Bản tôi đang gõ"


def test_evidence_upload_is_checked_and_served_only_to_those_who_may_see():
    report = opened_report()
    client = client_for("tramyte")
    data = filled_report(client, report)
    bad = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    response = client.post(f"/van-ban/{report.pk}/sua/", {**data, "evidence_file": bad})
    assert response.status_code == 400
    assert "Chỉ nhận các loại tệp" in response.content.decode()

    data = filled_report(client, report)
    pdf = SimpleUploadedFile("Biên bản.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")
    response = client.post(f"/van-ban/{report.pk}/sua/", {**data, "evidence_file": pdf, "evidence_target": "3.2"})
    assert response.status_code == 302
    attachment = report.attachments.get()
    assert attachment.target_code == "3.2"
    url = f"/van-ban/{report.pk}/minh-chung/{attachment.pk}/"
    assert url in client.get(f"/van-ban/{report.pk}/").content.decode()
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client_for("vhxh").get(url).status_code == 200
    assert client_for("kinhte").get(url).status_code == 404  # another unit: not even revealed


def test_whole_unit_path_submit_return_fix_approve():
    report = opened_report()
    unit = client_for("tramyte")
    reviewer = client_for("vhxh")

    assert unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit")).status_code == 302
    report.refresh_from_db()
    assert report.state == "submitted"

    queue = reviewer.get("/tham-dinh/").content.decode()
    assert f"/tham-dinh/{report.pk}/" in queue and "Nhận thẩm định" in queue
    response = reviewer.post(
        f"/van-ban/{report.pk}/thao-tac/",
        {"transition": "start_review", "expected_state": "submitted", "next": f"/tham-dinh/{report.pk}/"},
    )
    assert response.status_code == 302 and response["Location"] == f"/tham-dinh/{report.pk}/"
    page = reviewer.get(f"/tham-dinh/{report.pk}/").content.decode()
    assert 'value="return"' in page and 'value="approve"' in page and 'value="sign"' not in page

    # Return needs a comment: 400 naming the field, typed text kept.
    response = reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "return", "expected_state": "under_review", "comment": ""})
    assert response.status_code == 400
    assert "Nhập lý do trả lại" in response.content.decode()
    response = reviewer.post(
        f"/van-ban/{report.pk}/thao-tac/",
        {"transition": "return", "expected_state": "under_review", "comment": "Bổ sung minh chứng chỉ tiêu 3.2"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == "returned"
    returned_version = report.version

    # The unit sees the comment on the form, with the version it concerns, and fixes the report.
    form = unit.get(f"/van-ban/{report.pk}/sua/").content.decode()
    assert "Bổ sung minh chứng chỉ tiêu 3.2" in form and f"Phiên bản {returned_version}" in form
    data = filled_report(unit, report, action="submit", **{"section-results": "Đã bổ sung biên bản kiểm tra."})
    assert unit.post(f"/van-ban/{report.pk}/sua/", data).status_code == 302

    reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review", "expected_state": "submitted"})
    page = reviewer.get(f"/tham-dinh/{report.pk}/").content.decode()
    assert f"phiên bản {returned_version} →" in page
    assert "Đã bổ sung biên bản kiểm tra." in page and "<ins" in page and "<del" in page

    response = reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "approve", "expected_state": "under_review"}, follow=True)
    assert "Đã thực hiện «Duyệt»" in response.content.decode()
    report.refresh_from_db()
    assert report.state == "approved"
    history = unit.get(f"/van-ban/{report.pk}/").content.decode()
    for label in ("Trình", "Nhận thẩm định", "Trả lại", "Duyệt", "Bổ sung minh chứng chỉ tiêu 3.2"):
        assert label in history


def test_withdraw_before_review():
    report = opened_report()
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit"))
    page = unit.get(f"/van-ban/{report.pk}/").content.decode()
    assert 'value="withdraw"' in page
    assert unit.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "withdraw", "expected_state": "submitted"}).status_code == 302
    report.refresh_from_db()
    assert report.state == "draft"


def test_refused_actions_show_the_reason():
    report = opened_report()
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit"))
    # The unit cannot review its own report: 403 with the reason, no button shown.
    response = unit.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review"})
    assert response.status_code == 403
    assert "Chỉ người thẩm định của đơn vị được giao thẩm định" in response.content.decode()
    assert 'value="start_review"' not in unit.get(f"/van-ban/{report.pk}/").content.decode()
    # Another unit's staff cannot see it at all.
    assert client_for("kinhte").get(f"/van-ban/{report.pk}/").status_code == 404
    assert client_for("kinhte").post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "withdraw"}).status_code == 404
    # The Văn phòng reviewer does not review unit reports.
    response = client_for("vanphong").post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review"})
    assert response.status_code == 403
    # A unit report is never signed: 409 for the signer, with the reason.
    client_for("vhxh").post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review"})
    client_for("vhxh").post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "approve"})
    response = client_for("pct").post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "sign"})
    assert response.status_code == 409
    assert "không cần ký" in response.content.decode()
    # Editing someone else's report: 403 page with the reason.
    response = client_for("vhxh").get(f"/van-ban/{report.pk}/sua/")
    assert response.status_code == 403
    assert "Chỉ cán bộ soạn thảo của đơn vị soạn thảo" in response.content.decode()


def test_a_second_click_after_someone_acted_is_a_409_not_a_500():
    report = opened_report()
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit"))
    reviewer = client_for("vhxh")
    assert reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review", "expected_state": "submitted"}).status_code == 302
    response = reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review", "expected_state": "submitted"})
    assert response.status_code == 409
    assert "vừa được người khác xử lý" in response.content.decode()


def test_unit_can_create_its_report_for_an_open_period_once():
    report = opened_report()
    Document.objects.filter(pk=report.pk).delete()
    client = client_for("tramyte")
    home = client.get("/van-ban/").content.decode()
    assert "Tạo báo cáo" in home
    period_id = re.search(r'name="period" value="(\d+)"', home).group(1)
    response = client.post("/van-ban/tao-bao-cao/", {"period": period_id})
    assert response.status_code == 302 and response["Location"].endswith("/sua/")
    assert client.post("/van-ban/tao-bao-cao/", {"period": period_id}).status_code == 409
    assert client.post("/van-ban/tao-bao-cao/", {"period": "abc"}).status_code == 400
