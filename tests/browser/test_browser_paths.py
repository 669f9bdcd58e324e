"""The real users' paths in a real browser (Chromium, headless) against the live test server."""
import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, confirm

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def open_round_in_ui(site, period_name="6 tháng đầu năm 2026", shot=False):
    page = site.page("vhxh", path="/theo-doi/ky-bao-cao/")
    row = page.locator("tr", has_text=period_name).first
    row.get_by_role("button", name="Mở kỳ báo cáo").click()
    expect(page.locator("dialog[open]")).to_contain_text("sẽ tạo 25 bản dự thảo báo cáo cho 25 đơn vị")
    if shot:
        site.shot(page, "confirm-open-round")
    confirm(page, "Mở kỳ báo cáo")
    expect(page.locator(".web-message--success")).to_contain_text(f"Đã mở kỳ «{period_name}»")
    page.close()


def open_own_report(page):
    page.get_by_role("link", name=re.compile("Kết quả thực hiện phong trào thi đua 6 tháng đầu năm 2026")).first.click()
    expect(page.get_by_role("heading", name="Kết quả các chỉ tiêu")).to_be_visible()
    # Turbo shows the page before it runs the page's script (web/edit.js): wait for its inline checks.
    expect(page.locator("#report-form[data-checks=on]")).to_be_attached()


