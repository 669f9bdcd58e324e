"""The Nghị định 30/2020 format (Phụ lục I) on real generated files: page, fonts, every block of
the header, the title, the body, the end mark, the signature and Nơi nhận, page numbers."""
import re

import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from django.utils import timezone

from documents import dates, layout
from documents.inspection import (
    cell_width_mm,
    iter_block_items,
    iter_paragraphs,
    open_docx,
    paragraph_border,
    paragraph_property,
    run_property,
    table_borders,
    text_lines,
)
from documents.rendering import render_docx
from tests.helpers.summary import mixed_period
from tests.helpers.workflow import COMMUNE_STEPS, demo, fill_unit_report, new_summary_report, new_unit_report, period, run
from workflows.models import Document

pytestmark = pytest.mark.django_db

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
NUMBER_RE = re.compile(r"^Số: ?(?:0[1-9]|[1-9]\d+)?\s*/[A-ZĐ][A-Za-zĐđ]*(?:-[A-ZĐ0-9][A-Za-zĐđ0-9]*)+$")
DATE_RE = re.compile(r"^[^\s,][^,]*, ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$")
BLANK_DATE_RE = re.compile(r"^[^\s,][^,]*, ngày {4}tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$")


def plan_docx():
    return open_docx(render_docx(Document.objects.get(kind="plan")))


def unit_docx():
    document = fill_unit_report(new_unit_report())
    return document, open_docx(render_docx(document))


_ISSUED_SUMMARY = {}


def summary_docx():
    """The compiled report of a period with approved, returned and missing unit reports, as issued
    and stored (built once: the bytes never change, each test opens its own copy)."""
    if "bytes" not in _ISSUED_SUMMARY:
        period, _ = mixed_period()
        document = run(new_summary_report(period.code), *COMMUNE_STEPS["signed"], ("vanthu", "issue"))
        _ISSUED_SUMMARY["bytes"] = bytes(document.issued_file.content)
    return None, open_docx(_ISSUED_SUMMARY["bytes"])


def all_docs():
    return [plan_docx(), unit_docx()[1], summary_docx()[1]]


def props(doc, paragraph):
    """Effective (font, size, bold, italic, color) of every run with text in a paragraph."""
    return {
        (
            run_property(doc, paragraph, r, "name"),
            run_property(doc, paragraph, r, "size"),
            run_property(doc, paragraph, r, "bold"),
            run_property(doc, paragraph, r, "italic"),
        )
        for r in paragraph.runs
        if r.text.strip()
    }


def single(doc, paragraph):
    values = props(doc, paragraph)
    assert len(values) == 1, (paragraph.text, values)
    return next(iter(values))


def header_table(doc):
    return next(b for b in iter_block_items(doc) if not hasattr(b, "text"))


def signature_table(doc):
    return [b for b in iter_block_items(doc) if not hasattr(b, "text")][-1]


def nonempty(cell):
    return [p for p in cell.paragraphs if p.text.strip()]


