"""Digital signatures (issue 13): the Phó Chủ tịch signs a PDF with a key in a SoftHSM2 token, the
văn thư stamps the number and date and adds the organisation's signature; pyHanko's validator
checks the result; refusals change nothing."""
import hashlib
import io
import re
import subprocess

import pytest
from django.conf import settings
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signatures import outside_loop, pdfsign, pki
from signatures.keys import validation_context
from signatures.models import SignedPdf, SigningKey
from tests.helpers.api import assert_error, login
from tests.helpers.workflow import COMMUNE_STEPS, demo, new_plan_document, run, the_plan
from workflows.services import ensure_plan_document

pytestmark = [pytest.mark.signing, pytest.mark.django_db]


def ok(response, status=200):
    assert response.status_code == status, response.content[:500]
    return response.json()


@pytest.fixture
def approved_plan(signing_keys):
    return run(new_plan_document("Kế hoạch thi đua ký số"), *COMMUNE_STEPS["approved"])


@pytest.fixture
def the_approved_plan(signing_keys):
    """The seed plan (Kế hoạch Diễn Châu 2026–2030, six pages) as its document, approved."""
    return run(ensure_plan_document(the_plan()), *COMMUNE_STEPS["approved"])


def _pdf(client, document_id):
    response = client.client.get(f"/api/v1/documents/{document_id}/pdf", HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def _validate(data):
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    return [(sig.field_name, outside_loop.call(validate_pdf_signature, sig, validation_context())) for sig in reader.embedded_signatures]


def _page_png(data, page, directory, dpi=100):
    source = directory / "ban-goc.pdf"
    source.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), str(source), str(directory / "trang")],
        capture_output=True, check=True,
    )
    return Image.open(directory / "trang.png").convert("RGB")


def _page_object(reader, index):
    return reader.find_page_for_modification(index)[0].get_object()


def _count(image, box_pt, dpi, predicate):
    """Pixels matching `predicate` inside a PDF box (points, origin bottom-left)."""
    scale = dpi / 72
    x0, y0, x1, y1 = box_pt
    height = image.height
    crop = image.crop((int(x0 * scale), int(height - y1 * scale), int(x1 * scale), int(height - y0 * scale)))
    return sum(1 for pixel in crop.get_flattened_data() if predicate(pixel))


def blue(p):
    return p[2] > 120 and p[2] > p[0] + 60 and p[2] > p[1] + 40


def red(p):
    return p[0] > 150 and p[0] > p[1] + 80 and p[0] > p[2] + 80


