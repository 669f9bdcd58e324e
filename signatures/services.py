"""Signing and issuing digitally, hooked on the workflows layer's signals.

sign_document   (inside the `sign` transaction) render the approved version to PDF without the
                DỰ THẢO mark, number and day blank; sign it with the signer's key (PAdES B-B, or
                B-T with SIGNING_TSA_URL) and the blue signature image; store it with its SHA-256.
issue_document  (inside the `issue` transaction, after the number is given) fill the number and
                date into the signed PDF and add the organisation's signature with the red seal;
                store the result once: the document's original (bản gốc điện tử).

Any refusal raises a workflows error with the Vietnamese reason, which rolls back the whole
transition: no state change, no number taken.
"""
import hashlib
import io
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from documents import dates
from documents.register import peek_number
from documents.pdf import PdfUnavailable, docx_to_pdf
from documents.rendering import file_name, render_docx
from workflows.errors import Invalid, Unavailable

from .lazy import Deferred
from .models import SignedPdf, SigningKey

# pyHanko and the rest load when a PDF is first signed or checked (signatures.lazy says why).
pdfsign = Deferred("signatures.pdfsign")
verify = Deferred("signatures.verify")
keys = Deferred("signatures.keys")

logger = logging.getLogger(__name__)
STAGE = SignedPdf.Stage


def enabled():
    return bool(settings.DIGITAL_SIGNING)


def key_of_person(user):
    return SigningKey.objects.filter(user=user).first()


def key_of_organisation(commune):
    return SigningKey.objects.filter(commune=commune).first()


def signed_pdf(document, stage):
    return SignedPdf.objects.filter(document_id=document.pk, stage=stage).first()


def original(document):
    """The issued, organisation-signed PDF (None when the document was not issued digitally)."""
    return signed_pdf(document, STAGE.ISSUED)


def latest(document):
    return original(document) or signed_pdf(document, STAGE.SIGNED)


def _refuse(detail):
    return Invalid(detail, {"signature": [detail]})


def _image(key):
    """The signature or seal image as a PIL image, read through the file storage (local or S3)."""
    if key is None or not key.image:
        return None
    with key.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def verify_url(document):
    try:
        path = reverse("van-ban:signatures", args=[document.pk])
    except NoReverseMatch:
        path = f"/documents/{document.pk}/signatures/"
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _store(document, stage, data, user, subject):
    suffix = {STAGE.PREPARED: "de-ky", STAGE.SIGNED: "ky-so", STAGE.ISSUED: "ban-goc"}[stage]
    name = file_name(document, "pdf").rsplit(".", 1)[0] + f"-{suffix}.pdf"
    row = SignedPdf(
        document=document, stage=stage, version=document.version, filename=name,
        sha256=hashlib.sha256(data).hexdigest(), signed_by=user, certificate_subject=subject[:300],
    )
    row.file.save(name, ContentFile(data), save=False)
    row.save()
    return row


def prepare_pdf(document):
    """The PDF the signer signs: the approved version, no DỰ THẢO, number and day blank."""
    try:
        return docx_to_pdf(render_docx(document, signing=True))
    except PdfUnavailable as exc:
        raise Unavailable("Không tạo được bản PDF để ký: " + exc.detail) from None


def _signer_name(user):
    return user.full_name or user.get_full_name() or user.username


def _locate(document, data, name):
    try:
        return pdfsign.locate(data, name, document.commune.place_name)
    except pdfsign.LayoutNotFound as exc:
        raise Unavailable("Không xác định được vị trí chữ ký trên bản PDF: " + exc.detail) from None


def _verify_line(document):
    url = verify_url(document)
    return f"Kiểm tra chữ ký số tại: {url}", url


def sign_document(sender, document, signer, signed_file=None, **kwargs):
    if signed_file is not None:
        return accept_signed_elsewhere(document, signer, signed_file)
    if not enabled():
        return None
    key = key_of_person(signer)
    name = _signer_name(signer)
    data = prepare_pdf(document)
    found = _locate(document, data, name)
    try:
        with keys.open_signer(key, name) as pyhanko_signer:
            signed = pdfsign.sign_as_person(
                data, pyhanko_signer, found, image=_image(key),
                reason=f"{signer.position or 'Người ký'} ký ban hành", location=document.commune.place_name,
                verify_line=_verify_line(document),
            )
            subject = keys.holder_name(pyhanko_signer.signing_cert)
    except keys.KeyRefused as exc:
        raise _refuse(exc.detail) from None
    except Exception as exc:  # noqa: BLE001 - a token that fails mid-signature: refuse, change nothing
        logger.exception("Signing document %s failed", document.pk)
        raise _refuse(f"Thiết bị ký số không ký được văn bản ({type(exc).__name__}). Văn bản chưa thay đổi.") from exc
    SignedPdf.objects.filter(document_id=document.pk, stage=STAGE.SIGNED).delete()  # an earlier signing sent back
    return _store(document, STAGE.SIGNED, signed, signer, subject)


# --- signing elsewhere ----------------------------------------------------------------------
def pdf_to_sign_elsewhere(document, user):
    """The PDF the signer downloads to sign with their own tool, made once per approved version and
    kept: what they upload must be exactly this file with their signature appended."""
    prepared = signed_pdf(document, STAGE.PREPARED)
    if prepared is not None and prepared.version == document.version:
        return prepared
    if prepared is not None:
        prepared.delete()
    data = prepare_pdf(document)
    found = _locate(document, data, _signer_name(user))
    prepared_data = pdfsign.prepare_for_signing_elsewhere(data, found, verify_line=_verify_line(document))
    return _store(document, STAGE.PREPARED, prepared_data, user, "")


