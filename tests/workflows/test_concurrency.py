"""Concurrency on PostgreSQL, for real: threads with their own database connections, started at the
same instant by a barrier, each running the service in its own transaction.

SQLite serialises every writer, so these tests only run when DATABASE_URL points at PostgreSQL.
Transactional tests empty the database when they finish; `demo_snapshot` (tests/conftest.py)
restores the demo data before each test and once more at the end of the module.
"""
import pytest

from accounts.models import Role, User
from tests.helpers.parallel import in_parallel, postgres_only
from tests.helpers.workflow import RETURN_COMMENT, demo, fill_unit_report, new_unit_report, run
from workflows.errors import Conflict, WorkflowError, WrongState
from workflows.models import AuditEntry, Document, DocumentVersion, State
from workflows.services import perform_transition, update_document

# serialized_rollback: each test starts from the session's snapshot of the demo data.
pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]


def _demo_loaded():
    return User.objects.filter(username="tramyte").exists()


@pytest.fixture
def second_reviewer():
    """A second reviewer in Phòng VH-XH, so two people can approve the same report."""
    vhxh = demo("vhxh")
    return User.objects.create(
        username="vhxh-2", full_name="Cán bộ thẩm định thứ hai", unit=vhxh.unit, commune=vhxh.commune, roles=[Role.REVIEWER]
    )


@pytest.mark.parametrize("expected_state", [None, State.UNDER_REVIEW])
def test_two_reviewers_approving_at_once_one_wins(second_reviewer, expected_state):
    reviewers = [demo("vhxh"), second_reviewer]
    for round_ in range(5):
        document = new_unit_report("tramyte", period_code=["2026-H1", "2026-Y", "2027-H1", "2027-Y", "2028-H1"][round_])
        document = run(fill_unit_report(document), ("tramyte", "submit"), ("vhxh", "start_review"))

        results = in_parallel(
            *(lambda user=user: perform_transition(document.pk, user, "approve", expected_state=expected_state) for user in reviewers)
        )

        outcomes = sorted(kind for kind, _ in results)
        assert outcomes == ["error", "ok"], results
        error = next(value for kind, value in results if kind == "error")
        assert isinstance(error, (Conflict, WrongState)), repr(error)
        assert error.status == 409
        if expected_state:
            assert isinstance(error, Conflict)
        document.refresh_from_db()
        assert document.state == State.APPROVED
        assert AuditEntry.objects.filter(document=document, transition="approve").count() == 1


def test_approve_and_return_at_once_one_wins(second_reviewer):
    document = run(fill_unit_report(new_unit_report("tramyte")), ("tramyte", "submit"), ("vhxh", "start_review"))
    results = in_parallel(
        lambda: perform_transition(document.pk, demo("vhxh"), "approve"),
        lambda: perform_transition(document.pk, second_reviewer, "return", RETURN_COMMENT),
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    document.refresh_from_db()
    entries = list(AuditEntry.objects.filter(document=document).exclude(transition__in=("submit", "start_review")))
    assert len(entries) == 1
    assert entries[0].target == document.state


def test_many_reviewers_at_once_exactly_one_succeeds():
    vhxh = demo("vhxh")
    reviewers = [
        User.objects.create(username=f"reviewer-{i}", unit=vhxh.unit, commune=vhxh.commune, roles=[Role.REVIEWER])
        for i in range(8)
    ]
    document = run(fill_unit_report(new_unit_report("tramyte")), ("tramyte", "submit"), ("vhxh", "start_review"))
    results = in_parallel(*(lambda user=user: perform_transition(document.pk, user, "approve") for user in reviewers))
    assert [kind for kind, _ in results].count("ok") == 1
    assert all(isinstance(value, WorkflowError) and value.status == 409 for kind, value in results if kind == "error")
    assert AuditEntry.objects.filter(document=document, transition="approve").count() == 1


def test_two_saves_from_the_same_stale_version_one_wins():
    for round_ in range(5):
        document = new_unit_report("kinhte", period_code=["2026-H1", "2026-Y", "2027-H1", "2027-Y", "2028-H1"][round_])
        base = document.version
        texts = ["Bản của máy thứ nhất.", "Bản của máy thứ hai."]

        results = in_parallel(
            *(
                lambda text=text: update_document(document.pk, demo("kinhte"), version=base, sections={"results": text})
                for text in texts
            )
        )

        assert sorted(kind for kind, _ in results) == ["error", "ok"], results
        winner = texts[[kind for kind, _ in results].index("ok")]
        error = next(value for kind, value in results if kind == "error")
        assert isinstance(error, Conflict) and error.status == 409
        document.refresh_from_db()
        assert document.version == base + 1
        assert document.content["sections"]["results"] == winner
        versions = DocumentVersion.objects.filter(document=document)
        assert versions.count() == 2
        assert versions.get(number=base + 1).content["sections"]["results"] == winner


def test_save_and_submit_at_once_never_submit_unsaved_or_edit_submitted():
    document = fill_unit_report(new_unit_report("tramyte"))
    base = document.version
    results = in_parallel(
        lambda: update_document(document.pk, demo("tramyte"), version=base, sections={"results": "Sửa vào phút chót."}),
        lambda: perform_transition(document.pk, demo("tramyte"), "submit"),
    )
    assert [kind for kind, _ in results].count("ok") >= 1, results
    document.refresh_from_db()
    submit = AuditEntry.objects.get(document=document, transition="submit")
    # Whatever the order, the audit entry names the version that was actually submitted.
    assert submit.version == document.version
    if results[0][0] == "ok":
        assert document.content["sections"]["results"] == "Sửa vào phút chót."
    else:
        assert isinstance(results[0][1], WrongState)
        assert document.version == base


def test_documents_of_different_units_do_not_block_each_other():
    reports = [fill_unit_report(new_unit_report(name), name) for name in ("tramyte", "kinhte", "congan", "xom-01")]
    results = in_parallel(*(lambda d=d: perform_transition(d.pk, demo(d.unit.code), "submit") for d in reports))
    assert all(kind == "ok" for kind, _ in results), results
    assert Document.objects.filter(pk__in=[d.pk for d in reports], state=State.SUBMITTED).count() == 4


def test_the_same_unit_report_created_twice_at_once_exists_once():
    results = in_parallel(*(lambda: new_unit_report("tramyte", "2026-Y") for _ in range(2)))
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, Conflict) and error.status == 409
    assert Document.objects.filter(kind="unit_report", unit__code="tramyte", period__code="2026-Y").count() == 1
