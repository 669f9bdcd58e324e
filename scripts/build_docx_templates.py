"""Build the three docxtpl templates in templates_docx/ reproducibly with python-docx.

    python -m scripts.build_docx_templates            # write templates_docx/*.docx (make docx-templates)
    python -m scripts.build_docx_templates --check    # exit 1 if the committed files differ

A development tool, not part of the running application: the application reads the built files
through documents.template_files (TEMPLATE_DIR, FILES).

The header block and the signature + Nơi nhận block are written once here and reused by the
three templates. All formatting lives in named paragraph styles ("VB ...") so that a văn thư can
open a template in Word or LibreOffice and adjust sizes, spacing or fixed wording without a
developer; the file can then be uploaded in the admin as a new template version.
"""
import argparse
import io
import sys
import unicodedata
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from documents import layout
from documents.template_files import FILES, TEMPLATE_DIR

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)
ZIP_TIME = (2026, 1, 1, 0, 0, 0)

CENTER = WD_ALIGN_PARAGRAPH.CENTER
LEFT = WD_ALIGN_PARAGRAPH.LEFT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

# Paragraph styles: name -> (size pt, bold, italic, alignment, extra settings).
# Sizes follow Nghị định 30/2020, Phụ lục I (see docs in /work/shared/reference/nd30-format.md).
BODY_INDENT = Mm(12.7)
STYLES = {
    "VB Dự thảo": (13, True, False, CENTER, {"after": 6, "box": True}),
    "VB Cơ quan chủ quản": (13, False, False, CENTER, {}),
    "VB Tên cơ quan": (13, True, False, CENTER, {"keep_next": True}),
    "VB Số ký hiệu": (13, False, False, CENTER, {"before": 6}),
    "VB Quốc hiệu": (13, True, False, CENTER, {"keep_next": True}),
    "VB Tiêu ngữ": (14, True, False, CENTER, {"keep_next": True}),
    "VB Địa danh ngày tháng": (14, False, True, CENTER, {"before": 6}),
    "VB Đường kẻ": (4, False, False, CENTER, {"rule": True, "before": 3}),
    "VB Cách sau bảng": (6, False, False, LEFT, {}),
    "VB Tên loại": (14, True, False, CENTER, {"before": 18, "keep_next": True}),
    "VB Trích yếu": (14, True, False, CENTER, {"keep_next": True}),
    "VB Kính gửi": (14, False, False, CENTER, {"after": 6}),
    "VB Thân": (14, False, False, JUSTIFY, {"indent": True, "after": 6, "line": 1.15}),
    "VB Mục": (14, True, False, JUSTIFY, {"indent": True, "after": 6, "line": 1.15, "keep_next": True}),
    "VB Khoản": (14, True, False, JUSTIFY, {"indent": True, "after": 6, "line": 1.15, "keep_next": True}),
    "VB Bảng": (12, False, False, LEFT, {"before": 2, "after": 2}),
    "VB Bảng giữa": (12, False, False, CENTER, {"before": 2, "after": 2}),
    "VB Bảng tiêu đề": (12, True, False, CENTER, {"before": 2, "after": 2}),
    "VB Bảng chi tiết": (11, False, False, LEFT, {"before": 2, "after": 2}),
    "VB Nơi nhận": (12, True, True, LEFT, {"keep_next": True}),
    "VB Nơi nhận mục": (11, False, False, LEFT, {}),
    "VB Quyền hạn chức vụ": (14, True, False, CENTER, {"keep_next": True}),
    "VB Họ tên người ký": (14, True, False, CENTER, {"before": 78}),
    "VB Số trang": (13, False, False, CENTER, {}),
}
# Lines are empty paragraphs with a top border, narrowed by indents to the wanted length.
RULES = {
    "VB Đường kẻ dưới tên cơ quan": layout.short_rule_width(["ỦY BAN NHÂN DÂN", "XÃ DIỄN CHÂU"], 13, layout.HEADER_LEFT),
    "VB Đường kẻ dưới tiêu ngữ": round(layout.bold_width("Độc lập - Tự do - Hạnh phúc", 14), 1),
    "VB Đường kẻ dưới trích yếu": 50.0,
}
RULE_CELL = {
    "VB Đường kẻ dưới tên cơ quan": layout.HEADER_LEFT,
    "VB Đường kẻ dưới tiêu ngữ": layout.HEADER_RIGHT,
    "VB Đường kẻ dưới trích yếu": layout.TEXT_WIDTH + 2 * layout.CELL_MARGIN,
}
TABLE_STYLE = "VB Bảng số liệu"


