"""A unit's own register under real concurrency on PostgreSQL: reports of two units for many
periods submitted at the same instant from separate connections get exactly 01..N per unit."""
import pytest

from documents.models import UnitSequence
from plans.models import Period
from tests.helpers.parallel import in_parallel, postgres_only
from tests.helpers.workflow import demo, fill_unit_report, new_unit_report, the_plan
from workflows.models import AuditEntry, Document, State
from workflows.services import perform_transition

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]

PERIODS = 6


def submitter(document, username):
    return lambda: perform_transition(document.pk, demo(username), "submit").number_label


def test_reports_submitted_at_once_are_numbered_gapless_per_unit():
    codes = list(Period.objects.filter(plan=the_plan()).order_by("data_end", "kind").values_list("code", flat=True))[:PERIODS]
    drafts = [
        (fill_unit_report(new_unit_report(username, code), username), username)
        for code in codes
        for username in ("tramyte", "kinhte")
    ]

    results = in_parallel(*(submitter(document, username) for document, username in drafts))

    assert all(kind == "ok" for kind, _ in results), results
    labels = [label for _, label in results]
    expected = {f"{n:02d}/BC-{abbreviation}" for n in range(1, PERIODS + 1) for abbreviation in ("TYT", "KT")}
    assert sorted(labels) == sorted(expected)  # no repeat, no hole
    submitted = Document.objects.filter(pk__in=[d.pk for d, _ in drafts])
    assert submitted.filter(state=State.SUBMITTED).count() == 2 * PERIODS
    assert AuditEntry.objects.filter(transition="submit", document__in=submitted).count() == 2 * PERIODS
    assert sorted(UnitSequence.objects.values_list("unit__code", "last_number")) == [("kinhte", PERIODS), ("tramyte", PERIODS)]
