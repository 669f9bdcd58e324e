"""The register of outgoing documents (sổ văn bản đi): numbers in order of issue, 01 from 1 January,
one shared sequence or one per type, no gaps and no duplicates, even when many documents are issued
at the same instant and some issues fail.

These run on both databases; test_register_parallel.py issues in parallel on PostgreSQL.
"""
import datetime

import pytest
from django.utils import timezone

from documents.models import IssuedFile, NumberSequence, RegisterEntry
from documents.register import format_number, register_entries, symbol
from organizations.models import Commune
from tests.helpers.workflow import COMMUNE_STEPS, issue, new_summary_report, run, signed_plan_document, signed_summary_report, the_plan
from workflows.errors import Unavailable, WrongState
from workflows.models import AuditEntry, Document, State

UTC = datetime.timezone.utc


def labels(documents):
    return [Document.objects.get(pk=d.pk).number_label for d in documents]


def set_time(monkeypatch, utc_datetime):
    monkeypatch.setattr(timezone, "now", lambda: utc_datetime)


# --- both databases ----------------------------------------------------------------------------

def test_format_and_symbol():
    assert [format_number(n) for n in (1, 9, 10, 123)] == ["01", "09", "10", "123"]
    assert symbol(7, "BC", "UBND") == "07/BC-UBND"


@pytest.mark.django_db
def test_shared_sequence_numbers_every_type_in_order_of_issue():
    first = signed_plan_document("Kế hoạch số một")
    report = signed_summary_report("2026-H1")
    second = signed_plan_document("Kế hoạch số hai")
    for document in (second, report, first):  # issue order decides, not creation order
        issue(document)
    assert labels([second, report, first]) == ["01/KH-UBND", "02/BC-UBND", "03/KH-UBND"]

    commune = the_plan().commune
    year = timezone.localdate().year
    entries = list(register_entries(commune, year))
    assert [(e.number, e.symbol, e.sequence_key) for e in entries] == [(1, "01/KH-UBND", ""), (2, "02/BC-UBND", ""), (3, "03/KH-UBND", "")]
    entry = entries[1]
    assert entry.document_id == report.pk
    assert entry.excerpt == report.title
    assert entry.signer_name == "Đào Hồng Thanh"
    assert entry.clerk.username == "vanthu"
    assert entry.issued_on == timezone.localdate()
    assert entry.recipients == list(the_plan().recipients)
    assert NumberSequence.objects.get(commune=commune, year=year, key="").last_number == 3


@pytest.mark.django_db
def test_one_sequence_per_type_when_the_commune_chooses_so():
    Commune.objects.filter(pk=the_plan().commune_id).update(shared_numbering=False)
    plan_a = signed_plan_document("Kế hoạch A")
    report = signed_summary_report("2026-H1")
    plan_b = signed_plan_document("Kế hoạch B")
    for document in (plan_a, report, plan_b):
        issue(document)
    assert labels([plan_a, report, plan_b]) == ["01/KH-UBND", "01/BC-UBND", "02/KH-UBND"]
    keys = dict(NumberSequence.objects.filter(commune_id=the_plan().commune_id).values_list("key", "last_number"))
    assert keys == {"KH": 2, "BC": 1}


@pytest.mark.django_db
def test_numbers_restart_at_01_on_1_january_local_time(monkeypatch):
    documents = [signed_plan_document(f"Kế hoạch cuối năm {i}") for i in range(3)]
    # 16:59 UTC on 31/12 is 23:59 in Hà Nội; 17:01 UTC is already 00:01 on 1/1 of the next year.
    set_time(monkeypatch, datetime.datetime(2026, 12, 31, 16, 59, tzinfo=UTC))
    issue(documents[0])
    issue(documents[1])
    set_time(monkeypatch, datetime.datetime(2026, 12, 31, 17, 1, tzinfo=UTC))
    issue(documents[2])

    rows = [(d.number_label, d.issued_on) for d in Document.objects.filter(pk__in=[d.pk for d in documents]).order_by("pk")]
    assert rows == [
        ("01/KH-UBND", datetime.date(2026, 12, 31)),
        ("02/KH-UBND", datetime.date(2026, 12, 31)),
        ("01/KH-UBND", datetime.date(2027, 1, 1)),
    ]
    commune = the_plan().commune
    assert [e.number for e in register_entries(commune, 2026)] == [1, 2]
    assert [e.number for e in register_entries(commune, 2027)] == [1]


@pytest.mark.django_db
def test_a_failed_issue_takes_no_number(fail_rendering_for):
    unlucky = signed_plan_document("Kế hoạch lỗi khi dựng tệp")
    lucky = signed_plan_document("Kế hoạch ban hành bình thường")
    fail_rendering_for.add(unlucky.pk)

    with pytest.raises(Unavailable):
        issue(unlucky)

    unlucky.refresh_from_db()
    assert unlucky.state == State.SIGNED
    assert (unlucky.number, unlucky.number_label, unlucky.issued_on) == (None, "", None)
    assert not RegisterEntry.objects.filter(document=unlucky).exists()
    assert not IssuedFile.objects.filter(document=unlucky).exists()
    assert not AuditEntry.objects.filter(document=unlucky, transition="issue").exists()

    assert issue(lucky).number_label == "01/KH-UBND"
    fail_rendering_for.clear()
    assert issue(unlucky).number_label == "02/KH-UBND"
    assert sorted(RegisterEntry.objects.values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db
def test_only_signed_documents_get_a_number():
    document = run(new_summary_report("2026-Y"), *COMMUNE_STEPS["approved"])
    with pytest.raises(WrongState):
        issue(document)
    assert not RegisterEntry.objects.exists()
    assert not NumberSequence.objects.filter(last_number__gt=0).exists()