# --- styles -----------------------------------------------------------------------------
def _run_fonts(rpr):
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        del fonts.attrib[attribute]
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)


def _reset_styles(doc):
    """Keep only the built-in defaults, make them Times New Roman 14 black, drop the rest."""
    styles = doc.styles.element
    keep = {"Normal", "Default Paragraph Font", "Normal Table", "No List"}
    for style in list(styles.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if name is None or name.get(qn("w:val")) not in keep and style.get(qn("w:styleId")) not in {"TableNormal", "NoList", "DefaultParagraphFont", "Normal"}:
            styles.remove(style)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _run_fonts(rpr)
    for tag, value in (("w:sz", "28"), ("w:szCs", "28")):
        rpr.find(qn(tag)).set(qn("w:val"), value)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "en-US")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "000000")
    rpr.insert(1, color)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.font.color.rgb = BLACK
    _run_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _border(tag, size=6):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:space"), "1")
    element.set(qn("w:color"), "000000")
    return element


def style_id(name):
    """ASCII style ids ("VBTieungu") for the widest compatibility; names keep their diacritics."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if c.isascii() and c.isalnum())


def _add_style(doc, name, kind):
    style = doc.styles.add_style(name, kind)
    style.element.styleId = style_id(name)
    return style


def _add_paragraph_style(doc, name, size, bold, italic, alignment, extra, base="Normal"):
    style = _add_style(doc, name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles[base]
    style.quick_style = True
    font = style.font
    font.name = FONT
    _run_fonts(style.element.get_or_add_rPr())
    font.size = Pt(size)
    font.bold = bold
    font.italic = italic
    font.color.rgb = BLACK
    fmt = style.paragraph_format
    fmt.alignment = alignment
    fmt.space_before = Pt(extra.get("before", 0))
    fmt.space_after = Pt(extra.get("after", 0))
    fmt.line_spacing = extra.get("line", 1.0)
    if extra.get("indent"):
        fmt.first_line_indent = BODY_INDENT
    if extra.get("keep_next"):
        fmt.keep_with_next = True
    ppr = style.element.get_or_add_pPr()
    if extra.get("rule") or extra.get("box"):
        borders = OxmlElement("w:pBdr")
        if extra.get("box"):
            for tag in ("w:top", "w:left", "w:bottom", "w:right"):
                borders.append(_border(tag, 8))
        else:
            top = _border("w:top", 6)
            top.set(qn("w:space"), "0")
            borders.append(top)
        # pBdr comes after keepNext/keepLines/pageBreakBefore and before spacing in CT_PPr.
        spacing = ppr.find(qn("w:spacing"))
        if spacing is not None:
            spacing.addprevious(borders)
        else:
            ppr.append(borders)
    return style


def _add_table_style(doc):
    style = _add_style(doc, TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Normal Table"]
    style.font.name = FONT
    style.font.size = Pt(12)
    tblpr = style.element.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        style.element.append(tblpr)
    borders = OxmlElement("w:tblBorders")
    for tag in ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"):
        border = _border(tag, 4)
        border.set(qn("w:space"), "0")
        borders.append(border)
    _set_tblpr(tblpr, borders)


def build_styles(doc):
    _reset_styles(doc)
    for name, (size, bold, italic, alignment, extra) in STYLES.items():
        _add_paragraph_style(doc, name, size, bold, italic, alignment, extra)
    for name in RULES:
        # The trích yếu's line also sets the gap before Kính gửi / the body.
        after = 10 if name == "VB Đường kẻ dưới trích yếu" else 0
        _add_paragraph_style(doc, name, 4, False, False, CENTER, {"before": 3, "after": after}, base="VB Đường kẻ")
    _add_table_style(doc)


# --- page -------------------------------------------------------------------------------
def _page_field(paragraph):
    """A PAGE field: Word and LibreOffice show the page number."""
    def fld(kind):
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)

    fld("begin")
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    fld("separate")
    paragraph.add_run("2")
    fld("end")


def build_page(doc):
    section = doc.sections[0]
    section.page_width = Mm(layout.PAGE_WIDTH)
    section.page_height = Mm(layout.PAGE_HEIGHT)
    section.top_margin = Mm(layout.MARGIN_TOP)
    section.bottom_margin = Mm(layout.MARGIN_BOTTOM)
    section.left_margin = Mm(layout.MARGIN_LEFT)
    section.right_margin = Mm(layout.MARGIN_RIGHT)
    section.header_distance = Mm(layout.HEADER_DISTANCE)
    section.footer_distance = Mm(layout.HEADER_DISTANCE)
    section.gutter = 0
    # Page numbers centred in the top margin from page 2 on; page 1 has an empty header.
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    paragraph = header.paragraphs[0]
    paragraph.style = doc.styles["VB Số trang"]
    _page_field(paragraph)
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].style = doc.styles["VB Số trang"]


# --- building blocks -----------------------------------------------------------------
def para(container, text, style):
    """Add a paragraph; a table cell's initial empty paragraph is used first."""
    paragraphs = container.paragraphs
    first = paragraphs[0] if len(paragraphs) == 1 else None
    if first is not None and first._p.pPr is None and not first._p.r_lst and hasattr(container, "vertical_alignment"):
        if text:
            first.add_run(text)
        first.style = style
        if first._p.pPr is None:
            first._p.get_or_add_pPr()
        return first
    return container.add_paragraph(text, style=style)


