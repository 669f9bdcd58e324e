"""The plan's path through the pages: Văn phòng reviews, the Phó Chủ tịch signs, the văn thư
issues (the number appears), the Word file downloads; the register and its exports."""
import csv
import io
import shutil

import pytest
from openpyxl import load_workbook

from tests.helpers.web import client_for
from workflows.models import Document, Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Document.objects.get(kind=Kind.PLAN)


def act(client, document, name, comment="", state=None):
    data = {"transition": name, "comment": comment}
    if state:
        data["expected_state"] = state
    return client.post(f"/van-ban/{document.pk}/thao-tac/", data)


def test_plan_path_review_sign_issue_download(plan):
    vhxh, vanphong, pct, vanthu = (client_for(u) for u in ("vhxh", "vanphong", "pct", "vanthu"))
    assert act(vhxh, plan, "submit", state="draft").status_code == 302

    queue = vanphong.get("/tham-dinh/").content.decode()
    assert f"/tham-dinh/{plan.pk}/" in queue
    assert act(vanphong, plan, "start_review", state="submitted").status_code == 302
    assert act(vanphong, plan, "approve", state="under_review").status_code == 302

    # The signer's queue and page: the signer reads the document before the buttons (issue 14),
    # and only sign / send back, «Ký ban hành» asking for confirmation with its consequence.
    queue = pct.get("/ky-duyet/").content.decode()
    assert f"/ky-duyet/{plan.pk}/" in queue and "Đọc và ký" in queue
    page = pct.get(f"/ky-duyet/{plan.pk}/").content.decode()
    assert page.index('id="h-body"') < page.index('id="thao-tac"')
    assert f'action="/ky-duyet/{plan.pk}/"' in page
    assert 'data-confirm="xac-nhan-sign"' in page and '<dialog class="web-dialog" id="xac-nhan-sign"' in page
    assert "văn bản được ký với tên của bạn và chuyển cho văn thư cấp số, phát hành" in page
    assert 'value="sign"' in page and 'value="send_back"' in page and 'value="approve"' not in page
    assert "Lịch sử xử lý" in page and "Nhận thẩm định" in page
    assert act(pct, plan, "sign", state="approved").status_code == 302

    queue = vanthu.get("/van-thu/").content.decode()
    assert "Cấp số và phát hành" in queue
    response = vanthu.post(
        f"/van-ban/{plan.pk}/thao-tac/",
        {"transition": "issue", "expected_state": "signed", "next": f"/van-ban/{plan.pk}/"},
        follow=True,
    )
    html = response.content.decode()
    plan.refresh_from_db()
    assert plan.state == "issued" and plan.number_label.endswith("/KH-UBND")
    assert f"Đã cấp số {plan.number_label}" in html
    assert f'data-testid="number">{plan.number_label}<' in html

    first = vanthu.get(f"/van-ban/{plan.pk}/tai-ve/word/")
    assert first.status_code == 200
    assert first["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "attachment" in first["Content-Disposition"] and ".docx" in first["Content-Disposition"]
    first_bytes = first.getvalue()  # a FileResponse streams: read it once
    assert first_bytes[:2] == b"PK"
    assert vanthu.get(f"/van-ban/{plan.pk}/tai-ve/word/").getvalue() == first_bytes  # issued: identical bytes

    register = vanthu.get(f"/van-thu/so-van-ban-di/?nam={plan.issued_on.year}").content.decode()
    assert plan.number_label in register and "Đào Hồng Thanh" in register


def test_signer_sends_back_with_a_required_comment(plan):
    vhxh, vanphong, pct = (client_for(u) for u in ("vhxh", "vanphong", "pct"))
    act(vhxh, plan, "submit")
    act(vanphong, plan, "start_review")
    act(vanphong, plan, "approve")
    response = act(pct, plan, "send_back", comment="")
    assert response.status_code == 400
    assert "Nhập lý do trả lại" in response.content.decode()
    assert act(pct, plan, "send_back", comment="Sửa lại mục thời gian thực hiện").status_code == 302
    plan.refresh_from_db()
    assert plan.state == "returned"
    assert "Sửa lại mục thời gian thực hiện" in vhxh.get(f"/van-ban/{plan.pk}/sua/").content.decode()


def test_refusals_for_the_signer_and_the_clerk(plan):
    vhxh, vanphong, pct, vanthu = (client_for(u) for u in ("vhxh", "vanphong", "pct", "vanthu"))
    act(vhxh, plan, "submit")
    # The clerk cannot review; the signer cannot sign before approval (409, reason given).
    response = act(vanthu, plan, "start_review")
    assert response.status_code == 403 and "Chỉ người thẩm định" in response.content.decode()
    response = act(pct, plan, "sign")
    assert response.status_code == 409 and "Không thể «Ký ban hành»" in response.content.decode()
    act(vanphong, plan, "start_review")
    act(vanphong, plan, "approve")
    # Only the signer signs; only the clerk issues.
    response = act(vanthu, plan, "sign")
    assert response.status_code == 403 and "lãnh đạo UBND" in response.content.decode()
    act(pct, plan, "sign")
    response = act(pct, plan, "issue")
    assert response.status_code == 403 and "văn thư" in response.content.decode()


def test_pdf_download_or_a_clear_message(plan):
    response = client_for("vhxh").get(f"/van-ban/{plan.pk}/tai-ve/pdf/")
    if shutil.which("soffice") or shutil.which("libreoffice"):
        assert response.status_code == 200 and response.getvalue()[:5] == b"%PDF-"
    else:
        assert response.status_code == 503
        assert "LibreOffice" in response.content.decode()


def test_draft_word_file_downloads_for_those_who_may_see_it(plan):
    response = client_for("vhxh").get(f"/van-ban/{plan.pk}/tai-ve/word/")
    assert response.status_code == 200 and response.getvalue()[:2] == b"PK"
    assert client_for("tramyte").get(f"/van-ban/{plan.pk}/tai-ve/word/").status_code == 404


def issue_plan(plan):
    for user, name in (("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue")):
        assert act(client_for(user), plan, name).status_code == 302
    plan.refresh_from_db()
    return plan


def test_register_exports_as_xlsx_and_csv(plan):
    plan = issue_plan(plan)
    vanthu = client_for("vanthu")
    year = plan.issued_on.year
    xlsx = vanthu.get(f"/van-thu/so-van-ban-di/tai-ve/?nam={year}")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    sheet = load_workbook(io.BytesIO(xlsx.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Số, ký hiệu"
    assert rows[2][0] == plan.number_label and rows[2][1] == plan.issued_on.strftime("%d/%m/%Y")
    text = vanthu.get(f"/van-thu/so-van-ban-di/tai-ve/?nam={year}&dinh-dang=csv").getvalue().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][0] == "Số, ký hiệu" and lines[1][0] == plan.number_label


def test_register_pages_are_for_the_clerk_only():
    response = client_for("tramyte").get("/van-thu/so-van-ban-di/")
    assert response.status_code == 403
    assert "chỉ dành cho văn thư" in response.content.decode()
    assert client_for("tramyte").get("/van-thu/so-van-ban-di/tai-ve/").status_code == 403
