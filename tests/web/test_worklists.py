"""The home page's four lists (Chờ xử lý, Đã xử lý, Đã trình / đã gửi, Theo dõi), with their counts,
where each document is now, the Theo dõi filters, the next period for a unit with nothing to do, one
menu entry per destination, and a constant number of queries whatever the number of documents."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers.web import client_for
from tests.helpers.workflow import RETURN_COMMENT, add_xom, fill_required_sections, new_plan_document, opened, run, submit

pytestmark = pytest.mark.django_db


def tab_counts(html):
    """{tab label: count} as the tabs show them."""
    return {label.strip(): int(count) for label, count in re.findall(r'class="web-tab[^"]*"[^>]*>([^<]+)<span class="web-tab__count">(\d+)<', html)}


def page(username, query=""):
    response = client_for(username).get(f"/van-ban/{query}")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(html):
    """(title, holder cell text) of each row of the list shown."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r'<tr>\s*<td data-label="Văn bản"><a [^>]*>([^<]+)</a>.*?(?:<td data-label="Đang ở đâu">([^<]*)</td>|</tr>)', body, re.S)


def holder(html, title):
    found = [h for t, h in rows(html) if t == title]
    assert found, (title, rows(html))
    return found[0]


def test_a_plan_moves_through_the_lists_of_its_author_and_of_who_acts(clock):
    plan = fill_required_sections(new_plan_document("Kế hoạch chuyển đổi số thử"))
    run(plan, ("vhxh", "submit"))

    author = page("vhxh", "?tab=da-trinh")
    assert tab_counts(author)["Đã trình / đã gửi"] == 1
    assert re.fullmatch(r"Chờ Văn phòng HĐND-UBND.* nhận thẩm định", holder(author, "Kế hoạch chuyển đổi số thử"))
    assert 'aria-current="page">Đã trình / đã gửi' in author

    office = page("vanphong")
    assert tab_counts(office)["Chờ xử lý"] == 1
    assert "Kế hoạch chuyển đổi số thử" in office and f'href="/tham-dinh/{plan.pk}/"' in office
    assert tab_counts(office)["Đã xử lý"] == 0

    run(plan, ("vanphong", "start_review"), ("vanphong", "approve"))
    handled = page("vanphong", "?tab=da-xu-ly")
    assert tab_counts(handled) == {"Chờ xử lý": 0, "Đã xử lý": 1, "Đã trình / đã gửi": 0, "Theo dõi": 2}  # and the demo plan in draft
    assert "Duyệt" in handled and ("Kế hoạch chuyển đổi số thử", "Chờ lãnh đạo UBND (Chủ tịch, Phó Chủ tịch) ký") in rows(handled)
    assert ("Kế hoạch chuyển đổi số thử", "Chờ lãnh đạo UBND (Chủ tịch, Phó Chủ tịch) ký") in rows(page("vhxh", "?tab=da-trinh"))
    assert tab_counts(page("pct"))["Chờ xử lý"] == 1

    run(plan, ("pct", "sign"))
    assert ("Kế hoạch chuyển đổi số thử", "Chờ văn thư cấp số, phát hành (Đào Hồng Thanh đã ký)") in rows(page("vhxh", "?tab=da-trinh"))
    run(plan, ("vanthu", "issue"))
    issued = rows(page("vhxh", "?tab=da-trinh"))
    assert issued and issued[0][1].startswith("Đã ban hành, số ")


def test_a_submitted_report_stays_in_its_authors_list_with_where_it_is(clock):
    h1 = opened("2026-H1")
    report = submit(h1, "tramyte")
    waiting = page("tramyte")
    assert report.title not in waiting  # nothing to do on it now
    submitted = page("tramyte", "?tab=da-trinh")
    assert tab_counts(submitted)["Đã trình / đã gửi"] == 1
    assert re.fullmatch(r"Chờ Phòng Văn hóa.*Xã hội nhận thẩm định", holder(submitted, report.title))
    run(report, ("vhxh", "start_review"), ("vhxh", "return", RETURN_COMMENT))
    submitted = page("tramyte", "?tab=da-trinh")
    assert re.fullmatch(r"Đã trả lại, Trạm Y tế.* đang sửa", holder(submitted, report.title))
    assert report.title in page("tramyte")  # and it is back in Chờ xử lý
    assert "Theo dõi" not in tab_counts(submitted)


