"""Checking the signatures of a PDF with pyHanko's validator: one report row per signature.

Each row: who signed (certificate subject), who issued the certificate, when, whether the signed
bytes are intact, what the signature covers (the whole file, or a revision with later changes
that PAdES allows: form filling, further signatures), and whether the certificate chains to a
configured trusted root. Any changed byte makes a row fail.
"""
import io
from dataclasses import asdict, dataclass

from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from plans.formatting import datetime_vn

from . import outside_loop
from .keys import validation_context

MODIFICATIONS = {
    "NONE": "không có thay đổi nào sau chữ ký",
    "LTA_UPDATES": "chỉ thêm dữ liệu kiểm tra dài hạn",
    "FORM_FILLING": "sau chữ ký chỉ điền số, ngày vào ô có sẵn và thêm chữ ký khác (thay đổi được phép)",
    "ANNOTATIONS": "sau chữ ký có thêm chú thích",
    "OTHER": "sau chữ ký có thay đổi KHÔNG được phép",
}


@dataclass
class SignatureReport:
    field: str
    signer: str
    issuer: str
    signed_at: str | None
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    coverage: str
    changes_after: str
    ok: bool
    problem: str

    def as_dict(self):
        # signed_at stays ISO 8601 (+07:00) for the API; pages print it as officials write times.
        return {**asdict(self), "signed_at_display": datetime_vn(self.signed_at)}


@dataclass
class FileReport:
    readable: bool
    signatures: list
    ok: bool
    summary: str

    def as_dict(self):
        return {"readable": self.readable, "ok": self.ok, "summary": self.summary, "signatures": [s.as_dict() for s in self.signatures]}


def _when(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _row(embedded):
    try:
        status = outside_loop.call(validate_pdf_signature, embedded, validation_context())
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        return SignatureReport(
            field=embedded.field_name, signer="", issuer="", signed_at=None, intact=False, valid=False, trusted=False,
            covers_whole_file=False, coverage="", changes_after="", ok=False,
            problem=f"Không kiểm tra được chữ ký: tệp đã bị sửa hoặc hỏng ({type(exc).__name__}).",
        )
    cert = status.signing_cert
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    level = status.modification_level.name if status.modification_level is not None else "OTHER"
    allowed = whole or (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and bool(status.docmdp_ok))
    ok = bool(status.intact and status.valid and status.trusted and allowed)
    if not status.intact:
        problem = "Nội dung đã bị thay đổi sau khi ký: chữ ký không còn khớp với tệp."
    elif not status.valid:
        problem = "Chữ ký không hợp lệ về mật mã."
    elif not status.trusted:
        problem = "Chứng thư số không chuỗi được tới tổ chức chứng thực tin cậy (hoặc đã hết hạn, bị thu hồi)."
    elif not allowed:
        problem = "Sau khi ký, tệp có thay đổi không được phép."
    else:
        problem = ""
    return SignatureReport(
        field=embedded.field_name,
        signer=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        signed_at=_when(status.signer_reported_dt),
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=whole,
        coverage="Toàn bộ tệp" if whole else "Phiên bản tệp lúc ký; phần thêm sau được liệt kê",
        changes_after=MODIFICATIONS.get(level, level),
        ok=ok,
        problem=problem,
    )


def check(data):
    """The report of every signature in `data` (bytes of a PDF)."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - not a PDF, or a broken one: say so, never crash
        return FileReport(readable=False, signatures=[], ok=False, summary="Tệp không phải PDF hợp lệ hoặc đã bị hỏng.")
    rows = [_row(e) for e in embedded]
    if not rows:
        return FileReport(readable=True, signatures=[], ok=False, summary="Tệp không có chữ ký số nào.")
    ok = all(r.ok for r in rows)
    summary = (
        f"Tất cả {len(rows)} chữ ký số hợp lệ; tệp nguyên vẹn." if ok
        else "CẢNH BÁO: có chữ ký số không hợp lệ hoặc tệp đã bị thay đổi sau khi ký."
    )
    return FileReport(readable=True, signatures=rows, ok=ok, summary=summary)
