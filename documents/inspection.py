"""Reading a generated .docx back: effective formatting and text in reading order.

Used by the tests to check the Nghị định 30/2020 rules on real output, and handy for anyone
checking a template a văn thư has edited. Effective formatting follows Word's order: direct
formatting, then the character style, the paragraph style and its base styles, then the
document defaults.
"""
import io
import re

from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

TWIPS_PER_MM = 56.6929


def open_docx(data):
    return WordDocument(io.BytesIO(data))


def _chain(style):
    while style is not None:
        yield style
        style = style.base_style


def _defaults(doc):
    rpr = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    return rpr


def _from_rpr(rpr, attribute):
    """Read one property from a raw w:rPr element (document defaults)."""
    if rpr is None:
        return None
    if attribute == "name":
        fonts = rpr.find(qn("w:rFonts"))
        return fonts.get(qn("w:ascii")) if fonts is not None else None
    if attribute == "size":
        size = rpr.find(qn("w:sz"))
        return int(size.get(qn("w:val"))) / 2 if size is not None else None
    if attribute == "color":
        color = rpr.find(qn("w:color"))
        return color.get(qn("w:val")) if color is not None else None
    tag = {"bold": "w:b", "italic": "w:i", "caps": "w:caps", "underline": "w:u"}[attribute]
    element = rpr.find(qn(tag))
    if element is None:
        return None
    return element.get(qn("w:val"), "true") not in ("false", "0", "none")


def _from_font(font, attribute):
    if attribute == "name":
        return font.name
    if attribute == "size":
        return font.size.pt if font.size is not None else None
    if attribute == "color":
        color = font.color
        if color is None or color.type is None:
            return None
        return str(color.rgb) if color.rgb is not None else "auto"
    if attribute == "underline":
        value = font.underline
        return None if value is None else bool(value)
    return getattr(font, {"bold": "bold", "italic": "italic", "caps": "all_caps"}[attribute])


def run_property(doc, paragraph, run, attribute):
    """Effective value of name/size/bold/italic/caps/color/underline for a run."""
    value = _from_font(run.font, attribute)
    if value is not None:
        return value
    if run.style is not None and run.style.name != "Default Paragraph Font":
        for style in _chain(run.style):
            value = _from_font(style.font, attribute)
            if value is not None:
                return value
    for style in _chain(paragraph.style):
        value = _from_font(style.font, attribute)
        if value is not None:
            return value
    value = _from_rpr(_defaults(doc), attribute)
    if value is None and attribute in ("bold", "italic", "caps", "underline"):
        return False
    return value


def paragraph_property(paragraph, attribute):
    """Effective alignment / first_line_indent / space_after / space_before / line_spacing /
    left_indent / right_indent of a paragraph (direct, then the style chain)."""
    value = getattr(paragraph.paragraph_format, attribute)
    if value is not None:
        return value
    for style in _chain(paragraph.style):
        value = getattr(style.paragraph_format, attribute)
        if value is not None:
            return value
    return None


def paragraph_border(paragraph, side):
    """The w:pBdr/<side> element that applies (direct or from the style chain), or None."""
    ppr = paragraph._p.pPr
    if ppr is not None:
        element = ppr.find(f"{qn('w:pBdr')}/{qn('w:' + side)}")
        if element is not None:
            return element
    for style in _chain(paragraph.style):
        ppr = style.element.pPr
        if ppr is not None:
            element = ppr.find(f"{qn('w:pBdr')}/{qn('w:' + side)}")
            if element is not None:
                return element
    return None


def iter_block_items(parent):
    """Paragraphs and tables of a body or cell, in document order."""
    element = parent.element.body if hasattr(parent, "element") and hasattr(parent.element, "body") else parent._element
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent)
        elif child.tag == qn("w:tbl"):
            yield Table(child, parent)


def iter_paragraphs(doc):
    """Every paragraph of the body in reading order, table cells row by row, left to right."""
    for block in iter_block_items(doc):
        if isinstance(block, Paragraph):
            yield block
        else:
            for row in block.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    yield from cell.paragraphs


def text_lines(doc):
    """Non-empty paragraph texts in reading order, whitespace collapsed."""
    lines = []
    for paragraph in iter_paragraphs(doc):
        text = re.sub(r"\s+", " ", paragraph.text).strip()
        if text:
            lines.append(text)
    return lines


def find_paragraph(doc, predicate):
    return next((p for p in iter_paragraphs(doc) if predicate(p)), None)


def cell_width_mm(cell):
    width = cell._tc.tcPr.find(qn("w:tcW")) if cell._tc.tcPr is not None else None
    return int(width.get(qn("w:w"))) / TWIPS_PER_MM if width is not None else None


def table_borders(table):
    """{side: val} of the table's own borders (w:tblBorders)."""
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    if borders is None:
        return {}
    return {child.tag.split("}")[1]: child.get(qn("w:val")) for child in borders}
