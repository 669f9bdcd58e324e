"""PDF work of digital signatures: find where things go, sign, stamp the number, validate.

All of it goes through pyHanko. Positions are read from the rendered PDF (pdfminer), never
hard-coded: the signer's image between the title line and the name line (ND30 ô 7c), the
organisation's seal over the left third of it (ô 8), the number after "Số:" and the date on the
place-and-date line.

The number and date are filled into text fields that the signer's signature already covers
(created empty, in the signer's own revision): filling a form field in a later incremental update
is a change PAdES validators accept, where rewriting page content would break the signature.
"""
import io
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
from pyhanko.pdf_utils import generic, images, layout, text
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.stamp import QRStampStyle, StaticStampStyle, TextStampStyle

from . import outside_loop
from .fonts import PdfUnitsFontFactory

NUMBER_FIELD = "SoKyHieu"
DATE_FIELD = "NgayBanHanh"
SIGNER_FIELD = "ChuKyNguoiKy"
ORGANISATION_FIELD = "ChuKyCoQuan"
MM = 72 / 25.4
SEAL_SIZE = 36 * MM
SEAL_TEXT = 30  # room under the seal for the organisation's name and the signing time
BELOW_BASELINE = 0.3  # em: the stamp fields reach this far below the baseline (descenders, dấu nặng)  # a commune's round seal is 35-36 mm across (Nghị định 99/2016)


class LayoutNotFound(Exception):
    """The rendered PDF lacks a line the signature needs; `detail` says which, in Vietnamese."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


@dataclass
class Place:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    size: float = 13

    @property
    def box(self):
        return (round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2))


@dataclass
class Layout:
    number: Place
    date: Place
    signature: Place  # the free space between the title line and the name line


def _norm(value):
    return unicodedata.normalize("NFC", " ".join(str(value).split())).casefold()


def _lines(data):
    """(page index, page width, text line) for every text line of the PDF."""
    for index, page in enumerate(extract_pages(io.BytesIO(data), laparams=LAParams(char_margin=1.5, line_margin=0.3))):
        stack = list(page)
        while stack:
            item = stack.pop(0)
            if isinstance(item, LTTextLine):
                yield index, page.width, item
            elif isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
                stack[0:0] = list(item)


def _chars(line):
    return [c for c in line if isinstance(c, LTChar)]


def _text_place_after(line, page, prefix_end, *, margin):
    """The place from the character after `prefix_end` to the end of the line (plus `margin`)."""
    chars = _chars(line)
    start = chars[prefix_end].x1 if prefix_end >= 0 else chars[0].x0
    size = max(round(c.size) for c in chars)
    baseline = chars[0].matrix[5]  # the text matrix's y: where the glyphs stand
    return Place(page, start + 0.3, baseline - BELOW_BASELINE * size, line.x1 + margin, line.y1 + 1, size)


def _is_date_line(content, place):
    if place:
        return content.startswith(f"{place},") and " ngày" in content
    return " ngày " in f" {content}" and " năm " in content


def locate(data, signer_name, place=None):
    """Where the number, the date and the signer's image go in the rendered PDF. `place` is the
    place name that opens the date line ("Diễn Châu, ngày ..."), when known."""
    lines = list(_lines(data))
    number = date = None
    for page, _width, line in lines:
        if page != 0:
            break
        content = unicodedata.normalize("NFC", line.get_text()).strip()
        chars = "".join(unicodedata.normalize("NFC", c.get_text()) for c in _chars(line))
        if number is None and content.startswith("Số:"):
            number = _text_place_after(line, page, chars.index(":"), margin=24)
        elif date is None and _is_date_line(content, place):
            # "Diễn Châu, ngày      tháng 12 năm 2026": the field covers "ngày ... năm ...." whole.
            at = chars.index("ngày")
            date = _text_place_after(line, page, at - 1, margin=24)
    if number is None:
        raise LayoutNotFound("Không tìm thấy dòng «Số:» trong bản PDF của văn bản.")
    if date is None:
        raise LayoutNotFound("Không tìm thấy dòng địa danh, ngày tháng trong bản PDF của văn bản.")
    wanted = _norm(signer_name)
    name_line = None
    for page, _width, line in lines:
        if _norm(line.get_text()) == wanted:
            name_line = (page, line)  # the last one: the signature block ends the document
    if name_line is None:
        raise LayoutNotFound(f"Không tìm thấy tên người ký «{signer_name}» trong bản PDF của văn bản.")
    page, name = name_line
    centre = (name.x0 + name.x1) / 2
    above = [
        line
        for p, _w, line in lines
        if p == page and line.y0 > name.y1 and line.x0 <= centre <= line.x1 and line.get_text().strip()
    ]
    if not above:
        raise LayoutNotFound("Không tìm thấy dòng chức vụ của người ký phía trên tên trong bản PDF.")
    title = min(above, key=lambda line: line.y0)
    gap_bottom, gap_top = name.y1 + 2, title.y0 - 2
    if gap_top - gap_bottom < 30:
        raise LayoutNotFound("Khoảng trống giữa chức vụ và tên người ký quá hẹp để đặt chữ ký.")
    half = min(55 * MM, (gap_top - gap_bottom) * 2.2) / 2
    signature = Place(page, centre - half, gap_bottom, centre + half, gap_top)
    return Layout(number=number, date=date, signature=signature)


# --- fonts ------------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def font_file(italic=False):
    """Times New Roman when installed (fc-match), else Liberation Serif, its metric-compatible twin."""
    configured = settings.SIGNING_FONT_ITALIC if italic else settings.SIGNING_FONT
    if configured:
        return configured
    pattern = "Times New Roman:italic" if italic else "Times New Roman"
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=False).stdout.strip()
        if found and Path(found).exists() and found.lower().endswith((".ttf", ".otf")):
            return found
    style = "Italic" if italic else "Regular"
    for directory in ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation"):
        candidate = Path(directory) / f"LiberationSerif-{style}.ttf"
        if candidate.exists():
            return str(candidate)
    raise LayoutNotFound("Máy chủ thiếu phông chữ Times New Roman (hoặc Liberation Serif) để ghi số và ngày.")


def _text_xobject(writer, value, place, *, italic, indent):
    """A form XObject: a white box over the place, `value` in Times New Roman at the line's size,
    on the line's own baseline (BELOW_BASELINE above the field's bottom)."""
    width, height = place.x1 - place.x0, place.y1 - place.y0
    engine = PdfUnitsFontFactory(font_file(italic), font_size=place.size).create_font_engine(writer)
    shaped = engine.shape(value)
    baseline = BELOW_BASELINE * place.size
    stream = generic.StreamObject(
        {
            pdf_name("/Type"): pdf_name("/XObject"),
            pdf_name("/Subtype"): pdf_name("/Form"),
            pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, width, height)]),
            pdf_name("/Resources"): generic.DictionaryObject(
                {pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F1"): engine.as_resource()})}
            ),
        },
        stream_data=b"q 1 g 0 0 %g %g re f Q BT 0 g /F1 %g Tf %g %g Td %s ET"
        % (width, height, place.size, indent * place.size, baseline, shaped.graphics_ops),
    )
    return writer.add_object(stream)


def _acroform_fields(writer):
    root = writer.root
    if "/AcroForm" not in root:
        root[pdf_name("/AcroForm")] = writer.add_object(generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    form = root["/AcroForm"]
    return form


def add_blank_fields(writer, found):
    """The empty, read-only text fields the văn thư fills on issue (part of the signer's revision)."""
    form = _acroform_fields(writer)
    field_list = form["/Fields"]
    for name, place in ((NUMBER_FIELD, found.number), (DATE_FIELD, found.date)):
        page_ref = writer.find_page_for_modification(place.page)[0]
        field = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): pdf_string(name),
                pdf_name("/Ff"): generic.NumberObject(1),  # read-only for people with a PDF reader
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/P"): page_ref,
                pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in place.box]),
                pdf_name("/DA"): pdf_string("/Helv %d Tf 0 g" % place.size),
            }
        )
        ref = writer.add_object(field)
        field_list.append(ref)
        writer.register_annotation(page_ref, ref)
    writer.update_container(form)