def tag(container, text):
    """A docxtpl paragraph tag ({%p ... %}): the whole paragraph is replaced by the tag."""
    return para(container, text, "Normal")


def rule(container, style):
    paragraph = para(container, "", style)
    indent = Mm(layout.centred_rule_indent(RULE_CELL[style], RULES[style]))
    paragraph.paragraph_format.left_indent = indent
    paragraph.paragraph_format.right_indent = indent
    return paragraph


# CT_TblPr children must appear in this order (Word refuses files that break it).
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW", "jc",
    "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
]


def _set_tblpr(tblpr, element):
    """Put `element` into w:tblPr at its schema position, replacing one of the same kind."""
    name = element.tag.split("}")[1]
    existing = tblpr.find(qn("w:" + name))
    if existing is not None:
        tblpr.remove(existing)
    later = TBLPR_ORDER[TBLPR_ORDER.index(name) + 1:]
    for child in tblpr:
        if child.tag.split("}")[1] in later:
            child.addprevious(element)
            return
    tblpr.append(element)


def _no_borders(table):
    borders = OxmlElement("w:tblBorders")
    for tag_name in ("w:top", "w:left", "w:bottom", "w:right", "w:insideH", "w:insideV"):
        border = OxmlElement(tag_name)
        border.set(qn("w:val"), "nil")
        borders.append(border)
    _set_tblpr(table._tbl.tblPr, borders)


def _fixed_table(doc, widths, style=None):
    table = doc.add_table(rows=1, cols=len(widths))
    if style:
        table.style = doc.styles[style]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(Mm(sum(widths)).twips)))
    width.set(qn("w:type"), "dxa")
    _set_tblpr(table._tbl.tblPr, width)
    for index, value in enumerate(widths):
        table.columns[index].width = Mm(value)
        table.rows[0].cells[index].width = Mm(value)
    return table


def _add_row(table, widths):
    row = table.add_row()
    for index, value in enumerate(widths):
        row.cells[index].width = Mm(value)
    return row


def _cant_split(row):
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    trpr.append(element)


def _cell_margin_top(table, points):
    margins = OxmlElement("w:tblCellMar")
    top = OxmlElement("w:top")
    top.set(qn("w:w"), str(points * 20))
    top.set(qn("w:type"), "dxa")
    margins.append(top)
    _set_tblpr(table._tbl.tblPr, margins)


