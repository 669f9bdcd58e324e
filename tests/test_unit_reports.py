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