def _field(writer, name):
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == name:
            return ref, field
    raise LayoutNotFound(f"Bản PDF đã ký thiếu ô «{name}» để ghi số và ngày.")


def fill_fields(writer, values):
    """Write {field name: (text, italic, indent in em)} into the fields with their appearance."""
    for name, (value, italic, indent) in values.items():
        ref, field = _field(writer, name)
        x0, y0, x1, y1 = (float(v) for v in field["/Rect"])
        size = int(str(field["/DA"]).split()[1])
        page_index = _page_index(writer, field.raw_get("/P"))
        place = Place(page_index, x0, y0, x1, y1, size)
        field[pdf_name("/V")] = pdf_string(value)
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _text_xobject(writer, value, place, italic=italic, indent=indent)})
        writer.mark_update(ref)


# --- signing --------------------------------------------------------------------------------
def _timestamper():
    return timestamps.HTTPTimeStamper(settings.SIGNING_TSA_URL) if settings.SIGNING_TSA_URL else None


def _layout_top_centre():
    return layout.SimpleBoxLayoutRule(
        x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
        inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
    )


def _signer_style(image):
    """The signer's appearance: the signature image only (ND30 ô 7c); a text when none is configured."""
    if image is not None:
        return StaticStampStyle(
            background=images.PdfImage(image), border_width=0, background_layout=_layout_top_centre()
        )
    return _image_style(None, stamp_text="Đã ký số", font_size=10)