def test_the_count_of_chờ_xử_lý_is_the_rows_it_shows_when_four_eyes_keeps_one_back(clock):
    """Phòng VH-XH reviews the units' reports and writes its own: its reviewer who submitted it is
    not shown it to review (four eyes), and neither the tab, the list's heading nor the API counts it."""
    from tests.helpers.api import login
    from tests.helpers.workflow import demo, fill_unit_report, new_unit_report

    own = fill_unit_report(new_unit_report("vhxh"), "vhxh")
    run(own, ("vhxh", "submit"))
    html = page("vhxh")
    shown = [title for title, _ in rows(html)]
    assert own.title not in shown
    assert tab_counts(html)["Chờ xử lý"] == len(shown) >= 1
    assert f"Chờ xử lý: {len(shown)} văn bản" in html
    api = login("vhxh")
    listed = api.get("/worklists/cho-xu-ly").json()
    assert listed["total"] == len(listed["items"]) == len(shown)
    assert next(t["count"] for t in api.get("/worklists").json() if t["tab"] == "cho-xu-ly") == len(shown)
    # Nor does the review queue: its heading counts the rows it shows.
    queue = client_for("vhxh").get("/tham-dinh/").content.decode()
    assert f"/tham-dinh/{own.pk}/" not in queue
    shown_in_queue = queue.count('<td data-label="Văn bản">')
    assert f"Văn bản chờ thẩm định ({shown_in_queue})" in queue
    # The office's reviewer, who wrote nothing of it, has it to review.
    assert own.pk in [d["id"] for d in login("vanphong").get("/worklists/cho-xu-ly").json()["items"]]
    assert f"/tham-dinh/{own.pk}/" in client_for("vanphong").get("/tham-dinh/").content.decode()


def test_monitoring_is_for_coordinators_and_leaders_with_filters_and_overdue_marks(clock):
    h1 = opened("2026-H1")
    submit(h1, "kinhte")
    assert client_for("tramyte").get("/van-ban/?tab=theo-doi").status_code == 403
    assert "Thẻ «Theo dõi» dành cho" in client_for("tramyte").get("/van-ban/?tab=theo-doi").content.decode()
    everything = page("pct", "?tab=theo-doi")
    assert tab_counts(everything)["Theo dõi"] >= 25  # the 25 unit reports and the plan
    assert "web-badge--overdue" not in everything
    kinhte = page("pct", "?tab=theo-doi&unit=kinhte")
    assert re.search(r"Theo dõi: 1 văn bản", kinhte) and "Chờ Phòng Văn hóa" in kinhte
    assert "Theo dõi: 0 văn bản" in page("pct", "?tab=theo-doi&state=overdue")
    clock.set(2026, 7, 1, 8, 0)  # after the deadline of 2026-H1
    overdue = page("vhxh", "?tab=theo-doi&state=overdue&period=2026-H1")
    assert "Theo dõi: 24 văn bản" in overdue and overdue.count("web-badge--overdue") == 24
    mixed = page("vhxh", "?tab=theo-doi&kind=unit_report")
    first = mixed.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "web-badge--overdue" in first  # overdue ones first


def test_a_unit_with_nothing_to_do_sees_the_next_period_and_who_opens_it(clock):
    html = page("tramyte")
    assert "Hiện không có văn bản nào chờ bạn xử lý." in html
    assert "Kỳ báo cáo tiếp theo: 6 tháng đầu năm 2026" in html
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/06/2026." in html
    assert re.search(r"Hạn nộp báo cáo: <strong>\d\d/06/2026</strong> \(còn \d+ ngày\)", html)
    assert "Kỳ chưa được mở. Phòng Văn hóa" in html and "mở kỳ báo cáo" in html
    h1 = opened("2026-H1")
    submit(h1, "tramyte")
    after = page("tramyte")
    assert "Kỳ báo cáo tiếp theo: năm 2026" in after  # the half-year was handed in: the next is the year


def test_one_menu_entry_per_destination():
    html = page("vhxh")
    menu = html.split("vf-page__menu-primary", 1)[1].split("vf-page__menu-secondary", 1)[0]
    links = re.findall(r'href="(/[^"]*)"', menu)
    assert links.count("/van-ban/") == 1, links
    assert "/tham-dinh/" in links and "/theo-doi/" in links
    review = client_for("vhxh").get("/tham-dinh/").content.decode()
    menu = review.split("vf-page__menu-primary", 1)[1].split("vf-page__menu-secondary", 1)[0]
    links = re.findall(r'href="(/[^"]*)"', menu)
    assert links.count("/tham-dinh/") == 1 and links.count("/van-ban/") == 1, links


@pytest.mark.parametrize("tab", ["cho-xu-ly", "da-xu-ly", "da-trinh", "theo-doi"])
def test_each_list_runs_the_same_queries_whatever_its_length(clock, tab):
    h1 = opened("2026-H1")
    submit(h1, "tramyte")  # waits for vhxh
    run(submit(h1, "kinhte"), ("vhxh", "start_review"))  # handled by vhxh
    submit(h1, "vhxh")  # submitted by vhxh
    client = client_for("vhxh")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/van-ban/?tab={tab}").status_code == 200
    add_xom(30)
    h1 = opened("2026-H1")
    for index in range(30):
        report = submit(h1, f"xom-moi-{index}")
        if index % 2:
            run(report, ("vhxh", "start_review"))
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/van-ban/?tab={tab}")
    assert response.status_code == 200
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many) + "\n----\n" + "\n".join(q["sql"][:150] for q in few)
