"""Office handling under real concurrency (PostgreSQL): two people hand over the same document at
once, two staff answer the same coordination request at once, two people urge the same late unit
at once. Each time exactly one wins; the other gets 409 (or, for đôn đốc, "already sent")."""
from datetime import timedelta

import pytest
from django.utils import timezone

from rounds import urging
from rounds.models import Notification, ReminderLog
from tests.helpers.office import colleague
from tests.helpers.parallel import in_parallel, postgres_only
from tests.helpers.workflow import demo, document_in, fill_unit_report, new_unit_report, report_of, run
from tests.helpers.workflow import period as period_of
from rounds.services import open_round
from workflows import handling
from workflows.errors import Conflict
from workflows.models import AuditEntry, Consultation

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]


def test_two_hand_overs_at_once_one_wins():
    hoa = colleague(username="vhxh2", full_name="Lê Thị Hoa")
    nam = colleague(username="vhxh3", full_name="Phan Văn Nam")
    vhxh = demo("vhxh")
    for code in ("2026-H1", "2026-Y", "2027-H1"):
        document = run(fill_unit_report(new_unit_report("tramyte", period_code=code)), ("tramyte", "submit"))
        # Both saw it unassigned (the page sends what it showed) and hand it on at the same instant:
        # the second acts on a stale page and must not silently take it back from the first's choice.
        results = in_parallel(
            lambda: handling.hand_over(document.pk, vhxh, hoa.pk, "Chị Hoa xử lý", expected_assignee=0),
            lambda: handling.hand_over(document.pk, hoa, nam.pk, "Anh Nam xử lý", expected_assignee=0),
        )
        kinds = sorted(kind for kind, _ in results)
        assert kinds == ["error", "ok"], results
        error = next(value for kind, value in results if kind == "error")
        assert isinstance(error, Conflict) and error.status == 409, repr(error)
        assert AuditEntry.objects.filter(document=document, transition="hand_over").count() == 1
        document.refresh_from_db()
        assert document.assignee_id in (hoa.pk, nam.pk)
    # Without the page's view: two holders hand to the same colleague at once; the later one no longer holds it.
    document = run(fill_unit_report(new_unit_report("tramyte", period_code="2027-Y")), ("tramyte", "submit"))
    results = in_parallel(
        lambda: handling.hand_over(document.pk, vhxh, nam.pk, "Anh Nam xử lý"),
        lambda: handling.hand_over(document.pk, hoa, nam.pk, "Anh Nam xử lý"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert AuditEntry.objects.filter(document=document, transition="hand_over").count() == 1


def test_two_answers_to_one_request_at_once_one_wins():
    document = document_in("unit_report", "under_review")
    consultation = handling.request_consultation(document.pk, demo("vhxh"), "kinhte", "Cho ý kiến", timezone.localdate() + timedelta(days=1))
    other = colleague(unit_code="kinhte", username="kinhte2", roles=("drafter",), full_name="Cán bộ Kinh tế 2")
    results = in_parallel(
        lambda: handling.answer_consultation(consultation.pk, demo("kinhte"), "Ý kiến thứ nhất"),
        lambda: handling.answer_consultation(consultation.pk, other, "Ý kiến thứ hai"),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(v for k, v in results if k == "error"), Conflict)
    assert AuditEntry.objects.filter(document=document, transition="consult_answer").count() == 1
    assert Consultation.objects.get(pk=consultation.pk).answer in ("Ý kiến thứ nhất", "Ý kiến thứ hai")


def test_two_urges_at_once_send_one_reminder(monkeypatch):
    period = period_of("2026-H1")
    open_round(period, demo("vhxh"))
    document = report_of(period, "congan")
    # Late, whatever day the suite runs on (the service's own rule is tested in tests/web and tests/api).
    monkeypatch.setattr(urging, "is_late", lambda doc, today=None: True)
    results = in_parallel(lambda: urging.urge(document.pk, demo("vhxh")), lambda: urging.urge(document.pk, demo("pct")))
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(value.sent_now for _, value in results) == [False, True]
    assert ReminderLog.objects.filter(document=document, kind="urge").count() == 1
    staff = Notification.objects.filter(document=document, kind="urge")
    assert staff.count() == staff.values("user").distinct().count() >= 1
