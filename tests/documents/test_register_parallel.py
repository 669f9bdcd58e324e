"""Numbering under real concurrency on PostgreSQL: dozens of signed documents issued at the same
instant from several threads (each with its own connection) get exactly 01..N, and failing issues
leave no hole."""
import pytest

from documents.models import IssuedFile, NumberSequence, RegisterEntry
from organizations.models import Commune
from plans.models import Period
from tests.helpers.parallel import postgres_only, in_parallel
from tests.helpers.workflow import signed_plan_document, the_plan, issue, signed_summary_report
from workflows.errors import Unavailable
from workflows.models import AuditEntry, Document, State

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]

THREADS = 10


def issuer(documents):
    """A worker that issues its documents one after another; returns their numbers."""
    def work():
        numbers = []
        for document in documents:
            try:
                numbers.append(issue(document).number)
            except Unavailable:
                numbers.append(None)
        return numbers
    return work


def split(items, count=THREADS):
    return [items[i::count] for i in range(count)]


def test_thirty_documents_issued_at_once_are_numbered_01_to_30():
    documents = [signed_plan_document(f"Kế hoạch song song {i:02d}") for i in range(30)]

    results = in_parallel(*(issuer(group) for group in split(documents)))

    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(n for _, batch in results for n in batch)
    assert numbers == list(range(1, 31))
    assert [e.symbol for e in RegisterEntry.objects.order_by("number")] == [f"{n:02d}/KH-UBND" for n in range(1, 31)]
    assert Document.objects.filter(pk__in=[d.pk for d in documents], state=State.ISSUED).count() == 30
    assert IssuedFile.objects.filter(document__in=documents).count() == 30
    assert AuditEntry.objects.filter(transition="issue").count() == 30
    assert NumberSequence.objects.get(commune=the_plan().commune, key="").last_number == 30


def test_failing_issues_in_the_crowd_leave_no_hole(fail_rendering_for):
    documents = [signed_plan_document(f"Kế hoạch {i:02d}") for i in range(20)]
    failing = documents[3::4]  # 5 of 20 fail while rendering, inside the issue transaction
    fail_rendering_for.update(d.pk for d in failing)

    results = in_parallel(*(issuer(group) for group in split(documents)))

    assert all(kind == "ok" for kind, _ in results), results
    numbers = sorted(n for _, batch in results for n in batch if n is not None)
    assert numbers == list(range(1, 16))
    assert Document.objects.filter(pk__in=[d.pk for d in failing], state=State.SIGNED, number__isnull=True).count() == 5
    assert not RegisterEntry.objects.filter(document__in=failing).exists()
    assert NumberSequence.objects.get(key="").last_number == 15

    # Once rendering works again, the documents that failed continue the sequence.
    fail_rendering_for.clear()
    assert sorted(issue(d).number for d in failing) == list(range(16, 21))
    assert sorted(RegisterEntry.objects.values_list("number", flat=True)) == list(range(1, 21))


def test_one_sequence_per_type_in_parallel():
    Commune.objects.filter(pk=the_plan().commune_id).update(shared_numbering=False)
    periods = list(Period.objects.filter(plan=the_plan()).order_by("data_end", "kind").values_list("code", flat=True))[:THREADS]
    plans = [signed_plan_document(f"Kế hoạch {i:02d}") for i in range(THREADS)]
    reports = [signed_summary_report(code) for code in periods]

    results = in_parallel(*(issuer([plan_doc, report]) for plan_doc, report in zip(plans, reports)))

    assert all(kind == "ok" for kind, _ in results), results
    by_key = {
        key: sorted(RegisterEntry.objects.filter(sequence_key=key).values_list("number", flat=True)) for key in ("KH", "BC")
    }
    assert by_key == {"KH": list(range(1, THREADS + 1)), "BC": list(range(1, THREADS + 1))}
    symbols = set(RegisterEntry.objects.values_list("symbol", flat=True))
    assert len(symbols) == 2 * THREADS
    assert "10/BC-UBND" in symbols and "01/KH-UBND" in symbols


def test_a_slow_render_holds_back_no_other_issue(monkeypatch):
    """The file is rendered before the register is locked: while one issue is stuck rendering,
    another issue of the same commune takes its number and commits; the slow one then takes the next."""
    import threading

    from documents import rendering

    slow, quick = signed_plan_document("Kế hoạch dựng chậm"), signed_plan_document("Kế hoạch dựng nhanh")
    rendering_slow, release = threading.Event(), threading.Event()
    original = rendering.prepare_issued_file

    def prepare(document, **kwargs):
        if document.pk == slow.pk:
            rendering_slow.set()
            assert release.wait(60), "the quick issue never finished"
        return original(document, **kwargs)

    monkeypatch.setattr(rendering, "prepare_issued_file", prepare)

    def issue_slow():
        return issue(slow).number

    def issue_quick():
        assert rendering_slow.wait(60)
        number = issue(quick).number  # would wait for the slow one if it held the register lock
        release.set()
        return number

    results = in_parallel(issue_slow, issue_quick, timeout=90)

    assert results == [("ok", 2), ("ok", 1)]
    assert sorted(RegisterEntry.objects.values_list("number", flat=True)) == [1, 2]