def test_unit_report_submit_return_fix_approve(site):
    open_round_in_ui(site, shot=True)

    # Unit staff fill in the report and submit it.
    unit = site.page("tramyte")
    expect(unit.get_by_role("heading", name=re.compile("Việc cần xử lý"))).to_be_visible()
    site.shot(unit, "home")
    open_own_report(unit)
    unit.get_by_label("Đạt", exact=True).first.check()
    for radio in unit.locator('input[type=radio][value="true"]').all():
        radio.check()
    unit.get_by_label("Kết quả thực hiện").fill("Trạm Y tế đã triển khai chuyển đổi số trong khám chữa bệnh.")
    unit.locator("#initiative-0-name").fill("Trạm Y tế xanh")
    unit.set_input_files("#evidence_file", files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 minh chung"}])
    expect(unit.locator('[id="evidence_file-name"]')).to_have_text("bien-ban.pdf")
    site.shot(unit, "report-form")
    unit.get_by_role("button", name="Lưu và trình").click()
    expect(unit.locator(".web-message--success")).to_contain_text("Đã lưu và trình văn bản.")
    expect(unit.locator(".web-badge--submitted").first).to_have_text("Đã trình")
    expect(unit.get_by_role("link", name="bien-ban.pdf")).to_be_visible()

    # The reviewer takes it and returns it with a comment (the comment is required).
    reviewer = site.page("vhxh", path="/tham-dinh/")
    reviewer.get_by_role("button", name="Nhận thẩm định").first.click()
    expect(reviewer.get_by_role("button", name="Trả lại")).to_be_visible()
    review_url = reviewer.url
    reviewer.get_by_role("button", name="Trả lại").click()
    expect(reviewer.locator("#comment-error")).to_contain_text("Nhập lý do trả lại")
    # Refused, it stays on the review page, in the «Thẩm định» section of the menu.
    assert reviewer.url == review_url and "/tham-dinh/" in review_url
    reviewer.get_by_label(re.compile("^Ý kiến")).fill("Đề nghị bổ sung biên bản kiểm tra minh chứng.")
    reviewer.get_by_role("button", name="Trả lại").click()
    expect(reviewer.locator(".web-message--success")).to_contain_text("Bị trả lại")

    # The unit sees the comment, fixes the text and submits again.
    site.go(unit, "/van-ban/")
    expect(unit.locator(".web-badge--returned").first).to_be_visible()
    open_own_report(unit)
    expect(unit.locator("#h-returns")).to_be_visible()
    expect(unit.get_by_text("Đề nghị bổ sung biên bản kiểm tra minh chứng.")).to_be_visible()
    unit.get_by_label("Kết quả thực hiện").fill(
        "Trạm Y tế đã triển khai chuyển đổi số trong khám chữa bệnh.\nĐã bổ sung biên bản kiểm tra ngày 10/6/2026."
    )
    unit.get_by_role("button", name="Lưu và trình").click()
    expect(unit.locator(".web-message--success")).to_contain_text("Đã lưu và trình văn bản.")

    # The reviewer sees exactly what changed since the return, then approves.
    site.go(reviewer, "/tham-dinh/")
    reviewer.get_by_role("button", name="Nhận thẩm định").first.click()
    expect(reviewer.locator("#h-diff")).to_contain_text("Thay đổi so với phiên bản đã trả lại")
    expect(reviewer.locator("#so-sanh ins").first).to_contain_text("Đã bổ sung biên bản kiểm tra")
    site.shot(reviewer, "review-diff")
    phone = site.page("vhxh", PHONE, path=reviewer.url.replace(site.url, ""))
    site.shot(phone, "review-diff")
    reviewer.get_by_role("button", name="Duyệt").click()
    confirm(reviewer, "Duyệt", says="báo cáo chuyển sang «Đã duyệt», không sửa được nữa")
    expect(reviewer.locator(".web-message--success")).to_contain_text("Đã duyệt")
    expect(reviewer.get_by_text("Bạn không có thao tác nào")).to_be_visible()


def test_own_report_goes_to_the_office_four_eyes(site):
    """Phòng VH-XH's only reviewer submits its own report: it is not theirs to review; the office's is."""
    from accounts.models import User
    from tests.helpers.web import client_for, filled_report, opened_report
    from workflows.services import perform_transition

    report = opened_report("vhxh")
    client = client_for("vhxh")
    assert client.post(f"/van-ban/{report.pk}/sua/", filled_report(client, report)).status_code == 302
    perform_transition(report.pk, User.objects.get(username="vhxh"), "submit")

    author = site.page("vhxh", path="/tham-dinh/")
    expect(author.get_by_text("Không có văn bản nào chờ thẩm định.")).to_be_visible()
    site.go(author, f"/tham-dinh/{report.pk}/")
    expect(author.get_by_role("note")).to_contain_text("nguyên tắc bốn mắt")
    expect(author.get_by_role("note")).to_contain_text("Văn phòng HĐND-UBND")
    expect(author.get_by_role("button", name="Nhận thẩm định")).to_have_count(0)

    office = site.page("vanphong", path="/tham-dinh/")
    office.get_by_role("button", name="Nhận thẩm định").first.click()
    office.get_by_role("button", name="Duyệt").click()
    confirm(office, "Duyệt")
    expect(office.locator(".web-message--success")).to_contain_text("Đã duyệt")


def test_report_form_checks_values_inline_and_keeps_them(site):
    open_round_in_ui(site)
    page = site.page("xom-01")
    open_own_report(page)
    field = page.locator("input[data-kind=percent]").first
    field.fill("120")
    field.press("Tab")
    error = page.locator(f"[id=\"{field.get_attribute('id')}-error\"]")
    expect(error).to_have_text("Tỷ lệ phải từ 0 đến 100.")
    page.get_by_label("Kết quả thực hiện").fill("Văn bản đang gõ dở")
    page.get_by_role("button", name="Lưu dự thảo").click()
    # The server refuses too (400), and nothing typed is lost.
    expect(page.locator(".web-alert--error")).to_contain_text("Thông tin chưa hợp lệ.")
    expect(page.locator("input[data-kind=percent]").first).to_have_value("120")
    expect(page.get_by_label("Kết quả thực hiện")).to_have_value("Văn bản đang gõ dở")
    page.locator("input[data-kind=percent]").first.fill("96,5")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".web-message--success")).to_contain_text("Đã lưu dự thảo")
    expect(page.locator("input[data-kind=percent]").first).to_have_value("96,5")