def _image_style(image, *, stamp_text, font_size=7):
    background = images.PdfImage(image) if image is not None else None
    return TextStampStyle(
        stamp_text=stamp_text,
        text_box_style=text.TextBoxStyle(font=PdfUnitsFontFactory(font_file(), font_size=font_size), font_size=font_size),
        border_width=0,
        background=background,
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MAX,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MIN,
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def add_verify_line(writer, page, verify):
    """A small QR code and line at the foot of the signature page: where anyone with access can
    check the signatures. `verify` is (text, url)."""
    line, url = verify
    style = QRStampStyle(
        stamp_text="%(line)s",
        text_box_style=text.TextBoxStyle(font=PdfUnitsFontFactory(font_file(italic=True), font_size=8), font_size=8),
        border_width=0,
        innsep=2,
    )
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=330, height=42), {"url": url, "line": line})
    page_ref, _size = stamp.apply(page, 85, 8)
    link = page_ref.get_object()["/Annots"][-1].get_object()  # the link pyHanko puts over the QR code
    link[pdf_name("/Border")] = generic.ArrayObject([generic.NumberObject(0)] * 3)


def _prepare(writer, found, verify_line):
    add_blank_fields(writer, found)
    if verify_line:
        add_verify_line(writer, found.signature.page, verify_line)


def sign_as_person(data, signer, found, *, image, reason, location, verify_line=None):
    """The signer's revision: blank number/date fields plus a PAdES signature with the blue image."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _prepare(writer, found, verify_line)
    box = found.signature
    fields.append_signature_field(writer, fields.SigFieldSpec(SIGNER_FIELD, on_page=box.page, box=box.box))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNER_FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=_signer_style(image), timestamper=_timestamper())
    return outside_loop.call(pdf_signer.sign_pdf, writer).getvalue()


def prepare_for_signing_elsewhere(data, found, *, verify_line=None):
    """The PDF a signer signs with their own tool: the blank number/date fields and an empty
    signature field where ND30 puts the signature, unsigned. Their tool appends the signature."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _prepare(writer, found, verify_line)
    box = found.signature
    fields.append_signature_field(writer, fields.SigFieldSpec(SIGNER_FIELD, on_page=box.page, box=box.box))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seal_box(signature_box):
    """The seal's place: real size, its right third over the left third of the signer's image (ô 8)."""
    sig_width = signature_box[2] - signature_box[0]
    right = signature_box[0] + sig_width / 3
    centre_y = (signature_box[1] + signature_box[3]) / 2
    return (right - SEAL_SIZE, centre_y - SEAL_SIZE / 2 - SEAL_TEXT, right, centre_y + SEAL_SIZE / 2)


def _page_index(handler, page_ref):
    for index in range(int(handler.root["/Pages"]["/Count"])):
        if handler.find_page_for_modification(index)[0].idnum == page_ref.idnum:
            return index
    return 0


def signer_box(data):
    """The page and rectangle of the signer's signature widget in a signed PDF: our field, else the
    first visible signature a signer's own tool added."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    candidates = []
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") != "/Sig" or "/Rect" not in field or "/P" not in field:
            continue
        rect = tuple(float(v) for v in field["/Rect"])
        if abs(rect[2] - rect[0]) < 1 or abs(rect[3] - rect[1]) < 1:
            continue
        place = (_page_index(reader, field.raw_get("/P")), rect)
        if field.get("/T") == SIGNER_FIELD:
            return place
        candidates.append(place)
    if candidates:
        return candidates[0]
    raise LayoutNotFound("Bản PDF chưa có chữ ký hiển thị của người ký.")


def sign_as_organisation(data, signer, *, number, date_text, seal, organisation, signed_at, reason, location, footer=None):
    """The văn thư's revision: number and date filled in, then the organisation's signature and seal."""
    page, sig_rect = signer_box(data)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    # "Số: 05/KH-UBND": one space after the colon; the date field starts at "ngày" itself.
    fill_fields(writer, {NUMBER_FIELD: (number, False, 0.25), DATE_FIELD: (date_text, True, 0)})
    box = seal_box(sig_rect)
    fields.append_signature_field(writer, fields.SigFieldSpec(ORGANISATION_FIELD, on_page=page, box=tuple(round(v, 2) for v in box)))
    meta = signers.PdfSignatureMetadata(
        field_name=ORGANISATION_FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location,
    )
    style = _image_style(seal, stamp_text="%(org)s\n%(when)s", font_size=7)
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=_timestamper())
    return outside_loop.call(
        pdf_signer.sign_pdf, writer, appearance_text_params={"org": organisation, "when": signed_at}
    ).getvalue()


def signing_certificate(data):
    """The signer's certificate (asn1crypto) of the first signature in `data`."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return reader.embedded_signatures[0].signer_cert
