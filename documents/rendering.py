"""Word (and PDF) files of documents.

render_docx(document, final=False)  the .docx from the active template for the document's kind
store_issued_file(document)         on `issue`: render once with number and date, keep it in file
                                    storage (default_storage) with its SHA-256
document_file(document)             (filename, bytes): the stored file once issued (hash checked,
                                    StoredFileCorrupt otherwise), else a draft
document_pdf(document)              (filename, bytes) converted now through LibreOffice, or
                                    PdfUnavailable; pages and the API serve the stored PDF made
                                    once per version by a task instead (documents.pdfs)

User text is data, never template: the template is rendered with autoescape, and every value
printed by {{ }} goes through `_literal`, which also hides braces from docxtpl's own
post-processing (it rewrites "{_{" to "{{" in the rendered XML).
"""
import hashlib
import io
import logging
import re
import unicodedata

import jinja2
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.http import content_disposition_header
from docx import Document as WordDocument
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate
from markupsafe import Markup, escape

from . import layout
from .models import IssuedFile, StoredFileCorrupt
from .pdf import PdfUnavailable, docx_to_pdf
from .register import TYPE_ABBREVIATIONS
from .templates import active_template, builtin_template

logger = logging.getLogger(__name__)

__all__ = [
    "DOCX_CONTENT_TYPE",
    "PDF_CONTENT_TYPE",
    "PdfUnavailable",
    "StoredFileCorrupt",
    "render_docx",
    "store_issued_file",
    "document_file",
    "document_pdf",
    "file_name",
    "attachment_header",
]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
ISSUED = "issued"


# --- rendering ------------------------------------------------------------------------------
def _literal(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    text = str(escape(str(value)))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


def jinja_environment(strict=False):
    return jinja2.Environment(
        autoescape=True,
        finalize=_literal,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
    )


def _twips(mm):
    return int(Mm(mm).twips)


def _cell_width_mm(paragraph_element, fallback):
    cell = next((a for a in paragraph_element.iterancestors(qn("w:tc"))), None)
    if cell is None:
        return fallback
    width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    if width is None or width.get(qn("w:type")) not in (None, "dxa"):
        return fallback
    try:
        return int(width.get(qn("w:w"))) / 56.6929
    except (TypeError, ValueError):
        return fallback


def _text_width_mm(doc):
    section = doc.sections[0]
    try:
        return (section.page_width - section.left_margin - section.right_margin) / 36000
    except TypeError:
        return layout.TEXT_WIDTH


def _fit_rules(doc, context):
    """Lengths of the short lines under the issuing body and the trích yếu: 1/3–1/2 of the text."""
    header = context.get("header") or {}
    text_width = _text_width_mm(doc)
    wanted = {
        "VB Đường kẻ dưới tên cơ quan": (header.get("body_lines") or [], 13, layout.HEADER_LEFT),
        "VB Đường kẻ dưới trích yếu": ([context.get("title") or ""], 14, text_width + 2 * layout.CELL_MARGIN),
    }
    for paragraph in doc.element.body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None:
            continue
        style_name = doc.styles.element.get_by_id(style.get(qn("w:val")))
        name = style_name.name_val if style_name is not None else None
        if name not in wanted:
            continue
        lines, size, fallback = wanted[name]
        cell = _cell_width_mm(paragraph, fallback)
        available = cell - 2 * layout.CELL_MARGIN
        indent = _twips(layout.centred_rule_indent(cell, layout.short_rule_width(lines, size, available)))
        ind = paragraph.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:left"), str(indent))
        ind.set(qn("w:right"), str(indent))


def _keep_signature_with_text(doc):
    """The signature block never stands alone on a page: the paragraph before it keeps with it."""
    body = doc.element.body
    tables = body.findall(qn("w:tbl"))
    if not tables:
        return
    previous = tables[-1].getprevious()
    while previous is not None and previous.tag != qn("w:p"):
        previous = previous.getprevious()
    if previous is not None:
        ppr = previous.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.keepNext_val = True


def render_template(template_bytes, context, *, strict=False, title=None, author=None):
    """Render docxtpl template bytes with `context`; returns .docx bytes."""
    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render(context, jinja_environment(strict), autoescape=True)
    rendered = io.BytesIO()
    template.save(rendered)
    doc = WordDocument(io.BytesIO(rendered.getvalue()))
    _fit_rules(doc, context)
    _keep_signature_with_text(doc)
    props = doc.core_properties
    props.title = _safe_property(title or context.get("title") or "")
    if author:
        props.author = _safe_property(author)
        props.last_modified_by = _safe_property(author)
    now = timezone.now().replace(microsecond=0, tzinfo=None)
    props.created = now
    props.modified = now
    props.comments = ""
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _safe_property(text):
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(text))[:250]