# --- page ---------------------------------------------------------------------------------------
def test_a4_portrait_margins_and_page_numbers_from_page_two():
    for doc in all_docs():
        assert len(doc.sections) == 1
        section = doc.sections[0]
        assert abs(section.page_width.twips - 11906) <= 10 and abs(section.page_height.twips - 16838) <= 10
        assert section.orientation == WD_ORIENT.PORTRAIT
        assert 1134 <= section.top_margin.twips <= 1417
        assert 1134 <= section.bottom_margin.twips <= 1417
        assert 1701 <= section.left_margin.twips <= 1984
        assert 850 <= section.right_margin.twips <= 1134
        # titlePg: page 1 uses the first-page header, which has no number.
        assert section.different_first_page_header_footer
        default = section.header._element.xml
        assert "PAGE" in default and "w:fldChar" in default
        assert "PAGE" not in section.first_page_header._element.xml
        number = section.header.paragraphs[0]
        assert paragraph_property(number, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
        for r in number.runs:
            assert 13 <= run_property(doc, number, r, "size") <= 14
            assert run_property(doc, number, r, "italic") is False


def test_times_new_roman_everywhere_and_black():
    for doc in all_docs():
        runs = 0
        paragraphs = list(iter_paragraphs(doc)) + list(doc.sections[0].header.paragraphs)
        for paragraph in paragraphs:
            for r in paragraph.runs:
                runs += 1
                assert run_property(doc, paragraph, r, "name") == "Times New Roman", paragraph.text
                assert run_property(doc, paragraph, r, "color") in (None, "auto", "000000"), paragraph.text
        assert runs > 25
        # No style in the file names another font or a colour (a văn thư could apply it).
        styles = doc.styles.element
        for fonts in styles.iter(qn("w:rFonts")):
            assert all(value == "Times New Roman" for key, value in fonts.attrib.items() if not key.endswith("Theme"))
            assert not any(key.endswith("Theme") for key in fonts.attrib)
        for color in styles.iter(qn("w:color")):
            assert color.get(qn("w:val")) in ("000000", "auto")


# --- header ----------------------------------------------------------------------------------------
def test_header_is_a_borderless_two_column_table_with_room_for_quoc_hieu():
    for doc in all_docs():
        table = header_table(doc)
        assert len(table.columns) == 2
        assert set(table_borders(table).values()) <= {"nil", "none"}
        left, right = table.rows[0].cells
        assert 55 <= cell_width_mm(left) <= 70
        # §a.4: Quốc hiệu in bold 13 pt is 95.7 mm; with 2 × 1.9 mm cell margins it needs ~100 mm.
        quoc_hieu = nonempty(right)[0]
        size = single(doc, quoc_hieu)[1]
        assert cell_width_mm(right) - 2 * layout.CELL_MARGIN >= layout.bold_width(QUOC_HIEU, size) * 1.02
        assert cell_width_mm(left) + cell_width_mm(right) <= layout.TEXT_WIDTH + 0.5


def test_quoc_hieu_tieu_ngu_and_their_line():
    for doc in all_docs():
        right = header_table(doc).rows[0].cells[1]
        quoc_hieu, tieu_ngu = nonempty(right)
        assert quoc_hieu.text == QUOC_HIEU
        name, size, bold, italic = single(doc, quoc_hieu)
        assert 12 <= size <= 13 and bold and not italic
        assert tieu_ngu.text == TIEU_NGU
        name, size, bold, italic = single(doc, tieu_ngu)
        assert 13 <= size <= 14 and bold and not italic
        for paragraph in (quoc_hieu, tieu_ngu):
            assert paragraph_property(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
            assert not any(run_property(doc, paragraph, r, "underline") for r in paragraph.runs)
        # The line under Tiêu ngữ: a top-bordered empty paragraph as long as the text (±10 %).
        paragraphs = right.paragraphs
        rule = paragraphs[[p._p for p in paragraphs].index(tieu_ngu._p) + 1]
        assert rule.text == "" and paragraph_border(rule, "top") is not None
        inner = cell_width_mm(right) - 2 * layout.CELL_MARGIN
        indent = paragraph_property(rule, "left_indent").mm + paragraph_property(rule, "right_indent").mm
        assert inner - indent == pytest.approx(layout.bold_width(TIEU_NGU, size), rel=0.10)


def _issuing_body(doc):
    left = header_table(doc).rows[0].cells[0]
    lines = nonempty(left)
    rule = next(p for p in left.paragraphs if not p.text and paragraph_border(p, "top") is not None)
    return left, lines, rule


def _assert_short_rule(doc, cell, lines, rule, size):
    inner = cell_width_mm(cell) - 2 * layout.CELL_MARGIN
    width = inner - paragraph_property(rule, "left_indent").mm - paragraph_property(rule, "right_indent").mm
    longest = max(min(layout.bold_width(p.text, size), inner) for p in lines)
    assert longest / 3 * 0.95 <= width <= longest / 2 * 1.05, (width, longest)


def test_commune_issuing_body_bold_upper_with_a_short_line():
    for doc in (plan_docx(), summary_docx()[1]):
        left, lines, rule = _issuing_body(doc)
        assert [p.text for p in lines] == ["ỦY BAN NHÂN DÂN", "XÃ DIỄN CHÂU"]
        for paragraph in lines:
            name, size, bold, italic = single(doc, paragraph)
            assert 12 <= size <= 13 and bold and not italic
            assert paragraph.text == paragraph.text.upper()
        _assert_short_rule(doc, left, lines, rule, size)


def test_unit_report_issuing_body_is_the_unit_under_ubnd_xa():
    document, doc = unit_docx()
    left, lines, rule = _issuing_body(doc)
    parent, body = lines
    assert parent.text == "UBND XÃ DIỄN CHÂU"
    name, size, bold, italic = single(doc, parent)
    assert 12 <= size <= 13 and not bold and not italic
    assert body.text == document.unit.name.upper() == "TRẠM Y TẾ XÃ"
    name, size, bold, italic = single(doc, body)
    assert 12 <= size <= 13 and bold
    _assert_short_rule(doc, left, [body], rule, size)
    assert "Kính gửi: Ủy ban nhân dân xã Diễn Châu" in text_lines(doc)


def _number_and_date(doc):
    row = header_table(doc).rows[1]
    number = nonempty(row.cells[0])[0]
    date = nonempty(row.cells[1])[0]
    return number, date


def test_number_and_date_lines_of_a_draft_plan():
    doc = plan_docx()
    number, date = _number_and_date(doc)
    assert number.text == "Số:      /KH-UBND"
    assert NUMBER_RE.match(re.sub(r"\s+", " ", number.text))
    name, size, bold, italic = single(doc, number)
    assert size == 13 and not bold and not italic
    today = timezone.localdate()
    assert date.text == f"Diễn Châu, ngày    tháng {dates.month_part(today.month)} năm {today.year}"
    assert BLANK_DATE_RE.match(date.text)
    name, size, bold, italic = single(doc, date)
    assert 13 <= size <= 14 and italic and not bold
    assert paragraph_property(date, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert "DỰ THẢO" in text_lines(doc)[0]


def test_unit_report_draft_then_submitted():
    document, doc = unit_docx()
    number, date = _number_and_date(doc)
    assert number.text == "Số:      /BC-TYT"
    assert BLANK_DATE_RE.match(date.text)
    assert text_lines(doc)[0] == "DỰ THẢO"
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026." in text_lines(doc)

    document = run(document, ("tramyte", "submit"))
    doc = open_docx(render_docx(document))
    number, date = _number_and_date(doc)
    assert date.text == f"Diễn Châu, {dates.long_date(timezone.localdate(document.submitted_at))}"
    assert DATE_RE.match(date.text)
    assert "DỰ THẢO" not in text_lines(doc)
    # The first report the unit submits this year: number 01 of its own register.
    assert number.text == "Số: 01/BC-TYT"
    assert NUMBER_RE.match(number.text)


# --- title, body, end mark -------------------------------------------------------------------------
def test_type_and_excerpt_centred_bold_with_a_short_line():
    for doc, type_name in zip(all_docs(), ["KẾ HOẠCH", "BÁO CÁO", "BÁO CÁO"]):
        paragraphs = list(iter_block_items(doc))
        kind_line = next(p for p in paragraphs if getattr(p, "text", None) == type_name)
        index = paragraphs.index(kind_line)
        excerpt, rule = paragraphs[index + 1], paragraphs[index + 2]
        for paragraph in (kind_line, excerpt):
            name, size, bold, italic = single(doc, paragraph)
            assert 13 <= size <= 14 and bold and not italic
            assert paragraph_property(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
        assert excerpt.text and excerpt.text != excerpt.text.upper()
        assert rule.text == "" and paragraph_border(rule, "top") is not None
        text_width = layout.TEXT_WIDTH
        width = text_width - paragraph_property(rule, "left_indent").mm - paragraph_property(rule, "right_indent").mm
        longest = min(layout.bold_width(excerpt.text, 14), text_width)
        assert longest / 3 * 0.95 <= width <= longest / 2 * 1.05


def _body(doc):
    """Body paragraphs between the trích yếu line and the signature table."""
    blocks = list(iter_block_items(doc))
    start = next(i for i, b in enumerate(blocks) if getattr(b, "text", None) in ("KẾ HOẠCH", "BÁO CÁO")) + 3
    return [b for b in blocks[start:-1] if hasattr(b, "text") and b.text.strip()]


def test_body_is_justified_with_indent_spacing_and_headings():
    for doc in all_docs():
        body = [p for p in _body(doc) if not p.text.startswith("Kính gửi")]
        assert body
        for paragraph in body:
            assert paragraph_property(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY, paragraph.text
            assert paragraph_property(paragraph, "first_line_indent").twips in (567, 720)
            assert paragraph_property(paragraph, "space_after").pt >= 6
            assert 1.0 <= paragraph_property(paragraph, "line_spacing") <= 1.5
            name, size, bold, italic = single(doc, paragraph)
            assert 13 <= size <= 14 and not italic
            text = paragraph.text
            if re.match(r"^[IVX]+\. ", text):
                assert bold and text == text.upper()
            elif re.match(r"^\d+\. ", text):
                assert bold
            else:
                assert not bold, text
        assert body[-1].text.endswith("./.")
        assert sum(p.text.count("./.") for p in body) == 1


def test_plan_headings_are_numbered_in_order():
    headings = [p.text for p in _body(plan_docx()) if re.match(r"^[IVX]+\. ", p.text)]
    assert headings == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NỘI DUNG THI ĐUA",
        "III. PHÂN CÔNG NHIỆM VỤ",
        "IV. GIẢI PHÁP THỰC HIỆN",
        "V. THỜI GIAN THỰC HIỆN",
        "VI. TỔ CHỨC THỰC HIỆN",
    ]


# --- signature and Nơi nhận ------------------------------------------------------------------------
def _check_recipients(doc, first=None, archive=None):
    table = signature_table(doc)
    assert set(table_borders(table).values()) <= {"nil", "none"}
    left, right = table.rows[0].cells
    label, *items = nonempty(left)
    assert label.text == "Nơi nhận:"
    name, size, bold, italic = single(doc, label)
    assert size == 12 and bold and italic
    assert paragraph_property(label, "alignment") == WD_ALIGN_PARAGRAPH.LEFT
    assert len(items) >= 2
    for item in items[:-1]:
        assert re.match(r"^- .+;$", item.text), item.text
    assert re.match(r"^- Lưu: VT(, .+)?\.$", items[-1].text), items[-1].text
    for item in items:
        name, size, bold, italic = single(doc, item)
        assert size == 11 and not bold and not italic
    if first:
        assert items[0].text == first
    if archive:
        assert items[-1].text == archive
    return right


def _check_signer(doc, right, lines, name):
    paragraphs = nonempty(right)
    assert [p.text for p in paragraphs] == [*lines, name]
    for paragraph in paragraphs:
        font, size, bold, italic = single(doc, paragraph)
        assert 13 <= size <= 14 and bold and not italic
        assert paragraph_property(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    for paragraph in paragraphs[:-1]:
        assert paragraph.text == paragraph.text.upper()
    # Blank space for the signature and seal between the title and the name.
    assert paragraph_property(paragraphs[-1], "space_before").pt >= 48


def test_plan_signature_and_recipients():
    doc = plan_docx()
    right = _check_recipients(doc, first="- Đảng ủy (để b/c);", archive="- Lưu: VT, VHXH (Thanh).")
    _check_signer(doc, right, ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "Đào Hồng Thanh")


def set_unit_head_in_admin(unit_code, head_name):
    """Set a unit's head the way the commune's administrator does: the Django admin's change form."""
    from django.forms.models import model_to_dict
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from organizations.models import Unit

    unit = Unit.objects.get(code=unit_code)
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    form = {key: value for key, value in model_to_dict(unit).items() if value is not None}
    form["head_name"] = head_name
    response = client.post(reverse("admin:organizations_unit_change", args=[unit.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.head_name == head_name


def test_unit_report_signature_and_recipients():
    set_unit_head_in_admin("tramyte", "Nguyễn Thị Hoa")
    document, doc = unit_docx()
    assert document.unit.head_name == "Nguyễn Thị Hoa"
    right = _check_recipients(doc, first="- Như trên;", archive="- Lưu: VT, TYT.")
    _check_signer(doc, right, ["TRẠM TRƯỞNG"], "Nguyễn Thị Hoa")


def test_summary_report_signature_recipients_and_missing_figures():
    from tests.helpers.workflow import fill_required_sections, the_plan
    from workflows.services import create_document

    # Created below the rounds layer, so never compiled: the file says so instead of a table.
    document = fill_required_sections(create_document(demo("vhxh"), "summary_report", plan=the_plan(), period=period()))
    doc = open_docx(render_docx(document))
    right = _check_recipients(doc, archive="- Lưu: VT, VHXH.")
    _check_signer(doc, right, ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "Đào Hồng Thanh")
    lines = text_lines(doc)
    assert "Số liệu các chỉ tiêu chưa được tổng hợp từ báo cáo của các đơn vị." in lines
    # Nobody stated the data window in the opening, so the report does.
    assert "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026." in lines


# --- the compiled table of the summary report --------------------------------------------------
def test_summary_report_table_of_the_13_targets_with_per_unit_figures():
    from rounds.compile import create_summary

    report = run(fill_unit_report(new_unit_report()), ("tramyte", "submit"), ("vhxh", "start_review"), ("vhxh", "approve"))
    document = create_summary(period(), demo("vhxh"))
    doc = open_docx(render_docx(document))
    tables = [b for b in iter_block_items(doc) if not hasattr(b, "text")]
    assert len(tables) == 3  # header, figures, signature
    table = tables[1]
    header, *rows = table.rows
    assert [c.text for c in header.cells] == ["Mã", "Chỉ tiêu", "Kế hoạch", "Kết quả", "Số liệu của các đơn vị", "Đánh giá"]
    codes = [row.cells[0].text for row in rows]
    assert len(codes) == 13 and codes == [t["code"] for t in document.content["compiled"]["targets"]]
    assert {row.cells[5].text for row in rows} <= {"Đạt", "Chưa đạt", "Chưa đủ số liệu", "Chưa đánh giá"}
    shared = next(row for row in rows if row.cells[0].text == "4.1")
    assert f"{report.unit.name}: " in shared.cells[4].text and "Chưa báo cáo: " in shared.cells[4].text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for r in paragraph.runs:
                    assert run_property(doc, paragraph, r, "name") == "Times New Roman"
                    assert 10 <= run_property(doc, paragraph, r, "size") <= 12  # smaller, never another font
    assert table.style.name == "VB Bảng số liệu"
    style_borders = table.style.element.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}")
    assert {b.get(qn("w:val")) for b in style_borders} == {"single"}