def header_block(doc):
    """DỰ THẢO mark, then the two-column header (Phụ lục I, ô 1–4), shared by all templates.

    Row 1: issuing body (parent line not bold, name bold, short line) | Quốc hiệu, Tiêu ngữ, line.
    Row 2: Số, ký hiệu | place and date, so that both sit on the same line.
    """
    tag(doc, "{%p if draft %}")
    mark = para(doc, "DỰ THẢO", "VB Dự thảo")
    mark.paragraph_format.right_indent = Mm(layout.TEXT_WIDTH - 30)
    tag(doc, "{%p endif %}")
    widths = [layout.HEADER_LEFT, layout.HEADER_RIGHT]
    table = _fixed_table(doc, widths)
    _no_borders(table)
    left, right = table.rows[0].cells
    tag(left, "{%p for line in header.parent_lines %}")
    para(left, "{{ line }}", "VB Cơ quan chủ quản")
    tag(left, "{%p endfor %}")
    tag(left, "{%p for line in header.body_lines %}")
    para(left, "{{ line }}", "VB Tên cơ quan")
    tag(left, "{%p endfor %}")
    rule(left, "VB Đường kẻ dưới tên cơ quan")
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "VB Quốc hiệu")
    para(right, "Độc lập - Tự do - Hạnh phúc", "VB Tiêu ngữ")
    rule(right, "VB Đường kẻ dưới tiêu ngữ")
    row = _add_row(table, widths)
    para(row.cells[0], "Số: {{ header.number }}", "VB Số ký hiệu")
    para(row.cells[1], "{{ header.place_date }}", "VB Địa danh ngày tháng")
    return table


def title_block(doc, type_name):
    para(doc, type_name, "VB Tên loại")
    para(doc, "{{ title }}", "VB Trích yếu")
    rule(doc, "VB Đường kẻ dưới trích yếu")


def _lines(doc, loop):
    """One paragraph per line; khoản lines ("1. ...") bold, everything else plain body text."""
    tag(doc, "{%p for l in " + loop + " %}")
    tag(doc, "{%p if l.bold %}")
    para(doc, "{{ l.text }}", "VB Khoản")
    tag(doc, "{%p else %}")
    para(doc, "{{ l.text }}", "VB Thân")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")


def body_block(doc, table_builder=None):
    """Sections in order: heading (I., II., ...) then the lines; a section may carry a table."""
    tag(doc, "{%p for s in sections %}")
    tag(doc, "{%p if s.heading %}")
    para(doc, "{{ s.heading }}", "VB Mục")
    tag(doc, "{%p endif %}")
    if table_builder is not None:
        tag(doc, "{%p for l in s.intro %}")
        para(doc, "{{ l.text }}", "VB Thân")
        tag(doc, "{%p endfor %}")
        tag(doc, "{%p if s.table %}")
        table_builder(doc)
        para(doc, "", "VB Cách sau bảng")
        tag(doc, "{%p endif %}")
        tag(doc, "{%p for l in s.after %}")
        para(doc, "{{ l.text }}", "VB Thân")
        tag(doc, "{%p endfor %}")
    _lines(doc, "s.lines")
    tag(doc, "{%p endfor %}")


def signature_block(doc):
    """Nơi nhận on the left, the signer's authority, title and name on the right (ô 7, 9b)."""
    widths = [layout.FOOTER_LEFT, layout.FOOTER_RIGHT]
    table = _fixed_table(doc, widths)
    _no_borders(table)
    _cell_margin_top(table, 12)
    _cant_split(table.rows[0])
    left, right = table.rows[0].cells
    para(left, "Nơi nhận:", "VB Nơi nhận")
    tag(left, "{%p for r in recipients %}")
    para(left, "{{ r }}", "VB Nơi nhận mục")
    tag(left, "{%p endfor %}")
    tag(right, "{%p for line in signature.lines %}")
    para(right, "{{ line }}", "VB Quyền hạn chức vụ")
    tag(right, "{%p endfor %}")
    para(right, "{{ signature.name }}", "VB Họ tên người ký")
    return table


def _header_row(table, labels):
    for cell, label in zip(table.rows[0].cells, labels):
        para(cell, label, "VB Bảng tiêu đề")
    trpr = table.rows[0]._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))


def _loop_rows(table, widths, loop, cells):
    """docxtpl row loop: {%tr for %} row, the data row, {%tr endfor %} row."""
    start = _add_row(table, widths)
    para(start.cells[0], "{%tr for t in " + loop + " %}", "VB Bảng")
    data = _add_row(table, widths)
    for cell, (text, style) in zip(data.cells, cells):
        para(cell, text, style)
    _cant_split(data)
    end = _add_row(table, widths)
    para(end.cells[0], "{%tr endfor %}", "VB Bảng")


