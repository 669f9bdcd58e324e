"""Reminders across the deadline of 2026-H1 (deadline 19/06/2026), with a fixed clock.

Each reminder goes out exactly once: reruns send nothing, a crash half-way then a rerun sends the
rest once, a failing mail server holds back the e-mails only (the in-app notices are there) and the
next run sends them. Runs through the
send_reminders command (the cron entry point) and the rounds.reminders service.
"""
import smtplib

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.models import Period
from rounds.models import Notification, ReminderLog, RoundSettings
from rounds.selectors import round_status
from rounds.reminders import plan_reminders, run
from rounds.services import open_round
from workflows.services import perform_transition

from tests.helpers.workflow import add_xom, approve, demo, opened, submit

pytestmark = pytest.mark.django_db

UNITS = 25


def tick(clock, *when):
    clock.set(*when)
    call_command("send_reminders", stdout=_Sink())


class _Sink:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def recipients(kind_prefix):
    return sorted(address for m in mail.outbox if m.subject.startswith(kind_prefix) for address in m.to)


def test_units_are_reminded_three_days_and_one_day_before_the_deadline_exactly_once(clock):
    h1 = opened("2026-H1")
    tick(clock, 2026, 6, 10, 8, 0)
    assert mail.outbox == []  # nine days before: nothing yet
    tick(clock, 2026, 6, 16, 8, 0)
    assert len(mail.outbox) == UNITS
    first = mail.outbox[0]
    assert "còn 3 ngày (hạn 19/06/2026)" in first.subject
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026." in first.body
    assert recipients("Nhắc nộp").count("xom-01@example.invalid") == 1
    tick(clock, 2026, 6, 16, 8, 5)
    tick(clock, 2026, 6, 17, 8, 0)
    assert len(mail.outbox) == UNITS  # reruns the same day and the next day send nothing
    submit(h1, "tramyte")
    tick(clock, 2026, 6, 18, 9, 0)
    one_day = [m for m in mail.outbox if "còn 1 ngày" in m.subject]
    assert len(one_day) == UNITS - 1
    assert "tramyte@example.invalid" not in [a for m in one_day for a in m.to]  # submitted: not reminded
    tick(clock, 2026, 6, 19, 7, 0)
    assert len(mail.outbox) == 2 * UNITS - 1
    notifications = Notification.objects.filter(user=demo("xom-01"), kind="due_soon")
    assert notifications.count() == 2
    assert ReminderLog.objects.filter(kind="due_soon", status="sent").count() == 2 * UNITS - 1


def test_after_the_deadline_the_unit_and_the_coordinator_are_told_once(clock):
    h1 = opened("2026-H1")
    approve(h1, "tramyte")
    clock.set(2026, 6, 20, 8, 0)
    assert {row.unit.code: row.overdue for row in round_status(h1)}["xom-01"] is True
    tick(clock, 2026, 6, 20, 8, 0)
    overdue_units = [m for m in mail.outbox if m.subject.startswith("Báo cáo 6 tháng đầu năm 2026 đã quá hạn")]
    to_coordinator = [m for m in mail.outbox if m.subject.startswith("Báo cáo quá hạn:")]
    assert len(overdue_units) == UNITS - 1 and len(to_coordinator) == UNITS - 1
    assert all(m.to == ["vhxh@example.invalid"] for m in to_coordinator)
    assert "Ban cán sự xóm 1 (mẫu)" in " ".join(m.subject for m in to_coordinator)
    assert not [m for m in mail.outbox if "tramyte@example.invalid" in m.to]
    assert Notification.objects.filter(user=demo("vhxh"), kind="overdue_coordinator").count() == UNITS - 1
    statuses = {row.unit.code: row for row in round_status(h1)}
    assert statuses["xom-01"].overdue is True and statuses["tramyte"].overdue is False
    count = len(mail.outbox)
    tick(clock, 2026, 6, 21, 8, 0)
    tick(clock, 2026, 7, 1, 8, 0)
    assert len(mail.outbox) == count


def test_a_round_opened_late_sends_only_the_nearest_reminder(clock):
    clock.set(2026, 6, 18, 8, 0)
    opened("2026-H1")
    tick(clock, 2026, 6, 18, 8, 0)
    assert len(mail.outbox) == UNITS and all("còn 1 ngày" in m.subject for m in mail.outbox)
    assert ReminderLog.objects.filter(kind="due_soon", offset=3, status="superseded").count() == UNITS
    tick(clock, 2026, 6, 18, 9, 0)
    assert len(mail.outbox) == UNITS