def test_plan_review_sign_issue_and_download(site, tmp_path):
    drafter = site.page("vhxh", path="/van-ban/")
    drafter.get_by_role("link", name=re.compile("Triển khai phong trào thi đua")).first.click()
    drafter.get_by_role("button", name="Lưu và trình").click()
    expect(drafter.locator(".web-message--success")).to_contain_text("Đã lưu và trình văn bản.")

    office = site.page("vanphong", path="/tham-dinh/")
    office.get_by_role("button", name="Nhận thẩm định").first.click()
    office.get_by_role("button", name="Duyệt").click()
    confirm(office, "Duyệt", says="được trình lãnh đạo UBND ký ban hành")
    expect(office.locator(".web-message--success")).to_contain_text("Đã duyệt")

    leader = site.page("pct", path="/ky-duyet/")
    leader.get_by_role("link", name="Đọc và ký").first.click()
    expect(leader.get_by_role("heading", name="Lịch sử xử lý")).to_be_visible()
    # The document comes before the buttons: the signer reads it first.
    body_top = leader.locator("#h-body").bounding_box()["y"]
    assert body_top < leader.get_by_role("button", name="Ký ban hành").bounding_box()["y"]
    site.shot(leader, "sign-off")
    phone = site.page("pct", PHONE, path=leader.url.replace(site.url, ""))
    site.shot(phone, "sign-off")
    # «Hủy» leaves everything as it was; confirming signs.
    leader.get_by_role("button", name="Ký ban hành").click()
    expect(leader.locator("dialog[open]")).to_contain_text("văn bản được ký với tên của bạn")
    leader.locator("dialog[open]").get_by_role("button", name="Hủy").click()
    expect(leader.locator("dialog[open]")).to_have_count(0)
    expect(leader.locator(".web-message--success")).to_have_count(0)
    leader.get_by_role("button", name="Ký ban hành").click()
    leader.locator("dialog[open]").get_by_role("button", name="Xác nhận ký ban hành").focus()
    site.shot(leader, "confirm-dialog")
    confirm(leader, "Ký ban hành")
    expect(leader.locator(".web-message--success")).to_contain_text("Đã ký")

    clerk = site.page("vanthu", path="/van-thu/")
    clerk.get_by_role("button", name="Cấp số và phát hành").first.click()
    confirm(clerk, "Cấp số và phát hành", says="và phát hành")
    expect(clerk.locator(".web-message--success")).to_contain_text(re.compile(r"Đã cấp số \d{2}/KH-UBND"))
    number = clerk.locator('[data-testid="number"]').inner_text()
    assert re.fullmatch(r"\d{2}/KH-UBND", number)
    with clerk.expect_download() as info:
        clerk.get_by_role("link", name="Tải bản Word").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.read_bytes()[:2] == b"PK"

    site.go(clerk, "/van-thu/so-van-ban-di/")
    expect(clerk.get_by_role("link", name=number)).to_be_visible()


def test_one_refused_action_per_role(site):
    open_round_in_ui(site)
    # Unit staff: the reviewer's pages are refused, with the reason.
    unit = site.page("tramyte", path="/tham-dinh/")
    expect(unit.get_by_text("chỉ dành cho cán bộ thẩm định")).to_be_visible()
    # Reviewer: signing belongs to the leaders.
    reviewer = site.page("vhxh", path="/ky-duyet/")
    expect(reviewer.get_by_text("chỉ dành cho lãnh đạo UBND")).to_be_visible()
    # Phó Chủ tịch: issuing belongs to the văn thư.
    leader = site.page("pct", path="/van-thu/")
    expect(leader.get_by_text("chỉ dành cho văn thư")).to_be_visible()
    # Văn thư: no action on a report under way; only the buttons one may use are shown.
    clerk = site.page("vanthu", path="/van-ban/tra-cuu/?q=tram+y+te&kind=unit_report")
    clerk.get_by_role("link", name=re.compile("Trạm Y tế")).first.click()
    expect(clerk.get_by_text("Bạn không có thao tác nào")).to_be_visible()
    expect(clerk.get_by_role("button", name="Cấp số và phát hành")).to_have_count(0)
    # Văn phòng reviewer: opening a round belongs to Phòng VH-XH.
    office = site.page("vanphong", path="/theo-doi/ky-bao-cao/")
    expect(office.get_by_text("Chỉ cán bộ Phòng Văn hóa - Xã hội")).to_be_visible()
    expect(office.get_by_role("button", name="Mở kỳ báo cáo")).to_have_count(0)


