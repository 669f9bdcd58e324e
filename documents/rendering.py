"""Word (and PDF) files of documents.

render_docx(document, final=False)  the .docx from the active template for the document's kind
prepare_issued_file(document, issued_on=)  before the `issue` transaction: the final file with a
                                    token where the number goes (documents.issuing)
store_issued_file(document, prepared)  in the `issue` transaction: the prepared file with its
                                    number filled in (or rendered now), kept in file storage
                                    (default_storage) with its SHA-256
document_file(document)             (filename, bytes): the stored file once issued (hash checked,
                                    StoredFileCorrupt otherwise), else a draft
document_pdf(document)              (filename, bytes) converted now through LibreOffice, or
                                    PdfUnavailable; pages and the API serve the stored PDF made
                                    once per version by a task instead (documents.pdfs)

User text is data, never template: the template is rendered with autoescape, and every value
printed by {{ }} goes through `_literal`, which also hides braces from docxtpl's own
post-processing (it rewrites "{_{" to "{{" in the rendered XML).

Templates are code from an administrator, so they render in Jinja's sandbox
(documents.docx_engine); the built-in template in-process, an uploaded one in a child process
with a time and memory budget (documents.templates.render_uploaded). An uploaded template that
fails, is refused or runs out of budget is logged and the built-in template is used instead.
"""
import copy
import hashlib
import io
import logging
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from workflows.models import Document

from .context import UNIT_REPORT_DRAFT_STATES, build_context
from .docx_engine import jinja_environment, render_template  # noqa: F401 - part of this module's API
from .models import IssuedFile, StoredFileCorrupt
from .pdf import PdfUnavailable, docx_to_pdf
from .register import TYPE_ABBREVIATIONS
from .templates import active_template, builtin_template, render_uploaded

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
]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
ISSUED = "issued"


# --- rendering ------------------------------------------------------------------------------
def render_docx(document, *, final=False, signing=False):
    """The .docx of `document` from the active template of its kind.

    final=True is used once, when the document is issued: number and date are printed and the
    DỰ THẢO mark is gone. signing=True is the version the signer signs digitally: no DỰ THẢO
    mark, number and day still blank (the văn thư stamps them on the signed PDF).
    """
    context = build_context(document, final=final)
    if signing:
        context["draft"] = False
    version, template = active_template(document.kind)
    if version is None:
        # Our own template: in-process (the hot path), in the same sandbox.
        return render_template(template, context, author=document.commune.name)
    try:
        return render_uploaded(template, context, author=document.commune.name)
    except Exception:
        # Uploaded templates are checked, but a document must never be blocked by one (least of
        # all inside the issue transaction), nor may an old unchecked one run: fall back to the
        # built-in template and say so in the log.
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
        unit = ascii_slug(document.unit.abbreviation)
        label = document.number_label.strip()
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


# --- issued files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PreparedFile:
    """The final .docx of a document about to be issued, rendered with `token` where its number goes."""

    data: bytes
    token: str
    issued_on: object

    def with_number(self, number_label):
        """The file with the number in place of the token: the XML parts are rewritten, nothing rendered."""
        needle = self.token.encode()
        label = xml_escape(number_label).encode("utf-8")
        source = zipfile.ZipFile(io.BytesIO(self.data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                content = source.read(info)
                if info.filename.endswith(".xml"):
                    content = content.replace(needle, label)
                target.writestr(info, content)
        return out.getvalue()


def prepare_issued_file(document, *, issued_on):
    """The final file of `document` rendered now, before the issue transaction, with a random token
    (ASCII letters and digits: escaping leaves it unchanged, and no user text contains it by
    chance) where the number will be; `document` itself is not changed."""
    token = "SOVB" + secrets.token_hex(16)
    final = copy.copy(document)
    final.number_label = token
    final.issued_on = issued_on
    return PreparedFile(data=render_docx(final, final=True), token=token, issued_on=issued_on)


def store_issued_file(document, prepared=None):
    """Keep the final file of a document being issued; called inside the `issue` transaction,
    after the number was taken. `prepared` (from prepare_issued_file) only gets its number filled
    in; without it (or for another day) the file is rendered here.

    The storage never overwrites a name (a rolled-back issue may have left a file behind), so
    the file saved here is exactly the one whose hash is recorded.
    """
    if prepared is not None and prepared.issued_on == document.issued_on:
        data = prepared.with_number(document.number_label)
    else:
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