def test_deadline_day_itself_is_still_a_reminder_and_offsets_are_configurable(clock):
    h1 = opened("2026-H1")
    RoundSettings.objects.create(commune=h1.plan.commune, reminder_days_before="5, 2")
    tick(clock, 2026, 6, 14, 8, 0)
    assert len(mail.outbox) == UNITS and "còn 5 ngày" in mail.outbox[0].subject
    tick(clock, 2026, 6, 16, 8, 0)
    assert len(mail.outbox) == UNITS  # 3 is no longer an offset
    tick(clock, 2026, 6, 17, 8, 0)
    assert len(mail.outbox) == 2 * UNITS


class Crash(BaseException):
    """Like the process being killed: not an Exception, nothing catches it."""


class CrashingBackend(EmailBackend):
    sent = 0
    crash_at = 6

    def send_messages(self, messages):
        CrashingBackend.sent += 1
        if CrashingBackend.sent == CrashingBackend.crash_at:
            raise Crash()
        return super().send_messages(messages)


def test_a_crash_half_way_then_a_rerun_sends_the_rest_exactly_once(clock, settings):
    opened("2026-H1")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.CrashingBackend"
    CrashingBackend.sent = 0
    clock.set(2026, 6, 16, 8, 0)
    with pytest.raises(Crash):
        run(clock.now)
    assert len(mail.outbox) == 5
    assert ReminderLog.objects.filter(status="sent").count() == 5
    # The sixth row's in-app notices were committed before its e-mail crashed; its mail step was rolled back.
    assert ReminderLog.objects.filter(status="mail_pending").count() == 1
    assert ReminderLog.objects.filter(status="pending").count() == UNITS - 6  # planned, none skipped
    assert Notification.objects.filter(kind="due_soon").count() == 6
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.set(2026, 6, 16, 8, 5)
    result = run(clock.now)
    assert result.sent == UNITS - 5 and result.planned == 0
    addresses = [a for m in mail.outbox for a in m.to]
    assert len(addresses) == UNITS and len(set(addresses)) == UNITS  # everyone once, nobody twice
    assert Notification.objects.filter(kind="due_soon").count() == UNITS
    assert run(clock.now).sent == 0


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise OSError("Không kết nối được máy chủ thư")


def test_a_mail_server_failure_is_reported_and_retried_next_run(clock, settings):
    opened("2026-H1")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.CountingFailingBackend"
    CountingFailingBackend.calls = 0
    clock.set(2026, 6, 16, 8, 0)
    with pytest.raises(CommandError) as caught:
        call_command("send_reminders", stdout=_Sink())
    assert "sẽ thử lại" in str(caught.value) and "Không kết nối được máy chủ thư" in str(caught.value)
    # The server was tried once; the other e-mails of the run waited for the next one.
    assert CountingFailingBackend.calls == 1
    row = ReminderLog.objects.filter(kind="due_soon").first()
    assert row.status == "mail_pending" and row.attempts == 1
    # The mail server holds back the e-mail only: everyone already has the notice in the application.
    assert Notification.objects.filter(kind="due_soon").count() == UNITS
    clock.set(2026, 6, 16, 8, 5)
    again = run(clock.now)  # still down: tried again once, the notices not doubled
    owed = ReminderLog.objects.filter(status="mail_pending").count()
    assert (again.sent, again.failed, again.deferred) == (0, 1, owed - 1) and owed > 1
    assert CountingFailingBackend.calls == 2
    assert Notification.objects.filter(kind="due_soon").count() == UNITS
    row.refresh_from_db()
    assert row.status == "mail_pending" and row.attempts == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tick(clock, 2026, 6, 16, 8, 10)
    assert len(mail.outbox) == UNITS
    assert Notification.objects.filter(kind="due_soon").count() == UNITS
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 3 and row.last_error == ""
    assert run(clock.now).sent == 0 and len(mail.outbox) == UNITS


def test_a_report_submitted_before_a_pending_reminder_is_delivered_gets_none(clock, settings):
    h1 = opened("2026-H1")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.FailingBackend"
    clock.set(2026, 6, 16, 8, 0)
    run(clock.now)
    submit(h1, "xom-01")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = run(clock.now)
    assert result.sent == UNITS - 1 and result.superseded == 1
    assert "xom-01@example.invalid" not in [a for m in mail.outbox for a in m.to]


