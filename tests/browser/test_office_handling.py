"""A hand-over, a coordination request answered by the other unit and a leader's instruction, in a
real browser at the office (1366 px) and phone (360 px) widths."""
import os
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from plans.models import Period
from rounds.services import open_round
from tests.helpers.office import colleague
from tests.helpers.workflow import document_in

from .conftest import PHONE

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def test_hand_over_coordination_and_instruction(site):
    colleague()  # Lê Thị Hoa, a second reviewer of Phòng VH-XH
    document = document_in("unit_report", "submitted")
    path = f"/van-ban/{document.pk}/"

    # vhxh hands the report to a colleague with a note.
    reviewer = site.page("vhxh", path=f"/tham-dinh/{document.pk}/")
    reviewer.get_by_label("Chuyển cho").select_option(label="Lê Thị Hoa – Công chức")
    reviewer.get_by_label("Nội dung chuyển").fill("Chị Hoa phụ trách lĩnh vực y tế, đề nghị thẩm định.")
    reviewer.get_by_role("button", name="Chuyển xử lý").click()
    expect(reviewer.locator(".web-message--success")).to_contain_text("Đã chuyển văn bản cho Lê Thị Hoa xử lý")
    expect(reviewer.locator("[data-assignee]")).to_contain_text("Lê Thị Hoa")
    expect(reviewer.locator('[data-action="start_review"]')).to_have_count(0)

    # The colleague finds it in her queue, takes it, and asks Phòng Kinh tế for an opinion.
    hoa = site.page("vhxh2")
    hoa.get_by_role("link", name=re.compile("Trạm Y tế xã")).first.click()
    hoa.get_by_role("button", name="Nhận thẩm định").click()
    expect(hoa.locator(".web-message--success")).to_contain_text("Đang thẩm định")
    hoa.get_by_label("Đơn vị được hỏi").select_option(label="Phòng Kinh tế")
    hoa.get_by_label("Nội dung xin ý kiến").fill("Đề nghị cho ý kiến về số liệu chỉ tiêu 2.1.")
    hoa.get_by_label("Hạn trả lời").fill((timezone.localdate() + timedelta(days=3)).strftime("%d/%m/%Y"))
    hoa.get_by_role("button", name="Gửi đề nghị cho ý kiến").click()
    expect(hoa.locator(".web-message--success")).to_contain_text("Đã gửi đề nghị cho ý kiến tới Phòng Kinh tế")
    expect(hoa.locator("#phoi-hop")).to_contain_text("Chờ trả lời")

    # Phòng Kinh tế sees the request on its home page and answers with a file, on a phone.
    kinhte = site.page("kinhte", PHONE)
    expect(kinhte.get_by_role("heading", name=re.compile("Đề nghị cho ý kiến phối hợp"))).to_be_visible()
    site.shot(kinhte, "consultation-inbox")
    kinhte.locator("#h-consult-inbox + ul a").first.click()
    kinhte.get_by_label("Ý kiến của Phòng Kinh tế").fill("Phòng Kinh tế thống nhất số liệu chỉ tiêu 2.1.")
    kinhte.set_input_files("input[name=file]", files=[{"name": "y-kien.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 y kien"}])
    site.shot(kinhte, "consultation-answer")
    kinhte.get_by_role("button", name="Gửi ý kiến trả lời").click()
    expect(kinhte.locator(".web-message--success")).to_contain_text("Đã gửi ý kiến trả lời")
    expect(kinhte.locator("#phoi-hop")).to_contain_text("Đã trả lời")
    expect(kinhte.get_by_role("link", name=re.compile("y-kien.pdf"))).to_be_visible()

    # The Phó Chủ tịch writes an instruction; the author sees it at the top and in the history.
    leader = site.page("pct", path=path)
    leader.get_by_label("Ý kiến chỉ đạo (bút phê)").fill("Đề nghị Trạm Y tế làm rõ tỷ lệ tiêm chủng đầy đủ.")
    leader.get_by_role("button", name="Ghi ý kiến chỉ đạo").click()
    expect(leader.locator(".web-message--success")).to_contain_text("Đã ghi ý kiến chỉ đạo")
    author = site.page("tramyte", path=path)
    expect(author.locator("#chi-dao")).to_contain_text("Đề nghị Trạm Y tế làm rõ tỷ lệ tiêm chủng đầy đủ.")
    expect(author.locator("#h-history + ol")).to_contain_text("Ý kiến chỉ đạo")
    expect(author.locator("#phoi-hop")).to_contain_text("Phòng Kinh tế thống nhất")
    site.both_widths("tramyte", path, "office-handling-document")
    site.both_widths("vhxh2", f"/tham-dinh/{document.pk}/", "office-handling-review")


def test_urge_a_late_unit_once_from_the_status_matrix(site):
    period = Period.objects.get(code="2026-H1")
    open_round(period, User.objects.get(username="vhxh"))
    # The deadline has passed (whatever day the suite runs on): every unit still owes its report.
    Period.objects.filter(pk=period.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    page = site.page("vhxh", path="/theo-doi/?ky=2026-H1")
    page.get_by_role("button", name="Đôn đốc Công an xã").click()
    expect(page.locator(".web-message--success")).to_contain_text("Đã gửi đôn đốc tới Công an xã")
    expect(page.locator('tr[data-unit="congan"] [data-urged]')).to_contain_text("Đã đôn đốc")
    expect(page.get_by_role("button", name="Đôn đốc Công an xã")).to_have_count(0)
    site.both_widths("vhxh", "/theo-doi/?ky=2026-H1", "urge-matrix")
