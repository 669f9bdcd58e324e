"""Unit reports as their unit issues them: the unit's head signs (name and title from the data),
and the report takes the next number of the unit's own register when it is submitted."""
import pytest

from documents.inspection import open_docx, text_lines
from documents.rendering import render_docx
from organizations.models import Unit
from tests.helpers.workflow import demo, fill_unit_report, new_unit_report, run

pytestmark = pytest.mark.django_db


def signature_lines(doc):
    """The right-hand cell of the last table (the signature block), non-empty lines."""
    tables = [t for t in doc.tables]
    right = tables[-1].rows[0].cells[-1]
    return [p.text for p in right.paragraphs if p.text.strip()]


def test_every_unit_has_a_named_head_and_sample_names_are_marked():
    units = list(Unit.objects.all())
    assert len(units) == 25
    for unit in units:
        assert unit.head_title and unit.head_name, unit.code
        # The plan names no unit head: every name in the data is a sample to replace.
        assert unit.head_name.endswith("(mẫu)"), unit.head_name
    assert Unit.objects.get(code="tramyte").head_name == "Hoàng Thị Mai (mẫu)"


def test_unit_report_signature_prints_the_heads_title_and_name():
    document = run(fill_unit_report(new_unit_report()), ("tramyte", "submit"))
    doc = open_docx(render_docx(document))
    assert signature_lines(doc) == ["TRẠM TRƯỞNG", "Hoàng Thị Mai (mẫu)"]
    assert "Hoàng Thị Mai (mẫu)" in text_lines(doc)
    assert demo("tramyte").unit.head_name == "Hoàng Thị Mai (mẫu)"


# --- the unit's own register ---------------------------------------------------------------------
from documents.models import UnitSequence  # noqa: E402
from tests.helpers.workflow import RETURN_COMMENT  # noqa: E402


def submitted(username="tramyte", period_code="2026-H1"):
    return run(fill_unit_report(new_unit_report(username, period_code), username), (username, "submit"))


def test_submit_takes_the_next_number_of_the_units_register():
    first = submitted("tramyte", "2026-H1")
    second = submitted("tramyte", "2026-Y")
    other_unit = submitted("kinhte", "2026-H1")
    assert (first.number, first.number_label) == (1, "01/BC-TYT")
    assert (second.number, second.number_label) == (2, "02/BC-TYT")
    assert (other_unit.number, other_unit.number_label) == (1, "01/BC-KT")
    year = first.submitted_at.year
    assert UnitSequence.objects.get(unit__code="tramyte", year=year).last_number == 2

    doc = open_docx(render_docx(second))
    lines = text_lines(doc)
    assert "Số: 02/BC-TYT" in lines
    assert signature_lines(doc) == ["TRẠM TRƯỞNG", "Hoàng Thị Mai (mẫu)"]


def test_a_draft_has_no_number():
    document = fill_unit_report(new_unit_report())
    assert document.number is None and document.number_label == ""
    assert "Số: /BC-TYT" in text_lines(open_docx(render_docx(document)))


def test_withdrawn_or_returned_and_resubmitted_keeps_its_number():
    document = submitted()
    assert document.number_label == "01/BC-TYT"
    document = run(document, ("tramyte", "withdraw"), ("tramyte", "submit"))
    assert document.number_label == "01/BC-TYT"
    document = run(document, ("vhxh", "start_review"), ("vhxh", "return", RETURN_COMMENT), ("tramyte", "submit"))
    assert document.number_label == "01/BC-TYT"
    # Nothing was taken by the resubmissions: the next report is 02.
    assert submitted("tramyte", "2026-Y").number_label == "02/BC-TYT"


def test_a_refused_submission_takes_no_number():
    from workflows.errors import Invalid
    from workflows.services import perform_transition

    empty = new_unit_report()
    with pytest.raises(Invalid):
        perform_transition(empty.pk, demo("tramyte"), "submit")
    assert not UnitSequence.objects.filter(unit__code="tramyte").exists()
    assert submitted("tramyte", "2026-Y").number_label == "01/BC-TYT"