def test_reviewer_is_reminded_once_when_a_submitted_report_waits_too_long(clock):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    document = submit(h1, "tramyte")
    tick(clock, 2026, 6, 2, 8, 0)
    assert recipients("Nhắc thẩm định") == []
    tick(clock, 2026, 6, 3, 8, 1)
    assert recipients("Nhắc thẩm định") == ["vhxh@example.invalid"]
    assert "Trạm Y tế xã" in mail.outbox[-1].subject and "01/06/2026" in mail.outbox[-1].body
    tick(clock, 2026, 6, 4, 8, 0)
    assert len(recipients("Nhắc thẩm định")) == 1
    # Taken for review, returned, resubmitted: a new submission gets its own reminder.
    perform_transition(document.pk, demo("vhxh"), "start_review")
    perform_transition(document.pk, demo("vhxh"), "return", "Bổ sung minh chứng.")
    clock.set(2026, 6, 5, 8, 0)
    perform_transition(document.pk, demo("tramyte"), "submit")
    tick(clock, 2026, 6, 8, 8, 0)
    assert len(recipients("Nhắc thẩm định")) == 2
    assert Notification.objects.filter(user=demo("vhxh"), kind="review_pending").count() == 2


def test_reviewer_setting_changes_the_waiting_time(clock):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    RoundSettings.objects.create(commune=h1.plan.commune, review_after_days=5)
    submit(h1, "tramyte")
    tick(clock, 2026, 6, 4, 8, 0)
    assert recipients("Nhắc thẩm định") == []
    tick(clock, 2026, 6, 6, 8, 1)
    assert recipients("Nhắc thẩm định") == ["vhxh@example.invalid"]


def test_authors_are_told_when_their_report_is_returned_or_approved(clock, django_capture_on_commit_callbacks):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    document = submit(h1, "xom-01")
    vhxh = demo("vhxh")
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(document.pk, vhxh, "start_review")
        perform_transition(document.pk, vhxh, "return", "Đề nghị bổ sung số liệu tuyên truyền.")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xom-01@example.invalid"]
    assert mail.outbox[0].subject.startswith("Văn bản bị trả lại")
    assert "Đề nghị bổ sung số liệu tuyên truyền." in mail.outbox[0].body
    notice = Notification.objects.get(user=demo("xom-01"), kind="returned")
    assert notice.document_id == document.pk
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(document.pk, demo("xom-01"), "submit")
        perform_transition(document.pk, vhxh, "start_review")
        perform_transition(document.pk, vhxh, "approve")
    assert mail.outbox[-1].subject.startswith("Văn bản đã được duyệt")
    assert Notification.objects.filter(user=demo("xom-01"), kind="approved").count() == 1
    assert len(mail.outbox) == 2
    # The scheduler does not send them again.
    tick(clock, 2026, 6, 1, 9, 0)
    assert [m.subject for m in mail.outbox].count(mail.outbox[1].subject) == 1


def test_a_notice_that_cannot_be_mailed_does_not_break_the_transition(clock, settings, django_capture_on_commit_callbacks):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    document = submit(h1, "xom-01")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(document.pk, demo("vhxh"), "start_review")
        approved = perform_transition(document.pk, demo("vhxh"), "approve")
    assert approved.state == "approved"
    row = ReminderLog.objects.get(document=document, kind="approved")
    assert row.status == "mail_pending" and row.attempts == 1 and "máy chủ thư" in row.last_error
    assert Notification.objects.filter(document=document, kind="approved").count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run(clock.now).sent == 1
    assert [m.subject for m in mail.outbox] == [row.subject]


class CountingFailingBackend(FailingBackend):
    calls = 0

    def send_messages(self, messages):
        CountingFailingBackend.calls += 1
        return super().send_messages(messages)


