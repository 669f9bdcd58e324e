"""Every step notifies: who gets which notice (in the application and by e-mail) on each transition,
the per-person e-mail preference, notices marked done when their step is taken, and the unit told when
its round is opened. Notices are sent after the transition commits (the outbox of rounds.reminders)."""
import pytest
from django.core import mail

from rounds.models import Notification
from rounds.reminders import mark_done
from workflows.services import perform_transition

from tests.helpers.web import client_for
from tests.helpers.workflow import RETURN_COMMENT, demo, fill, fill_required_sections, new_plan_document, opened, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Fire steps as if each request committed: the notices go out as they would in production."""

    def step(document, username, name, comment=""):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return perform_transition(document.pk, demo(username), name, comment)

    return step


def notices(document, kind):
    return sorted(Notification.objects.filter(document=document, kind=kind).values_list("user__username", flat=True))


def mailed():
    return {(address, message.subject.split(":")[0]) for message in mail.outbox for address in message.to}


def test_each_step_of_a_plan_tells_who_acts_next_and_the_author(clock, committed):
    plan = fill_required_sections(new_plan_document("Kế hoạch thông báo"))
    committed(plan, "vhxh", "submit")
    assert notices(plan, "to_review") == ["vanphong"]
    assert mailed() == {("vanphong@example.invalid", "Văn bản chờ thẩm định")}
    body = mail.outbox[0].body
    assert body.startswith(f"{demo('vhxh').full_name or 'vhxh'} đã trình Kế hoạch «Kế hoạch thông báo»")
    assert f"/van-ban/{plan.pk}/" in body and "Kế hoạch thông báo" in body

    committed(plan, "vanphong", "start_review")
    assert mail.outbox == []  # the reviewer took it: nobody else must act
    assert Notification.objects.get(document=plan, kind="to_review").done_at is not None

    committed(plan, "vanphong", "approve")
    assert notices(plan, "approved") == ["vhxh"] and notices(plan, "to_sign") == ["pct"]
    assert mailed() == {("vhxh@example.invalid", "Văn bản đã được duyệt"), ("pct@example.invalid", "Văn bản chờ ký")}

    committed(plan, "pct", "sign")
    assert notices(plan, "signed") == ["vhxh"] and notices(plan, "to_issue") == ["vanthu"]
    assert mailed() == {("vhxh@example.invalid", "Văn bản đã được ký"), ("vanthu@example.invalid", "Văn bản chờ cấp số, phát hành")}
    to_sign = Notification.objects.get(document=plan, kind="to_sign")
    assert to_sign.done_at is not None and to_sign.read_at is not None  # «chờ ký» is done once signed

    issued = committed(plan, "vanthu", "issue")
    assert notices(plan, "issued") == ["vhxh"]
    assert ("vhxh@example.invalid", f"Văn bản đã ban hành số {issued.number_label}") in mailed()
    assert Notification.objects.get(document=plan, kind="to_issue").done_at is not None
    assert not Notification.objects.filter(user=demo("vhxh"), document=plan, done_at__isnull=False).exists()  # news, not tasks


def test_a_returned_notice_is_done_when_the_author_submits_again(clock, committed):
    h1 = opened("2026-H1")
    report = submit(h1, "xom-01")
    committed(report, "vhxh", "start_review")
    committed(report, "vhxh", "return", RETURN_COMMENT)
    returned = Notification.objects.get(document=report, kind="returned", user=demo("xom-01"))
    assert returned.done_at is None and returned.read_at is None
    assert RETURN_COMMENT in mail.outbox[0].body and mail.outbox[0].to == ["xom-01@example.invalid"]
    client = client_for("xom-01")
    assert "Văn bản bị trả lại" in client.get("/van-ban/").content.decode()  # on the home page

    committed(report, "xom-01", "submit")
    returned.refresh_from_db()
    assert returned.done_at is not None and returned.read_at is not None
    assert notices(report, "to_review") == ["vhxh"]  # the resubmission asks for review again
    html = client.get("/van-ban/thong-bao/").content.decode()
    assert "Đã xử lý" in html and "Thông báo chưa đọc (0)" in html

    committed(report, "vhxh", "start_review")
    committed(report, "vhxh", "approve")
    assert notices(report, "approved") == ["xom-01"] and notices(report, "to_sign") == []  # a unit report ends here


def test_a_withdrawn_document_no_longer_asks_for_review(clock, committed):
    h1 = opened("2026-H1")
    report = submit(h1, "xom-02")  # submitted without the commit hook: no notice yet
    committed(report, "xom-02", "withdraw")
    committed(report, "xom-02", "submit")
    to_review = Notification.objects.get(document=report, kind="to_review", user=demo("vhxh"))
    assert to_review.done_at is None
    committed(report, "xom-02", "withdraw")
    to_review.refresh_from_db()
    assert to_review.done_at is not None
    assert mail.outbox == []  # withdrawing asks nobody for anything


def test_no_mail_for_someone_who_does_not_want_it_but_the_notice_still_appears(clock, committed):
    vanphong = demo("vanphong")
    vanphong.email_notifications = False
    vanphong.save()
    plan = fill_required_sections(new_plan_document("Kế hoạch không gửi thư"))
    committed(plan, "vhxh", "submit")
    assert mail.outbox == []
    assert notices(plan, "to_review") == ["vanphong"]


def test_the_preference_is_on_the_persons_own_account_page(clock):
    client = client_for("tramyte")
    html = client.get("/accounts/nhan-thong-bao/").content.decode()
    assert "tramyte@example.invalid" in html and 'id="email_notifications" name="email_notifications" checked' in html
    response = client.post("/accounts/nhan-thong-bao/", {})
    assert response.status_code == 302
    assert demo("tramyte").email_notifications is False
    assert "Thông báo chỉ hiện trong hệ thống" in client.get(response["Location"]).content.decode()
    client.post("/accounts/nhan-thong-bao/", {"email_notifications": "on"})
    assert demo("tramyte").email_notifications is True


def test_opening_a_round_tells_each_unit(clock, django_capture_on_commit_callbacks, committed):
    with django_capture_on_commit_callbacks(execute=True):
        h1 = opened("2026-H1")
    assert Notification.objects.filter(kind="round_opened").count() == 25  # one per unit's drafter
    notice = Notification.objects.get(user=demo("tramyte"), kind="round_opened")
    assert notice.message == "Đã mở kỳ báo cáo 6 tháng đầu năm 2026: hạn nộp 19/06/2026"
    assert ("tramyte@example.invalid", "Đã mở kỳ báo cáo 6 tháng đầu năm 2026") in mailed()
    committed(fill(h1, "tramyte"), "tramyte", "submit")
    notice.refresh_from_db()
    assert notice.done_at is not None  # the report it asked for was submitted
    with django_capture_on_commit_callbacks(execute=True):
        opened("2026-H1")  # opening again creates nothing and tells nobody twice
    assert Notification.objects.filter(kind="round_opened").count() == 25


def test_mark_done_marks_only_the_notices_of_that_step():
    h1 = opened("2026-H1")
    report = submit(h1, "tramyte")
    tramyte, vhxh = demo("tramyte"), demo("vhxh")
    asked = Notification.objects.create(user=vhxh, document=report, kind="to_review", message="Chờ thẩm định")
    news = Notification.objects.create(user=tramyte, document=report, kind="approved", message="Đã duyệt")
    assert mark_done(report.pk, "start_review", vhxh.pk) == 1
    asked.refresh_from_db()
    news.refresh_from_db()
    assert asked.done_at is not None and news.done_at is None and news.read_at is None


def test_the_preference_is_in_the_admin():
    tramyte = demo("tramyte")
    html = client_for("admin").get(f"/admin/accounts/user/{tramyte.pk}/change/").content.decode()
    assert 'name="email_notifications"' in html and "Nhận thông báo qua thư điện tử" in html


def test_a_send_back_tells_the_author_and_closes_the_signers_notice(clock, committed):
    plan = fill_required_sections(new_plan_document("Kế hoạch trả lại để sửa"))
    for username, name in (("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve")):
        committed(plan, username, name)
    committed(plan, "pct", "send_back", "Đề nghị bổ sung chỉ tiêu về chuyển đổi xanh.")
    assert notices(plan, "returned") == ["vhxh"]
    assert mailed() == {("vhxh@example.invalid", "Văn bản bị trả lại")}
    assert "Đề nghị bổ sung chỉ tiêu về chuyển đổi xanh." in mail.outbox[0].body
    assert Notification.objects.get(document=plan, kind="to_sign").done_at is not None


def test_the_reviewing_units_own_report_is_announced_to_the_office(clock, committed):
    h1 = opened("2026-H1")
    report = fill(h1, "vhxh")
    committed(report, "vhxh", "submit")
    assert notices(report, "to_review") == ["vanphong"]  # vhxh wrote it: four eyes
    assert mailed() == {("vanphong@example.invalid", "Văn bản chờ thẩm định")}
