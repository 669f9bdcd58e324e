"""Reaching a configured key: a pyHanko signer for a SigningKey, or a Vietnamese reason why not.

open_signer(key, expected_name) is a context manager: it opens the PKCS#11 session (or loads the
PKCS#12 file), checks the certificate (validity dates, revocation against the configured CRLs,
chain to a trusted root, holder's name) before anything is signed, and closes the session after.
"""
import contextlib
import datetime
import os
import unicodedata
from pathlib import Path

import pkcs11.exceptions as p11
from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign import signers
from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session
from pyhanko_certvalidator import ValidationContext

from .models import Backend


class KeyRefused(Exception):
    """The key cannot be used now; `detail` is the Vietnamese reason shown to the user."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


def _load_certs(path):
    data = Path(path).read_bytes()
    if pem.detect(data):
        return [asn1_x509.Certificate.load(der) for _t, _h, der in pem.unarmor(data, multiple=True)]
    return [asn1_x509.Certificate.load(data)]


def trust_roots():
    roots = []
    for path in settings.SIGNING_TRUST_ROOTS:
        if Path(path).exists():
            roots.extend(_load_certs(path))
    return roots


def crls():
    found = []
    for path in settings.SIGNING_CRLS:
        if Path(path).exists():
            data = Path(path).read_bytes()
            if pem.detect(data):
                data = pem.unarmor(data)[2]
            found.append(asn1_crl.CertificateList.load(data))
    return found


def validation_context(*, at=None):
    """Trust anchors and revocation lists from settings; nothing fetched from the network."""
    return ValidationContext(
        trust_roots=trust_roots(), crls=crls(), allow_fetching=False, revocation_mode="soft-fail", moment=at
    )


def pin_for(key):
    pin = settings.SIGNING_PINS.get(key.pin_name)  # read from SIGNING_PIN_<name> in the environment at start
    if not pin:
        raise KeyRefused(
            f"Máy chủ chưa được cấu hình mã PIN «{key.pin_name}» (biến môi trường SIGNING_PIN_{key.pin_name}) "
            "cho khóa ký số này. Báo quản trị viên."
        )
    return pin


def holder_name(cert):
    return cert.subject.native.get("common_name", "")


def _same_person(cert_name, expected):
    def norm(value):
        return unicodedata.normalize("NFC", " ".join(str(value).split())).casefold()

    return norm(cert_name) == norm(expected)


def check_certificate(cert, expected_name):
    """Refuse an expired, not yet valid, revoked or untrusted certificate, or someone else's."""
    now = datetime.datetime.now(datetime.timezone.utc)
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if now < not_before:
        raise KeyRefused(f"Chứng thư số chưa có hiệu lực (có hiệu lực từ {not_before:%d/%m/%Y}).")
    if now > not_after:
        raise KeyRefused(f"Chứng thư số đã hết hạn từ ngày {not_after:%d/%m/%Y}. Cần gia hạn chứng thư số trước khi ký.")
    serial = cert.serial_number
    for revocation_list in crls():
        for revoked in revocation_list["tbs_cert_list"]["revoked_certificates"] or []:
            if revoked["user_certificate"].native == serial and revocation_list.issuer == cert.issuer:
                raise KeyRefused("Chứng thư số đã bị thu hồi. Không thể ký bằng chứng thư này.")
    if not any(root.subject == cert.issuer for root in trust_roots()) and cert.issuer != cert.subject:
        raise KeyRefused("Chứng thư số không do tổ chức cung cấp dịch vụ chứng thực được tin cậy cấp.")
    if expected_name is not None and not _same_person(holder_name(cert), expected_name):
        raise KeyRefused(
            f"Chứng thư số trên thiết bị là của «{holder_name(cert)}», không phải của «{expected_name}». "
            "Hãy dùng đúng thiết bị ký số của mình."
        )


def _pkcs11_error(exc):
    if isinstance(exc, p11.PinIncorrect):
        return "Mã PIN của thiết bị ký số không đúng. Không ký được; văn bản chưa thay đổi."
    if isinstance(exc, p11.PinLocked):
        return "Thiết bị ký số đã bị khóa do nhập sai mã PIN nhiều lần. Liên hệ đơn vị cấp chứng thư để mở khóa."
    if isinstance(exc, (p11.PinExpired, p11.PinInvalid, p11.PinLenRange)):
        return "Mã PIN của thiết bị ký số không hợp lệ hoặc đã hết hạn."
    if isinstance(exc, (p11.TokenNotPresent, p11.TokenNotRecognised, p11.DeviceRemoved, p11.NoSuchToken)):
        return "Không tìm thấy thiết bị ký số (token). Hãy cắm token và thử lại."
    return None


@contextlib.contextmanager
def open_signer(key, expected_name):
    """A pyHanko signer for `key`, its certificate checked; KeyRefused with the reason otherwise."""
    if key is None:
        raise KeyRefused(
            "Tài khoản chưa được cấu hình khóa ký số (token/HSM hoặc tệp PKCS#12). "
            "Quản trị viên cấu hình trong mục «Khóa ký số»."
        )
    pin = pin_for(key)
    chain = trust_roots()
    if key.backend == Backend.PKCS12:
        if not key.pkcs12_path or not Path(key.pkcs12_path).exists():
            raise KeyRefused("Không tìm thấy tệp khóa ký số PKCS#12 đã cấu hình trên máy chủ.")
        try:
            signer = signers.SimpleSigner.load_pkcs12(key.pkcs12_path, passphrase=pin.encode())
        except Exception:  # noqa: BLE001 - wrong password and a broken file look the same to pyHanko
            signer = None
        if signer is None:
            raise KeyRefused("Không mở được tệp khóa PKCS#12: mật khẩu không đúng hoặc tệp hỏng.")
        check_certificate(signer.signing_cert, expected_name)
        yield signer
        return
    if not key.module_path or not Path(key.module_path).exists():
        raise KeyRefused(f"Máy chủ không có thư viện PKCS#11 «{key.module_path}» của thiết bị ký số.")
    if "softhsm" in key.module_path:
        os.environ.setdefault("SOFTHSM2_CONF", str(Path(settings.SIGNING_DEMO_DIR) / "softhsm2.conf"))
    try:
        session = open_pkcs11_session(key.module_path, token_criteria=TokenCriteria(label=key.token_label), user_pin=pin)
    except Exception as exc:  # noqa: BLE001 - PIN errors have their own reason; pyHanko's "no token matching" does not
        missing = f"Không tìm thấy thiết bị ký số (token «{key.token_label}»). Hãy cắm token và thử lại."
        raise KeyRefused(_pkcs11_error(exc) or missing) from None
    try:
        try:
            signer = PKCS11Signer(session, key_label=key.key_label, cert_label=key.key_label, other_certs_to_pull=(), ca_chain=chain)
            cert = signer.signing_cert
        except p11.PKCS11Error as exc:
            raise KeyRefused(_pkcs11_error(exc) or f"Thiết bị ký số báo lỗi ({type(exc).__name__}).") from None
        except Exception:  # noqa: BLE001 - pyHanko: no such key or certificate on the token
            raise KeyRefused(f"Trên thiết bị ký số không có khóa và chứng thư «{key.key_label}».") from None
        check_certificate(cert, expected_name)
        yield signer
    finally:
        session.close()
