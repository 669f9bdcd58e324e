"""Demo public-key infrastructure: a demo certificate authority and demo keys in a SoftHSM2 token.

Everything here is for trying the system and for the tests: the certificates say "CHỈ DÙNG THỬ" in
their subject, the CA's private key is a file under var/, and the keys live in a SoftHSM2 token
(a real PKCS#11 module) whose configuration is var/softhsm/softhsm2.conf. Production keys are the
signers' own tokens or HSMs, configured in the admin (signatures.models.SigningKey).
"""
import datetime
import os
import shutil
import subprocess
from pathlib import Path

import pkcs11
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from pkcs11 import Attribute, KeyType, ObjectClass
from pkcs11.util.rsa import encode_rsa_public_key

DEMO_MARK = "CHỈ DÙNG THỬ"
DEMO_TOKEN_LABEL = "CONGVAN-DEMO"
DEMO_SO_PIN = "demo-so-pin"
DEMO_PIN_NAME = "DEMO"


def softhsm_dir():
    return Path(settings.SIGNING_DEMO_DIR)


def softhsm_conf():
    return softhsm_dir() / "softhsm2.conf"


def ca_dir():
    return softhsm_dir() / "ca"


def softhsm_available():
    return Path(settings.SOFTHSM2_MODULE).exists() and shutil.which("softhsm2-util") is not None


def use_demo_conf():
    """Point SoftHSM2 at the demo configuration (before the module is first loaded)."""
    os.environ.setdefault("SOFTHSM2_CONF", str(softhsm_conf()))


def _name(common_name, organisation):
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def ensure_ca():
    """The demo CA: (certificate, private key), created once under var/softhsm/ca."""
    directory = ca_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / "ca.pem", directory / "ca.key"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return cert, key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = _name(f"CA ký số thử nghiệm ({DEMO_MARK})", "Hệ thống công văn – " + DEMO_MARK)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def issue_certificate(ca_cert, ca_key, public_key, common_name, organisation, *, not_before=None, not_after=None):
    """A signing certificate for `public_key` from the demo CA."""
    now = _now()
    not_before = not_before or now - datetime.timedelta(days=1)
    not_after = not_after or now + datetime.timedelta(days=3 * 365)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation))
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def write_crl(ca_cert, ca_key, revoked_serials=()):
    """The demo CA's revocation list (var/softhsm/ca/ca.crl), listing `revoked_serials`."""
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - datetime.timedelta(minutes=1))
        .next_update(now + datetime.timedelta(days=30))
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now - datetime.timedelta(minutes=1)).build()
        )
    crl = builder.sign(ca_key, hashes.SHA256())
    path = ca_dir() / "ca.crl"
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return path


def ensure_softhsm_conf():
    directory = softhsm_dir()
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = softhsm_conf()
    if not conf.exists():
        conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    return conf


def ensure_token(label=DEMO_TOKEN_LABEL, pin=None):
    """Initialise the SoftHSM2 token `label` once (softhsm2-util, the way an administrator does)."""
    conf = ensure_softhsm_conf()
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    listing = subprocess.run(["softhsm2-util", "--show-slots"], env=env, capture_output=True, text=True, check=True).stdout
    if f"Label:            {label}" in listing or f"Token label:      {label}" in listing:
        return
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", DEMO_SO_PIN, "--pin", pin],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def _token(label):
    lib = pkcs11.lib(settings.SOFTHSM2_MODULE)
    return lib.get_token(token_label=label)


def ensure_key(label, common_name, organisation, *, pin, token_label=DEMO_TOKEN_LABEL, **validity):
    """A key pair `label` in the token with a demo certificate stored beside it; returns the certificate.

    An existing key is kept (its certificate is read back), so running the command again changes nothing.
    """
    ca_cert, ca_key = ensure_ca()
    key_id = label.encode()
    with _token(token_label).open(rw=True, user_pin=pin) as session:
        existing = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}))
        if existing:
            return x509.load_der_x509_certificate(existing[0][Attribute.VALUE])
        public, _private = session.generate_keypair(
            KeyType.RSA, 2048, label=label, id=key_id, store=True, private_template={Attribute.SENSITIVE: True}
        )
        spki = asn1_keys.PublicKeyInfo(
            {"algorithm": {"algorithm": "rsa"}, "public_key": asn1_keys.RSAPublicKey.load(encode_rsa_public_key(public))}
        )
        public_key = serialization.load_der_public_key(spki.dump())
        cert = issue_certificate(ca_cert, ca_key, public_key, common_name, organisation, **validity)
        der = cert.public_bytes(serialization.Encoding.DER)
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: key_id,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.VALUE: der,
            }
        )
        return cert