UNIT_TABLE = [12, 78, 30, 45]
SUMMARY_TABLE = [10, 42, 23, 20, 48, 22]


def unit_targets_table(doc):
    table = _fixed_table(doc, UNIT_TABLE, TABLE_STYLE)
    _header_row(table, ["Mã", "Chỉ tiêu", "Kết quả", "Ghi chú"])
    _loop_rows(
        table,
        UNIT_TABLE,
        "targets",
        [("{{ t.code }}", "VB Bảng giữa"), ("{{ t.text }}", "VB Bảng"), ("{{ t.value }}", "VB Bảng giữa"), ("{{ t.note }}", "VB Bảng")],
    )


def summary_targets_table(doc):
    table = _fixed_table(doc, SUMMARY_TABLE, TABLE_STYLE)
    _header_row(table, ["Mã", "Chỉ tiêu", "Kế hoạch", "Kết quả", "Số liệu của các đơn vị", "Đánh giá"])
    _loop_rows(
        table,
        SUMMARY_TABLE,
        "targets",
        [
            ("{{ t.code }}", "VB Bảng giữa"),
            ("{{ t.text }}", "VB Bảng"),
            ("{{ t.target }}", "VB Bảng giữa"),
            ("{{ t.result }}", "VB Bảng giữa"),
            ("{{ t.details }}", "VB Bảng chi tiết"),
            ("{{ t.assessment }}", "VB Bảng giữa"),
        ],
    )


# --- the three templates ------------------------------------------------------------------
def _new_document():
    doc = Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    build_styles(doc)
    build_page(doc)
    return doc


def build_template(type_name, table_builder=None, *, addressee=False):
    """Header, title, "Kính gửi" (unit reports only), body with the kind's target table, signature."""
    doc = _new_document()
    header_block(doc)
    title_block(doc, type_name)
    if addressee:
        para(doc, "Kính gửi: {{ addressee }}", "VB Kính gửi")
    body_block(doc, table_builder)
    signature_block(doc)
    return doc


BUILDERS = {
    "plan": lambda: build_template("KẾ HOẠCH"),
    "unit_report": lambda: build_template("BÁO CÁO", unit_targets_table, addressee=True),
    "summary_report": lambda: build_template("BÁO CÁO", summary_targets_table),
}
TITLES = {"plan": "Mẫu Kế hoạch", "unit_report": "Mẫu Báo cáo của đơn vị", "summary_report": "Mẫu Báo cáo tổng hợp"}


# --- deterministic output -----------------------------------------------------------------
def _strip_package(doc):
    """Drop parts of python-docx's default file that a template does not need."""
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel_id)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.rsplit("/", 1)[-1] in ("stylesWithEffects", "customXml", "webSettings"):
            doc.part.rels.pop(rel_id)


def _preserve_spaces(doc):
    for text in doc.element.iter(qn("w:t")):
        text.set(qn("xml:space"), "preserve")


def to_bytes(doc, kind):
    _strip_package(doc)
    _preserve_spaces(doc)
    props = doc.core_properties
    props.title = TITLES[kind]
    props.author = "congvan"
    props.last_modified_by = "congvan"
    props.comments = "Tạo bằng scripts/build_docx_templates.py (make docx-templates)"
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return normalise_zip(raw.getvalue())


def normalise_zip(data):
    """Rewrite a .docx with fixed timestamps so that the same input gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def build(kind):
    return to_bytes(BUILDERS[kind](), kind)


def xml_parts(data):
    """{part name: bytes} of a .docx, for comparing files whose zip metadata may differ."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in sorted(archive.namelist())}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Build the Word templates in templates_docx/.")
    parser.add_argument("--check", action="store_true", help="only compare with the committed files")
    args = parser.parse_args(argv)
    different = []
    for kind, filename in FILES.items():
        data = build(kind)
        path = TEMPLATE_DIR / filename
        if args.check:
            if not path.exists() or xml_parts(path.read_bytes()) != xml_parts(data):
                different.append(filename)
            continue
        TEMPLATE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path}")
    if different:
        print("Differs from the build script: " + ", ".join(different), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