def test_sign_and_issue_through_the_api_gives_two_valid_signatures_with_the_stamp_allowed(the_approved_plan):
    approved_plan = the_approved_plan
    pct, vanthu = login("pct"), login("vanthu")
    assert_error(vanthu.transition(approved_plan.pk, "sign"), 403)  # four eyes and roles unchanged
    signed = ok(pct.transition(approved_plan.pk, "sign"))
    assert signed["state"] == "signed"

    first = ok(pct.get(f"/documents/{approved_plan.pk}/signatures"))
    assert first["stage"] == "signed" and first["ok"] is True
    assert [s["ok"] for s in first["signatures"]] == [True]
    assert "Đào Hồng Thanh" in first["signatures"][0]["signer"]
    assert "CHỈ DÙNG THỬ" in first["signatures"][0]["issuer"]

    issued = ok(vanthu.transition(approved_plan.pk, "issue"))
    assert issued["state"] == "issued" and issued["number"]
    data = _pdf(vanthu, approved_plan.pk)
    original = SignedPdf.objects.get(document=approved_plan, stage="issued")
    assert hashlib.sha256(data).hexdigest() == original.sha256
    assert _pdf(vanthu, approved_plan.pk) == data  # served once, the same bytes every time

    results = _validate(data)
    assert [name for name, _ in results] == [pdfsign.SIGNER_FIELD, pdfsign.ORGANISATION_FIELD]
    (_, person), (_, organisation) = results
    assert "Đào Hồng Thanh" in person.signing_cert.subject.human_friendly
    assert "Ủy ban nhân dân xã Diễn Châu" in organisation.signing_cert.subject.human_friendly
    for status in (person, organisation):
        assert status.bottom_line and status.intact and status.valid and status.trusted
    # The number/date stamp and the seal came after the person's signature, as allowed changes.
    assert person.coverage == SignatureCoverageLevel.ENTIRE_REVISION
    assert person.modification_level.name == "FORM_FILLING" and person.docmdp_ok
    assert organisation.coverage == SignatureCoverageLevel.ENTIRE_FILE

    report = ok(vanthu.get(f"/documents/{approved_plan.pk}/signatures"))
    assert report["stage"] == "issued" and report["ok"] is True and len(report["signatures"]) == 2
    assert report["signatures"][1]["signed_at"].endswith("+07:00")

    # The number and date are printed where "Số:" and the date are, in the signed original.
    text = subprocess.run(["pdftotext", "-layout", "-f", "1", "-l", "1", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert f"Số: {issued['number']}" in text
    day = issued["issued_on_display"].split("/")[0]
    assert f"ngày {day} tháng" in text
    assert "DỰ THẢO" not in text


def test_one_flipped_byte_fails_validation(approved_plan):
    run(approved_plan, ("pct", "sign"), ("vanthu", "issue"))
    data = bytearray(SignedPdf.objects.get(document=approved_plan, stage="issued").content())
    # A byte inside the page content the signatures cover (not inside the signature values).
    position = data.index(b"stream", len(data) // 10) + 20
    data[position] ^= 0x01
    results = _validate(bytes(data))
    assert results and not all(status.bottom_line and status.intact for _, status in results)


def test_images_are_where_nd30_puts_them(the_approved_plan, tmp_path):
    approved_plan = the_approved_plan
    run(approved_plan, ("pct", "sign"), ("vanthu", "issue"))
    data = SignedPdf.objects.get(document=approved_plan, stage="issued").content()
    page, signer_rect = pdfsign.signer_box(data)
    found = pdfsign.locate(data, "Đào Hồng Thanh")
    # The signer's box lies between the title line and the name: its bottom above the name line.
    assert found.signature.y0 <= signer_rect[1] and signer_rect[3] <= found.signature.y1 + 1
    dpi = 100
    image = _page_png(data, page, tmp_path, dpi)
    assert _count(image, signer_rect, dpi, blue) > 400
    seal = pdfsign.seal_box(signer_rect)
    assert _count(image, seal, dpi, red) > 400
    # The seal covers about the left third of the signer's image, no more than half of it.
    width = signer_rect[2] - signer_rect[0]
    overlap = seal[2] - signer_rect[0]
    assert 0.25 * width <= overlap <= 0.5 * width
    assert _count(image, (signer_rect[0], signer_rect[1], seal[2], signer_rect[3]), dpi, red) > 100
    # The QR code at the foot of that page links to the check page.
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    uris = [
        str(a.get_object()["/A"]["/URI"])
        for a in _page_object(reader, page).get("/Annots", [])
        if a.get_object().get("/Subtype") == "/Link"
    ]
    assert uris == [f"{settings.PUBLIC_BASE_URL}/van-ban/{approved_plan.pk}/chu-ky-so/"]
    assert _count(image, (80, 5, 125, 55), dpi, lambda p: p[0] < 60 and p[1] < 60 and p[2] < 60) > 200


def _refused(document, username, name, status, words):
    client = login(username)
    body = assert_error(client.transition(document.pk, name), status)
    assert words in body["detail"], body["detail"]
    return body


def test_wrong_pin_is_refused_and_nothing_changes(approved_plan, settings):
    settings.SIGNING_PINS = {**settings.SIGNING_PINS, "DEMO": "000000"}
    _refused(approved_plan, "pct", "sign", 400, "Mã PIN")
    approved_plan.refresh_from_db()
    assert approved_plan.state == "approved" and approved_plan.signer is None
    assert not SignedPdf.objects.filter(document=approved_plan).exists()


def test_missing_token_and_someone_elses_certificate_are_refused(approved_plan):
    key = SigningKey.objects.get(user=demo("pct"))
    label, token = key.key_label, key.token_label
    try:
        SigningKey.objects.filter(pk=key.pk).update(token_label="TOKEN-KHONG-CO")
        _refused(approved_plan, "pct", "sign", 400, "Không tìm thấy thiết bị ký số")
        org = SigningKey.objects.get(commune=approved_plan.commune)
        SigningKey.objects.filter(pk=key.pk).update(token_label=token, key_label=org.key_label)
        _refused(approved_plan, "pct", "sign", 400, "không phải của «Đào Hồng Thanh»")
    finally:
        SigningKey.objects.filter(pk=key.pk).update(token_label=token, key_label=label)
    approved_plan.refresh_from_db()
    assert approved_plan.state == "approved"


def test_expired_and_revoked_certificates_are_refused(approved_plan):
    import datetime

    key = SigningKey.objects.get(user=demo("pct"))
    label = key.key_label
    pin = settings.SIGNING_PINS["DEMO"]
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    pki.ensure_key("expired-pct", "Đào Hồng Thanh", "Ủy ban nhân dân xã Diễn Châu", pin=pin,
                   not_before=past, not_after=past + datetime.timedelta(days=365))
    revoked = pki.ensure_key("revoked-pct", "Đào Hồng Thanh", "Ủy ban nhân dân xã Diễn Châu", pin=pin)
    ca_cert, ca_key = pki.ensure_ca()
    try:
        SigningKey.objects.filter(pk=key.pk).update(key_label="expired-pct")
        _refused(approved_plan, "pct", "sign", 400, "hết hạn")
        pki.write_crl(ca_cert, ca_key, [revoked.serial_number])
        SigningKey.objects.filter(pk=key.pk).update(key_label="revoked-pct")
        _refused(approved_plan, "pct", "sign", 400, "thu hồi")
    finally:
        pki.write_crl(ca_cert, ca_key)
        SigningKey.objects.filter(pk=key.pk).update(key_label=label)
    approved_plan.refresh_from_db()
    assert approved_plan.state == "approved"


def test_pdf_that_cannot_be_produced_refuses_signing(approved_plan, settings):
    settings.SOFFICE_PATH = "/khong/co/soffice"
    _refused(approved_plan, "pct", "sign", 503, "Không tạo được bản PDF để ký")
    approved_plan.refresh_from_db()
    assert approved_plan.state == "approved"


def test_organisation_key_refused_takes_no_number(approved_plan):
    signed = run(approved_plan, ("pct", "sign"))
    org = SigningKey.objects.get(commune=signed.commune)
    try:
        SigningKey.objects.filter(pk=org.pk).update(pin_name="KHONG_CO")
        _refused(signed, "vanthu", "issue", 400, "SIGNING_PIN_KHONG_CO")
    finally:
        SigningKey.objects.filter(pk=org.pk).update(pin_name=org.pin_name)
    signed.refresh_from_db()
    assert signed.state == "signed" and signed.number is None and not signed.number_label
    assert not SignedPdf.objects.filter(document=signed, stage="issued").exists()
    # Once the key works again, the number taken is the next one, not one lost to the refusal.
    issued = run(signed, ("vanthu", "issue"))
    assert issued.state == "issued" and issued.number_label


def test_verification_page_shows_valid_signatures_and_a_changed_file_fails(approved_plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers.web import client_for

    run(approved_plan, ("pct", "sign"), ("vanthu", "issue"))
    client = client_for("vanthu")
    page = client.get(f"/van-ban/{approved_plan.pk}/chu-ky-so/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kiểm tra chữ ký số" in html and "Tất cả 2 chữ ký số hợp lệ" in html and "Đào Hồng Thanh" in html
    # signing times as officials write them (dd/mm/yyyy hh:mm, local time); ISO 8601 stays in the API
    assert len(re.findall(r'data-label="Thời điểm ký"[^>]*>\d{2}/\d{2}/\d{4} \d{2}:\d{2}<', html)) == 2

    data = bytearray(SignedPdf.objects.get(document=approved_plan, stage="issued").content())
    position = data.index(b"stream", len(data) // 10) + 20
    data[position] ^= 0x01
    checked = client.post(
        f"/van-ban/{approved_plan.pk}/chu-ky-so/", {"tep": SimpleUploadedFile("sua.pdf", bytes(data), "application/pdf")}
    )
    assert checked.status_code == 200
    assert "CẢNH BÁO" in checked.content.decode()
    not_pdf = client.post(f"/van-ban/{approved_plan.pk}/chu-ky-so/", {"tep": SimpleUploadedFile("a.pdf", b"khong phai pdf")})
    assert "không phải PDF hợp lệ" in not_pdf.content.decode()


def test_sign_page_shows_the_key_and_the_pdf_to_sign_and_the_issue_page_the_number(approved_plan):
    from tests.helpers.web import client_for

    pct = client_for("pct")
    page = pct.get(f"/ky-duyet/{approved_plan.pk}/").content.decode()
    assert "CHỈ DÙNG THỬ" in page and "Xem bản PDF sẽ ký" in page
    preview = pct.get(f"/van-ban/{approved_plan.pk}/chu-ky-so/ban-se-ky/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    data = b"".join(preview.streaming_content)
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "DỰ THẢO" not in text and "Đào Hồng Thanh" in text

    run(approved_plan, ("pct", "sign"))
    clerk_page = client_for("vanthu").get(f"/van-ban/{approved_plan.pk}/").content.decode()
    assert "Cấp số và phát hành" in clerk_page
    assert re.search(r"<strong>Số: \d{2}/KH-UBND</strong> và <strong>ngày \d{2} tháng \d{1,2} năm \d{4}</strong>", clerk_page)
    assert client_for("vanthu").get(f"/van-ban/{approved_plan.pk}/chu-ky-so/ban-se-ky/").status_code == 409


def _sign_with_own_tool(data, key_label):
    """What a signer's own software does: append a PAdES signature in the prepared signature field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session

    session = open_pkcs11_session(
        settings.SOFTHSM2_MODULE, token_criteria=TokenCriteria(label=pki.DEMO_TOKEN_LABEL), user_pin=settings.SIGNING_PINS["DEMO"]
    )
    try:
        signer = PKCS11Signer(session, key_label=key_label, cert_label=key_label, other_certs_to_pull=())
        meta = signers.PdfSignatureMetadata(field_name=pdfsign.SIGNER_FIELD, subfilter=fields.SigSeedSubFilter.PADES)
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        return outside_loop.call(signers.PdfSigner(meta, signer=signer).sign_pdf, writer, existing_fields_only=True).getvalue()
    finally:
        session.close()


def _upload(client, document_id, data, name="da-ky.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.client.post(
        f"/api/v1/documents/{document_id}/signed-pdf",
        {"file": SimpleUploadedFile(name, data, "application/pdf")},
        HTTP_AUTHORIZATION=f"Bearer {client.token}",
    )


def test_signing_elsewhere_accepts_only_the_signers_valid_signature_over_the_approved_pdf(approved_plan):
    pct, vanthu = login("pct"), login("vanthu")
    assert_error(vanthu.get(f"/documents/{approved_plan.pk}/pdf-to-sign"), 403)
    download = pct.client.get(f"/api/v1/documents/{approved_plan.pk}/pdf-to-sign", HTTP_AUTHORIZATION=f"Bearer {pct.token}")
    assert download.status_code == 200
    prepared = b"".join(download.streaming_content)
    person_label = SigningKey.objects.get(user=demo("pct")).key_label
    org_label = SigningKey.objects.get(commune=approved_plan.commune).key_label

    # Not a PDF; unsigned; signed by someone else; content changed after the download: refused.
    assert "không phải tệp PDF" in assert_error(_upload(pct, approved_plan.pk, b"hello"), 400, "file")["detail"]
    assert "chưa có chữ ký" in assert_error(_upload(pct, approved_plan.pk, prepared), 400, "file")["detail"]
    by_org = _sign_with_own_tool(prepared, org_label)
    assert "không phải của" in assert_error(_upload(pct, approved_plan.pk, by_org), 400, "file")["detail"]
    changed = bytearray(prepared)
    changed[changed.index(b"stream", len(changed) // 10) + 20] ^= 0x01
    other = _sign_with_own_tool(bytes(changed), person_label)
    assert "khác bản đã duyệt" in assert_error(_upload(pct, approved_plan.pk, other), 400, "file")["detail"]
    approved_plan.refresh_from_db()
    assert approved_plan.state == "approved"

    signed = _sign_with_own_tool(prepared, person_label)
    body = ok(_upload(pct, approved_plan.pk, signed))
    assert body["state"] == "signed" and body["signer"] == "Đào Hồng Thanh"
    stored = SignedPdf.objects.get(document=approved_plan, stage="signed")
    assert stored.content() == signed and "Đào Hồng Thanh" in stored.certificate_subject

    ok(vanthu.transition(approved_plan.pk, "issue"))
    results = _validate(_pdf(vanthu, approved_plan.pk))
    assert len(results) == 2 and all(status.bottom_line for _, status in results)


def test_signing_elsewhere_from_the_sign_page(approved_plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.helpers.web import client_for

    client = client_for("pct")
    page = client.get(f"/ky-duyet/{approved_plan.pk}/").content.decode()
    assert "Tải bản PDF để ký" in page
    prepared = b"".join(client.get(f"/van-ban/{approved_plan.pk}/chu-ky-so/ky-noi-khac/").streaming_content)
    refused = client.post(f"/van-ban/{approved_plan.pk}/chu-ky-so/ky-noi-khac/", {"tep": SimpleUploadedFile("a.pdf", prepared)}, follow=True)
    assert "chưa có chữ ký số" in refused.content.decode()
    signed = _sign_with_own_tool(prepared, SigningKey.objects.get(user=demo("pct")).key_label)
    accepted = client.post(f"/van-ban/{approved_plan.pk}/chu-ky-so/ky-noi-khac/", {"tep": SimpleUploadedFile("b.pdf", signed)}, follow=True)
    assert "Đã nhận bản PDF đã ký số" in accepted.content.decode()
    approved_plan.refresh_from_db()
    assert approved_plan.state == "signed"


def test_demo_keys_command_is_idempotent_and_marks_its_certificates(signing_keys):
    from cryptography import x509
    from django.core.management import call_command

    before = sorted(SigningKey.objects.values_list("pk", "key_label", "token_label"))
    call_command("demo_signing_keys", verbosity=0)
    assert sorted(SigningKey.objects.values_list("pk", "key_label", "token_label")) == before
    pct_key = SigningKey.objects.get(user=demo("pct"))
    assert pct_key.is_demo and pct_key.image and "CHỈ DÙNG THỬ" in str(pct_key)
    assert pct_key.pin_name == "DEMO"  # the PIN itself is only in the environment/settings
    cert = pki.ensure_key(pct_key.key_label, "x", "y", pin=settings.SIGNING_PINS["DEMO"])  # the existing one
    assert "CHỈ DÙNG THỬ" in cert.subject.rfc4514_string()
    assert cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0].value == "Đào Hồng Thanh"
    with Image.open(pct_key.image.path) as image:
        assert image.mode == "RGBA" and image.getextrema()[3][0] == 0  # transparent background


@pytest.fixture
def local_tsa(signing_keys):
    """An RFC 3161 time-stamping server on 127.0.0.1 (pyHanko's own TSA logic over real HTTP),
    with a certificate for time-stamping from the demo CA."""
    import datetime
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import keys as asn1_keys
    from asn1crypto import tsp
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign.timestamps import DummyTimeStamper

    ca_cert, ca_key = pki.ensure_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "TSA thử nghiệm (CHỈ DÙNG THỬ)")]))
        .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
    )
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            calls.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", calls
    server.shutdown()


def test_with_a_time_stamping_server_the_signature_is_pades_b_t(approved_plan, local_tsa, settings):
    url, calls = local_tsa
    settings.SIGNING_TSA_URL = url
    run(approved_plan, ("pct", "sign"))
    assert calls, "the time-stamping server was not asked"
    data = SignedPdf.objects.get(document=approved_plan, stage="signed").content()
    [(_, status)] = _validate(data)
    assert status.bottom_line
    assert status.timestamp_validity is not None and status.timestamp_validity.intact and status.timestamp_validity.valid


def test_admin_configures_keys_without_pins_and_checks_the_image(signing_keys, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert admin_client.get("/admin/signatures/signingkey/").status_code == 200
    assert admin_client.get("/admin/signatures/signedpdf/").status_code == 200
    key = SigningKey.objects.get(user=demo("pct"))
    url = f"/admin/signatures/signingkey/{key.pk}/change/"
    form = admin_client.get(url).content.decode()
    assert "SIGNING_PIN_" in form and 'name="pin"' not in form  # a PIN has no field: it is never stored

    def post(image_bytes, name):
        return admin_client.post(url, {
            "user": key.user_id, "commune": "", "backend": "pkcs11", "module_path": key.module_path,
            "token_label": key.token_label, "key_label": key.key_label, "pkcs12_path": "", "pin_name": key.pin_name,
            "is_demo": "on", "image": SimpleUploadedFile(name, image_bytes),
        })

    jpeg, png = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (40, 20), (0, 0, 200)).save(jpeg, "JPEG")
    Image.new("RGBA", (40, 20), (0, 0, 0, 0)).save(png, "PNG")
    refused = post(jpeg.getvalue(), "chu-ky.jpg")
    assert refused.status_code == 200 and "PNG nền trong suốt" in refused.content.decode()
    assert post(png.getvalue(), "chu-ky.png").status_code == 302


def test_a_stored_original_changed_on_disk_is_reported_on_the_check_page(approved_plan):
    from tests.helpers.web import client_for

    run(approved_plan, ("pct", "sign"), ("vanthu", "issue"))
    stored = SignedPdf.objects.get(document=approved_plan, stage="issued")
    data = bytearray(stored.content())
    data[len(data) // 2] ^= 0x01
    with open(stored.file.path, "wb") as handle:
        handle.write(bytes(data))
    page = client_for("vanthu").get(f"/van-ban/{approved_plan.pk}/chu-ky-so/").content.decode()
    assert "không còn khớp mã băm SHA-256" in page
    api = ok(login("vanthu").get(f"/documents/{approved_plan.pk}/signatures"))
    assert api["ok"] is False and api["signatures"] == []