def test_after_a_failed_e_mail_the_next_clicks_do_not_wait_for_the_mail_server(clock, settings, django_capture_on_commit_callbacks):
    """Without workers the notices of a step are delivered in the request that took it: once an
    e-mail has failed, the following steps tell their readers in the application at once and leave
    the e-mail to the next reminder run, which sends each one once."""
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.CountingFailingBackend"
    CountingFailingBackend.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        document = submit(h1, "xom-01")
    assert CountingFailingBackend.calls == 1  # the reviewers' notice: tried, failed
    with django_capture_on_commit_callbacks(execute=True):
        perform_transition(document.pk, demo("vhxh"), "start_review")
        perform_transition(document.pk, demo("vhxh"), "approve")
    assert CountingFailingBackend.calls == 1  # not tried again within minutes
    approved = ReminderLog.objects.get(document=document, kind="approved")
    assert approved.status == "mail_pending" and approved.attempts == 1
    assert Notification.objects.filter(document=document, kind="approved").count() == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    result = run(clock.now)
    # The reviewers' e-mail asked for a step taken meanwhile: not sent. The author's is.
    assert (result.sent, result.superseded, result.failed) == (1, 1, 0)
    assert [m.subject for m in mail.outbox] == [approved.subject]
    assert ReminderLog.objects.get(document=document, kind="to_review").status == "superseded"
    assert Notification.objects.filter(document=document, kind="approved").count() == 1


class RefusingBackend(EmailBackend):
    """A mail server that is up but refuses one address, for good (550) or for now (450)."""

    code = 550

    def send_messages(self, messages):
        if any("xom-01@" in address for message in messages for address in message.to):
            raise smtplib.SMTPRecipientsRefused({"xom-01@example.invalid": (RefusingBackend.code, b"No such user")})
        return super().send_messages(messages)


@pytest.mark.parametrize("code, then", [(550, "refused"), (450, "mail_pending")])
def test_a_refused_address_holds_back_its_own_e_mail_only(clock, settings, code, then):
    opened("2026-H1")
    settings.EMAIL_BACKEND = "tests.rounds.test_reminders.RefusingBackend"
    RefusingBackend.code = code
    clock.set(2026, 6, 16, 8, 0)
    result = run(clock.now)
    assert (result.sent, result.failed, result.deferred) == (UNITS - 1, 1, 0)
    assert "xom-01@example.invalid" not in [a for m in mail.outbox for a in m.to]
    refused = ReminderLog.objects.get(emails=["xom-01@example.invalid"], kind="due_soon")
    assert refused.status == then and "No such user" in refused.last_error and refused.attempts == 1
    assert Notification.objects.filter(kind="due_soon").count() == UNITS
    # Nothing noted the server as down: a step taken now still mails at once.
    from django.core.cache import cache

    assert cache.get("rounds:mail-down") is None
    # A refusal for good is not tried again; one for now is, at the next run.
    again = run(clock.now)
    assert (again.sent, again.failed) == ((0, 0) if code == 550 else (0, 1))
    refused.refresh_from_db()
    assert refused.attempts == (1 if code == 550 else 2)


def test_send_reminders_rejects_a_bad_time(clock):
    with pytest.raises(CommandError) as caught:
        call_command("send_reminders", "--now", "hôm qua")
    assert "ISO 8601" in str(caught.value)


def test_send_reminders_prints_a_vietnamese_summary(clock):
    opened("2026-H1")
    clock.set(2026, 6, 16, 8, 0)
    out = _Sink()
    call_command("send_reminders", "--now", "2026-06-16T08:00", stdout=out)
    assert f"đã gửi: {UNITS}" in out.text
    out = _Sink()
    call_command("send_reminders", "--now", "2026-06-16T08:00", stdout=out)
    assert "Nhắc việc mới: 0; đã gửi: 0" in out.text



def _planning_queries(clock, when):
    clock.set(*when)
    with CaptureQueriesContext(connection) as captured:
        planned = plan_reminders()
    # Reads only: the rows are inserted in batches, whose number follows the database's parameter limit.
    return planned, sum(1 for q in captured if q["sql"].lstrip().upper().startswith("SELECT"))


def test_planning_reads_the_directory_once_whatever_the_number_of_overdue_reports(clock):
    """The staff directory is loaded once per run and indexed, so planning runs a fixed number of
    queries for 24 or 44 overdue reports; a second run finds every notice written and plans none."""
    opened("2026-H1")
    planned, few = _planning_queries(clock, (2026, 6, 20, 8, 0))
    assert planned == 2 * UNITS
    ReminderLog.objects.all().delete()
    add_xom(20)
    open_round(Period.objects.get(code="2026-H1"), demo("vhxh"))
    planned, many = _planning_queries(clock, (2026, 6, 20, 8, 0))
    assert planned == 2 * (UNITS + 20)
    assert many == few
    again, _ = _planning_queries(clock, (2026, 6, 21, 8, 0))
    assert again == 0
