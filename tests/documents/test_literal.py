"""Whatever the user typed appears literally: XML specials, template tags, quotes, line breaks,
very long words, decomposed diacritics. Nothing is interpreted and the file never breaks."""
import re
import unicodedata

import pytest

from documents.inspection import iter_paragraphs, open_docx
from documents.rendering import render_docx, render_template
from documents.templates import builtin_template, sample_context
from tests.helpers.workflow import another_plan, demo, new_unit_report
from workflows.models import Document
from workflows.services import create_document, targets_for, update_document

pytestmark = pytest.mark.django_db

TRICKY_LINES = [
    "Chi phí & lợi ích <b>đậm</b> \"trích dẫn\" 'đơn' > 5 < 7",
    "{{ title }} và {% if draft %}NẾU{% endif %} và {{r x }} và {%p endfor %}",
    "{_{ x }_} và {_% y %_} và {# chú thích #} và {%tr for r in rows %}",
    "</w:t></w:r></w:p><w:p><w:r><w:t>chèn XML",
    "]]> &amp; &#123; &lt; \\n \\a",
    "Từ" + "rấtdài" * 120,
    "- gạch đầu dòng có {{ biến }}",
    "+ dấu cộng với %} và {%",
]


def texts(doc):
    return [p.text for p in iter_paragraphs(doc)]


def test_plan_sections_title_print_literally():
    title = "Kế hoạch «thử» & <kiểm tra> {{ title }} {% raw %}"
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title=title)
    document = update_document(
        document.pk,
        demo("vhxh"),
        version=document.version,
        sections={"preamble": "\n".join(TRICKY_LINES), "purposes": "1. Mục đích {{ x }}\n\n\na) điểm & <a>"},
    )
    doc = open_docx(render_docx(document))
    lines = texts(doc)
    assert title in lines
    for line in TRICKY_LINES:
        assert line in lines, line
    assert "1. Mục đích {{ x }}" in lines
    assert "a) điểm & <a>./." in lines  # the last sentence carries the end mark
    # Blank lines are dropped, never printed as empty paragraphs of the body.
    assert lines.count("") < 20
    # No tag was evaluated: the template's own title never replaced the user's "{{ title }}".
    assert not any("NẾU" == line for line in lines)


def test_unit_report_values_notes_and_initiatives_print_literally():
    document = new_unit_report()
    targets = targets_for(document)
    note = "Ghi chú & <ghi> {{ note }}\ndòng thứ hai {% endfor %}"
    values = [{"code": t.code, "value": {"percent": 50, "count": 1, "boolean": False, "text": "Văn bản {{ x }} & <y>"}[t.input_kind], "note": note} for t in targets]
    document = update_document(
        document.pk,
        demo("tramyte"),
        version=document.version,
        values=values,
        initiatives=[{"name": "Mô hình {{ tên }} & <số>", "kind": "Khác", "note": "ghi chú %} {%"}],
        sections={"results": "Kết quả {{ kq }}"},
    )
    doc = open_docx(render_docx(document))
    table = doc.tables[1]
    notes = [row.cells[3].text for row in table.rows[1:]]
    assert notes == [note] * len(targets)
    results = [row.cells[2].text for row in table.rows[1:]]
    expected = {"percent": "50%", "boolean": "Chưa đạt", "text": "Văn bản {{ x }} & <y>"}
    for target, result in zip(targets, results):
        if target.input_kind == "count":
            assert re.match(r"^1( \S.*)?$", result), result  # "1" or "1 mô hình"
        else:
            assert result == expected[target.input_kind]
    lines = texts(doc)
    # The model line: “quoted” name, final punctuation, literal text.
    assert "- Mô hình “{{ tên }} & <số>”: ghi chú %} {%." in lines
    assert "Kết quả {{ kq }}./." in lines


def test_decomposed_diacritics_are_printed_composed():
    decomposed = unicodedata.normalize("NFD", "Tiếng Việt có dấu: Ủy ban, Đảng ủy, Hạnh phúc")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title="Kế hoạch NFD")
    # Written around the services, as a data import could: the renderer normalises by itself.
    Document.objects.filter(pk=document.pk).update(
        title=decomposed, content={"sections": {"preamble": decomposed + "\x07\x0c"}}
    )
    document.refresh_from_db()
    lines = texts(open_docx(render_docx(document)))
    composed = unicodedata.normalize("NFC", decomposed)
    assert composed in lines
    assert composed + "./." in lines
    assert not any(unicodedata.normalize("NFC", line) != line for line in lines)


@pytest.mark.parametrize("kind", ["plan", "unit_report", "summary_report"])
def test_tags_in_data_are_not_rendered_by_any_template(kind):
    context = sample_context(kind)
    context["title"] = "{{ header.number }} {% for x in sections %}LẶP{% endfor %}"
    context["sections"][0]["lines"] = [{"text": line, "kind": "plain", "bold": False} for line in TRICKY_LINES]
    doc = open_docx(render_template(builtin_template(kind), context))
    lines = texts(doc)
    assert context["title"] in lines
    for line in TRICKY_LINES:
        assert line in lines
    assert "LẶP" not in " ".join(line for line in lines if line != context["title"])