def _upload_refused(detail):
    return Invalid(detail, {"file": [detail]})


def accept_signed_elsewhere(document, signer, data):
    """Accept a PDF signed with the signer's own tool: a valid, trusted signature of this signer,
    over exactly the file they downloaded (the approved version), with nothing else changed."""
    prepared = signed_pdf(document, STAGE.PREPARED)
    if prepared is None or prepared.version != document.version:
        raise _upload_refused("Chưa tải bản PDF để ký của phiên bản đã duyệt này. Hãy tải bản để ký, ký rồi tải lên lại.")
    if not data.startswith(b"%PDF-"):
        raise _upload_refused("Tệp tải lên không phải tệp PDF.")
    original_bytes = prepared.content()
    report = verify.check(data)
    if not report.readable:
        raise _upload_refused(report.summary)
    if not report.signatures:
        raise _upload_refused("Tệp tải lên chưa có chữ ký số.")
    if not data.startswith(original_bytes) or len(report.signatures) != 1:
        raise _upload_refused(
            "Nội dung tệp đã ký khác bản đã duyệt: phải ký đúng tệp đã tải về để ký, không sửa gì thêm."
        )
    row = report.signatures[0]
    if not row.covers_whole_file:
        raise _upload_refused("Sau chữ ký, tệp còn bị thêm nội dung khác. Hãy ký lại đúng tệp đã tải về.")
    if not row.ok:
        raise _upload_refused("Chữ ký số trong tệp không hợp lệ: " + row.problem)
    try:
        keys.check_certificate(pdfsign.signing_certificate(data), _signer_name(signer))
    except keys.KeyRefused as exc:
        raise _upload_refused(exc.detail) from None
    SignedPdf.objects.filter(document_id=document.pk, stage=STAGE.SIGNED).delete()
    return _store(document, STAGE.SIGNED, data, signer, keys.holder_name(pdfsign.signing_certificate(data)))


def iso_vietnam(moment):
    """2026-12-06T14:03:07+07:00: the signing time as ND30 shows it (Vietnam time, ISO 8601)."""
    local = timezone.localtime(moment)
    return local.isoformat(timespec="seconds")


def issue_document(sender, document, **kwargs):
    if not enabled():
        return
    signed = signed_pdf(document, STAGE.SIGNED)
    if signed is None:
        return  # signed before digital signing was switched on: issued as a Word file only
    clerk = kwargs.get("clerk") or document.audit_entries.order_by("-at", "-id").first().actor
    key = key_of_organisation(document.commune)
    organisation = document.commune.name
    try:
        data = signed.content()
    except ValueError as exc:
        raise Unavailable(str(exc)) from None
    now = timezone.now()
    try:
        with keys.open_signer(key, organisation) as pyhanko_signer:
            final = pdfsign.sign_as_organisation(
                data, pyhanko_signer,
                number=document.number_label, date_text=dates.long_date(document.issued_on),
                seal=_image(key), organisation=organisation, signed_at=iso_vietnam(now),
                reason="Văn thư ký số của cơ quan khi phát hành", location=document.commune.place_name,
            )
            subject = keys.holder_name(pyhanko_signer.signing_cert)
    except keys.KeyRefused as exc:
        raise _refuse("Không ký số của cơ quan được: " + exc.detail) from None
    except pdfsign.LayoutNotFound as exc:
        raise Unavailable(exc.detail) from None
    except Exception as exc:  # noqa: BLE001 - refuse the issue; no number is taken
        logger.exception("Organisation signature of document %s failed", document.pk)
        raise _refuse(f"Thiết bị ký số của cơ quan không ký được ({type(exc).__name__}). Chưa cấp số.") from exc
    _store(document, STAGE.ISSUED, final, clerk, subject)


def document_report(document):
    """The read model of «Kiểm tra chữ ký số» (web page and API): the stored signed PDF checked now."""
    stored = latest(document)
    base = {"document_id": document.pk, "stage": None, "sha256": None, "readable": False, "ok": False, "signatures": []}
    if stored is None:
        return {**base, "summary": "Văn bản chưa được ký số."}
    base.update(stage=stored.stage, sha256=stored.sha256)
    try:
        data = stored.content()
    except ValueError as exc:
        return {**base, "summary": str(exc)}
    return {**base, **verify.check(data).as_dict()}


def _key_line(key, owner):
    if key is None:
        return f"Chưa cấu hình khóa ký số cho {owner}: thao tác sẽ bị từ chối."
    where = f"token «{key.token_label}», khóa «{key.key_label}»" if key.backend == "pkcs11" else "tệp PKCS#12 trên máy chủ"
    return f"Ký bằng khóa của {owner} ({where})" + (" – CHỈ DÙNG THỬ, không có giá trị pháp lý." if key.is_demo else ".")


def action_notice(document, user, action_names):
    """What the sign or issue button will do, shown beside it: the key, the PDF, the number and date."""
    if not enabled():
        return None
    if "sign" in action_names:
        name = user.full_name or user.username
        return {
            "kind": "sign",
            "key": _key_line(key_of_person(user), name),
        }
    if "issue" in action_names and signed_pdf(document, STAGE.SIGNED) is not None:
        today = timezone.localdate()
        return {
            "kind": "issue",
            "key": _key_line(key_of_organisation(document.commune), document.commune.name),
            "number": peek_number(document, today),
            "date": dates.long_date(today),
        }
    return None