def render_docx(document, *, final=False):
    """The .docx of `document` from the active template of its kind.

    final=True is used once, when the document is issued: number and date are printed and the
    DỰ THẢO mark is gone.
    """
    from .context import build_context

    context = build_context(document, final=final)
    version, template = active_template(document.kind)
    try:
        return render_template(template, context, author=document.commune.name)
    except Exception:
        if version is None:
            raise
        # Uploaded templates are checked, but a document must never be blocked by one (least of
        # all inside the issue transaction): fall back to the built-in template and say so in the log.
        logger.exception("Word template version %s failed for document %s; using the built-in template", version.pk, document.pk)
        return render_template(builtin_template(document.kind), context, author=document.commune.name)


# --- file names -----------------------------------------------------------------------------
def ascii_slug(text):
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"-{2,}", "-", re.sub(r"[^A-Za-z0-9-]+", "-", text)).strip("-")


def _label_name(label, year):
    """"07/BC-UBND" issued in 2026 -> "BC-07-UBND-2026"."""
    number, _, symbol = label.partition("/")
    type_part, _, body = symbol.partition("-")
    parts = [type_part, number.strip(), body] if number.strip() else [symbol]
    return ascii_slug("-".join(p for p in parts if p) + (f"-{year}" if year else ""))


def file_name(document, extension="docx"):
    """ASCII-safe: "KH-01-UBND-2026.docx" once issued, "Du-thao-KH-UBND-12.docx" before."""
    kind_abbreviation = TYPE_ABBREVIATIONS.get(document.kind, "VB")
    if document.kind == "unit_report":
        from .context import UNIT_REPORT_DRAFT_STATES

        unit = ascii_slug(document.unit.abbreviation)
        label = str((document.content or {}).get("number_label") or "").strip()
        if document.state in UNIT_REPORT_DRAFT_STATES:
            stem = f"Du-thao-BC-{unit}-{document.pk}"
        elif "/" in label:
            year = timezone.localdate(document.submitted_at).year if document.submitted_at else ""
            stem = _label_name(label, year)
        else:
            period = ascii_slug(document.period.code) if document.period_id else document.pk
            stem = f"BC-{unit}-{period}"
    elif document.state == ISSUED and document.number_label:
        stem = _label_name(document.number_label, document.issued_on.year if document.issued_on else "")
    else:
        stem = f"Du-thao-{kind_abbreviation}-{ascii_slug(document.commune.abbreviation)}-{document.pk}"
    return f"{stem or 'van-ban'}.{extension}"


def attachment_header(filename):
    """Content-Disposition value for a download (ASCII name plus the RFC 5987 form)."""
    return content_disposition_header(True, filename)


# --- issued files ---------------------------------------------------------------------------
def store_issued_file(document):
    """Render the final file once and keep it; called inside the `issue` transaction.

    The storage never overwrites a name (a rolled-back issue may have left a file behind), so
    the file saved here is exactly the one whose hash is recorded.
    """
    data = render_docx(document, final=True)
    issued = IssuedFile(document=document, filename=file_name(document, "docx"), sha256=hashlib.sha256(data).hexdigest())
    issued.file.save(issued.filename, ContentFile(data), save=False)
    issued.save()
    return issued


def _issued_file(document):
    issued = IssuedFile.objects.filter(document_id=document.pk).first()
    if issued is None:
        # Issued before files were stored: store it now, once (the document row serialises
        # concurrent downloads), so that every later download is identical.
        from workflows.models import Document

        with transaction.atomic():
            locked = Document.objects.select_for_update().get(pk=document.pk)
            issued = IssuedFile.objects.filter(document_id=document.pk).first() or store_issued_file(locked)
    return issued.filename, issued.content


def document_file(document):
    """(filename, bytes): the stored file if the document is issued, else a fresh draft render."""
    if document.state == ISSUED:
        return _issued_file(document)
    return file_name(document, "docx"), render_docx(document)


def document_pdf(document):
    """(filename, bytes) of the PDF; raises PdfUnavailable when LibreOffice is missing or fails."""
    name, data = document_file(document)
    return name.rsplit(".", 1)[0] + ".pdf", docx_to_pdf(data)