def test_screens_fit_office_and_phone_widths(site):
    from rounds.compile import create_summary
    from tests.helpers.web import approved_reports

    from accounts.models import User
    from plans.models import Period

    units = ["vhxh", "vanphong", "kinhte", "tramyte", "truong-mn", "truong-th", "congan", "mttq", "xom-01", "xom-02", "xom-03"]
    approved_reports("2026-H1", units, percent="93")
    summary = create_summary(Period.objects.get(code="2026-H1"), User.objects.get(username="vhxh"))
    approved_reports("2026-Y", units + ["xom-04", "xom-05", "doanthanhnien"], percent="98", seed=1)
    site.both_widths("xom-06", "/van-ban/", "home")
    site.both_widths("vhxh", "/van-ban/tra-cuu/?q=chuyen+doi+so", "search")
    site.both_widths("vhxh", "/theo-doi/?ky=2026-Y", "dashboard")
    site.both_widths("vhxh", "/theo-doi/chi-tieu/?ky=2026-Y", "targets")
    site.both_widths("vhxh", "/theo-doi/ky-bao-cao/", "rounds")
    site.both_widths("vhxh", f"/van-ban/{summary.pk}/#so-lieu-tong-hop", "summary")
    # The signer's page after a send-back: what changed comes first, the buttons after the document.
    from tests.helpers.workflow import COMMUNE_STEPS, demo, new_plan_document, run
    from workflows.services import update_document

    plan = run(new_plan_document("Kế hoạch bổ sung kinh phí"), *COMMUNE_STEPS["approved"], ("pct", "send_back", "Bổ sung nguồn kinh phí."))
    plan = update_document(plan.pk, demo("vhxh"), version=plan.version, sections={"solutions": "Bố trí 50 triệu đồng từ ngân sách xã năm 2026."})
    run(plan, ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"))
    site.both_widths("pct", f"/ky-duyet/{plan.pk}/", "sign-changes")
    # The report form at both widths.
    for viewport in (DESKTOP, PHONE):
        page = site.page("xom-06", viewport)
        open_own_report(page)
        site.shot(page, "report-form")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
        page.close()


def test_keyboard_and_phone_menu(site):
    open_round_in_ui(site)
    # Keyboard only: log in through the form, move through the report form with Tab, type, save with Enter.
    page = site.page("xom-06", by_form=True)
    open_own_report(page)
    page.locator("#title").focus()
    page.keyboard.press("Tab")  # first target: its radio group
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id || document.activeElement.name")
    assert focused, "Tab should move the focus to the next input"
    percent = page.locator("input[data-kind=percent]").first
    percent.focus()
    page.keyboard.type("87,25")
    page.keyboard.press("Enter")  # submits with the first button: Lưu dự thảo
    expect(page.locator(".web-message--success")).to_contain_text("Đã lưu dự thảo")
    expect(page.locator("input[data-kind=percent]").first).to_have_value("87,25")
    page.close()

    # On a phone the menu opens from the toolbar button and leads to the other pages.
    phone = site.page("tramyte", PHONE)
    phone.get_by_role("button", name="Mở hoặc đóng trình đơn").click()
    phone.get_by_role("link", name="Tra cứu văn bản").click()
    expect(phone.get_by_role("heading", name="Tra cứu văn bản")).to_be_visible()
    phone.get_by_label(re.compile("^Từ khóa")).fill("chuyen doi so")
    phone.get_by_label(re.compile("^Từ khóa")).press("Enter")
    expect(phone.get_by_text(re.compile(r"Kết quả: \d+ văn bản"))).to_be_visible()


def test_pages_work_under_the_content_security_policy(site):
    """Login, the API docs (Swagger UI), the admin, error pages and the report form's inline checks
    run with the policy in force; the `site` fixture fails on any violation."""
    page = site.anonymous_page()
    response = page.goto(f"{site.url}/accounts/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "tramyte")
    page.fill("#id_password", "sai-mat-khau")
    page.press("#id_password", "Enter")
    expect(page.locator(".web-login-error")).to_be_visible()
    page.goto(f"{site.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("API hệ thống văn bản")
    page.locator(".opblock-summary").first.click()  # the interactive part of Swagger UI
    expect(page.locator(".opblock-body").first).to_be_visible()

    open_round_in_ui(site)
    unit = site.page("xom-01")
    # The theme colours (the one inline <style>, with its nonce) are applied.
    primary = unit.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--mdc-theme-primary').trim()")
    assert primary == "#b71c1c"
    open_own_report(unit)
    field = unit.locator("input[data-kind=percent]").first
    field.fill("12,345")
    field.press("Tab")
    expect(unit.locator(f"[id=\"{field.get_attribute('id')}-error\"]")).to_have_text("Tỷ lệ chỉ được có tối đa 2 chữ số thập phân.")
    site.go(unit, "/van-ban/999999/")
    expect(unit.get_by_text("Không tìm thấy", exact=False).first).to_be_visible()

    from accounts.models import User

    User.objects.filter(username="vhxh").update(is_staff=True, is_superuser=True)
    admin = site.page("vhxh", path="/admin/")
    expect(admin.locator("#site-name")).to_contain_text("Quản trị hệ thống văn bản")
    site.go(admin, "/admin/workflows/document/")
    admin.locator("#searchbar").fill("Trạm")
    admin.locator("#searchbar").press("Enter")
    expect(admin.locator("#result_list")).to_be_visible()
    assert site.csp_violations == []


def test_admin_login_and_error_pages_are_accessible_and_in_the_theme(site):
    """The pages axe-core found wanting (issue 14) pass now: the login and 403 pages have a <main>
    and an <h1> in the application's red; the admin's period list labels its deadline boxes; the
    person forms are in Vietnamese. (The `site` fixture runs axe-core on every page.)"""
    red = "rgb(183, 28, 28)"
    login = site.anonymous_page()
    login.goto(f"{site.url}/accounts/login/")
    expect(login.get_by_role("heading", level=1, name="Đăng nhập")).to_be_visible()
    expect(login.get_by_role("main")).to_have_count(1)
    assert login.evaluate("getComputedStyle(document.querySelector('.vf-page-lockscreen')).backgroundColor") == red
    site.shot(login, "login")
    login.set_viewport_size(PHONE)
    site.shot(login, "login")

    unit = site.page("tramyte", path="/tham-dinh/")
    expect(unit.get_by_role("heading", level=1, name="Không được phép")).to_be_visible()
    expect(unit.get_by_role("main")).to_contain_text("chỉ dành cho cán bộ thẩm định")
    assert unit.evaluate("getComputedStyle(document.querySelector('.vf-page-lockscreen')).backgroundColor") == red
    site.shot(unit, "forbidden")

    admin = site.page("admin", path="/admin/plans/period/")
    expect(admin.get_by_label("Hạn nộp báo cáo kỳ 6 tháng đầu năm 2026 (2026-H1)")).to_be_visible()
    site.shot(admin, "admin-periods")
    site.go(admin, "/admin/accounts/user/add/")
    expect(admin.get_by_text("Sau khi tạo người dùng, bạn có thể sửa thêm")).to_be_visible()
    site.go(admin, "/admin/accounts/user/?q=xom")
    expect(admin.locator("#result_list")).to_be_visible()
    admin.locator("#result_list a", has_text="xom-02").click()
    expect(admin.get_by_text("Hệ thống không lưu mật khẩu gốc")).to_be_visible()
    site.go(admin, "/admin/organizations/unit/?kind__exact=hamlet")
    names = admin.locator("#result_list tbody th").all_inner_texts()
    numbers = [int(re.search(r"xóm (\d+)", name).group(1)) for name in names]
    assert numbers == sorted(numbers) and len(numbers) == 12, names


def test_list_pages_filter_and_page_at_both_widths(site):
    """The queues and lists with their server-side filters and pages, at the office and phone width."""
    from accounts.models import User
    from rounds.models import Notification
    from workflows.models import Document

    from plans.models import Period
    from rounds.services import open_round

    open_round_in_ui(site)
    vhxh = User.objects.get(username="vhxh")
    open_round(Period.objects.get(code="2026-Y"), vhxh)  # two rounds of reports: more than a page
    Document.objects.filter(kind="unit_report").exclude(unit__code="vhxh").update(state="submitted")
    Notification.objects.bulk_create([Notification(user=vhxh, kind="reminder", message=f"Nhắc việc số {i}") for i in range(30)])
    page = site.page("vhxh", path="/tham-dinh/")
    expect(page.get_by_text("Trang 1/")).to_be_visible()
    page.get_by_role("link", name="Trang sau").click()
    expect(page.get_by_text("Trang 2/")).to_be_visible()
    page.get_by_label("Trạng thái").select_option("under_review")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text("Không có văn bản nào chờ thẩm định.")).to_be_visible()
    page.close()
    site.both_widths("vhxh", "/tham-dinh/?trang-thai=submitted", "review-queue")
    site.both_widths("vhxh", "/van-ban/thong-bao/", "notifications")
    site.both_widths("vhxh", "/theo-doi/?ky=2026-H1&trang-thai=submitted", "dashboard-filtered")
    site.both_widths("tramyte", "/van-ban/van-ban-den/", "incoming")
