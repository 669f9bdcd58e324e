"""The lists as offices keep them, and the notices of each step, in Chromium at 1366 and 360 px:
tramyte, with nothing to do, sees the next period and who opens it; vhxh submits the plan; vanphong finds it under «Chờ xử lý» with its count and a notice, takes it and
approves it; vhxh finds it under «Đã trình / đã gửi» with where it is now, and a notice."""
import os
import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, confirm

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

PLAN = re.compile("Triển khai phong trào thi đua")


def tab(page, label):
    return page.get_by_role("navigation", name="Danh sách văn bản của tôi").locator("a.web-tab", has_text=label)


def no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def test_submit_notify_act_and_follow_where_it_is(site):
    # A unit with nothing to do before the round is opened is told what comes next and who opens it.
    for viewport in (DESKTOP, PHONE):
        unit = site.page("tramyte", viewport, path="/van-ban/")
        note = unit.get_by_role("note").filter(has=unit.get_by_role("heading", name=re.compile("Kỳ báo cáo tiếp theo")))
        # The live server runs on today's date: whichever period is next, its window and deadline are shown.
        expect(note).to_contain_text(re.compile(r"Số liệu tính từ ngày \d\d/\d\d/\d{4} đến ngày \d\d/\d\d/\d{4}\."))
        expect(note).to_contain_text(re.compile(r"Hạn nộp báo cáo: \d\d/\d\d/\d{4}"))
        expect(note).to_contain_text(re.compile(r"Kỳ chưa được mở\. Phòng Văn hóa . Xã hội \(cơ quan thường trực"))
        site.shot(unit, "next-period")
        no_sideways_scroll(unit)
        unit.close()

    # vhxh submits the plan from «Chờ xử lý».
    drafter = site.page("vhxh", path="/van-ban/")
    expect(tab(drafter, "Chờ xử lý")).to_have_attribute("aria-current", "page")
    drafter.get_by_role("link", name=PLAN).first.click()
    drafter.get_by_role("button", name="Lưu và trình").click()
    expect(drafter.locator(".web-message--success")).to_contain_text("Đã lưu và trình văn bản.")

    # vanphong: one document waiting, counted on the tab, and a notice saying so.
    for viewport in (PHONE, DESKTOP):
        office = site.page("vanphong", viewport, path="/van-ban/")
        expect(tab(office, "Chờ xử lý")).to_contain_text("1")
        expect(office.get_by_role("table", name="Chờ xử lý").get_by_role("link", name=PLAN)).to_be_visible()
        notes = office.get_by_role("complementary").filter(has=office.get_by_role("heading", name="Thông báo mới"))
        expect(notes).to_contain_text("Văn bản chờ thẩm định: Triển khai phong trào thi đua")
        # The sidebar has one entry for this page, and it is the one highlighted.
        menu = office.locator(".vf-page__menu-primary")
        expect(menu.locator('a[href="/van-ban/"]')).to_have_count(1)
        site.shot(office, "office-tabs")
        no_sideways_scroll(office)
        if viewport == PHONE:
            office.close()
    expect(menu.locator("a.mdc-list-item--selected")).to_have_count(1)
    expect(menu.locator("a.mdc-list-item--selected")).to_have_attribute("href", "/van-ban/")

    # vanphong acts: takes it for review and approves it.
    office.get_by_role("table", name="Chờ xử lý").get_by_role("link", name=PLAN).click()
    office.get_by_role("button", name="Nhận thẩm định").click()
    office.get_by_role("button", name="Duyệt").click()
    confirm(office, "Duyệt")
    expect(office.locator(".web-message--success")).to_contain_text("Đã duyệt")
    site.go(office, "/van-ban/")
    expect(tab(office, "Chờ xử lý")).to_contain_text("0")
    tab(office, "Đã xử lý").click()
    expect(office.get_by_role("table", name="Đã xử lý")).to_contain_text("Duyệt")
    # The «chờ thẩm định» notice is done: the bell no longer counts it, the list marks it.
    expect(office.locator(".web-toolbar__bell .web-badge--count")).to_have_count(0)
    site.go(office, "/van-ban/thong-bao/")
    done = office.locator(".web-notice--done", has_text="Văn bản chờ thẩm định: Triển khai phong trào thi đua")
    expect(done).to_contain_text("Đã xử lý")
    site.shot(office, "notification-done")

    # vhxh: the plan is under «Đã trình / đã gửi», with where it is now, and the notice of the approval.
    for viewport in (DESKTOP, PHONE):
        author = site.page("vhxh", viewport, path="/van-ban/?tab=da-trinh")
        table = author.get_by_role("table", name="Đã trình / đã gửi")
        expect(table).to_contain_text("Đã duyệt")
        expect(table).to_contain_text("Chờ lãnh đạo UBND (Chủ tịch, Phó Chủ tịch) ký")
        expect(tab(author, "Đã trình / đã gửi")).to_have_attribute("aria-current", "page")
        no_sideways_scroll(author)
        site.shot(author, "office-submitted")
        site.go(author, "/van-ban/thong-bao/")
        expect(author.get_by_role("heading", name=re.compile(r"Thông báo chưa đọc \(1\)"))).to_be_visible()
        expect(author.get_by_text(re.compile("Văn bản đã được duyệt: Triển khai phong trào thi đua"))).to_be_visible()
        no_sideways_scroll(author)
        site.shot(author, "notification")
        author.close()

    # The leaders' and coordinators' «Theo dõi», filtered, and the person's e-mail preference.
    monitor = site.page("vhxh", path="/van-ban/?tab=theo-doi")
    monitor.get_by_label("Loại văn bản").select_option("plan")
    monitor.get_by_role("button", name="Lọc").click()
    expect(monitor.get_by_role("heading", name="Theo dõi: 1 văn bản")).to_be_visible()
    expect(monitor.get_by_role("table", name="Theo dõi")).to_contain_text("Chờ lãnh đạo UBND")
    monitor.close()
    site.both_widths("vhxh", "/van-ban/?tab=theo-doi&kind=plan", "office-monitoring")
    site.both_widths("vhxh", "/accounts/nhan-thong-bao/", "email-preference")
