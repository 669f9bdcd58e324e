"""Issuing digitally signed documents at the same instant on PostgreSQL: the numbers stay 01..N
without holes, and every original carries two valid signatures with its own number stamped."""
import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from signatures import outside_loop
from signatures.keys import validation_context
from signatures.models import SignedPdf
from tests.helpers.parallel import in_parallel, postgres_only
from tests.helpers.workflow import COMMUNE_STEPS, new_plan_document, run

pytestmark = [
    postgres_only,
    pytest.mark.signing,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("demo_snapshot"),
]


def test_parallel_issues_with_the_organisation_signature_are_numbered_without_holes(signing_keys):
    documents = [run(new_plan_document(f"Kế hoạch ký số song song {i}"), *COMMUNE_STEPS["signed"]) for i in range(4)]

    results = in_parallel(*(lambda d=d: run(d, ("vanthu", "issue")).number_label for d in documents))

    assert all(kind == "ok" for kind, _ in results), results
    labels = sorted(label for _, label in results)
    assert labels == [f"{n:02d}/KH-UBND" for n in range(1, 5)]
    for document, (_, label) in zip(documents, results):
        data = SignedPdf.objects.get(document=document, stage="issued").content()
        statuses = [outside_loop.call(validate_pdf_signature, s, validation_context()) for s in PdfFileReader(io.BytesIO(data)).embedded_signatures]
        assert len(statuses) == 2 and all(s.bottom_line for s in statuses)
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert f"Số: {label}" in text
