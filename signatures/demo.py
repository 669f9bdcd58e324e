"""Demo signing keys for trying the system (CHỈ DÙNG THỬ): a SoftHSM2 token, a demo CA, one key for
each signer and one for the commune, with generated signature and seal images.
"""
import io
import math

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Role, User
from organizations.models import Commune

from . import pdfsign, pki
from .models import Backend, SigningKey

BLUE = (16, 46, 170, 255)
RED = (220, 20, 30, 255)
DPI = 300


def _font(size, italic=False):
    try:
        return ImageFont.truetype(pdfsign.font_file(italic), size)
    except Exception:  # noqa: BLE001 - no TrueType font: Pillow's own
        return ImageFont.load_default()


def signature_image(name):
    """A blue handwritten-looking signature on a transparent background (PNG bytes)."""
    width, height = 900, 360
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = []
    seed = sum(ord(c) for c in name)
    for i in range(160):
        t = i / 159
        x = 60 + t * 760
        y = 190 + 70 * math.sin(t * 9 + seed % 7) * (1 - t * 0.6) - 40 * math.sin(t * 23)
        points.append((x, y))
    draw.line(points, fill=BLUE, width=9, joint="curve")
    draw.line([(120, 280), (840, 230)], fill=BLUE, width=6)
    short = name.split()[-1] if name else "Ký"
    draw.text((300, 40), short, font=_font(110, italic=True), fill=BLUE)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def seal_image(commune_name):
    """A red round seal (36 mm at 300 dpi) on a transparent background, marked CHỈ DÙNG THỬ."""
    size = round(36 / 25.4 * DPI)
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    draw.ellipse([6, 6, size - 6, size - 6], outline=RED, width=12)
    draw.ellipse([80, 80, size - 80, size - 80], outline=RED, width=5)
    ring = commune_name.upper()
    font = _font(34)
    radius = c - 48
    span = 300
    for i, char in enumerate(ring):
        angle = math.radians(-90 - span / 2 + span * (i + 0.5) / len(ring))
        x, y = c + radius * math.cos(angle), c + radius * math.sin(angle)
        glyph = Image.new("RGBA", (60, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((30, 30), char, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (round(x - 30), round(y - 30)))
    star = [
        (c + 70 * math.cos(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
         c - 40 + 70 * math.sin(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4))
        for k in range(10)
    ]
    draw.polygon(star, fill=RED)
    draw.text((c, c + 70), pki.DEMO_MARK, font=_font(44), fill=RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def _key_row(label, image_bytes, **owner):
    key = SigningKey.objects.filter(**owner).first()
    if key is None:
        key = SigningKey(
            backend=Backend.PKCS11, module_path=settings.SOFTHSM2_MODULE, token_label=pki.DEMO_TOKEN_LABEL,
            key_label=label, pin_name=pki.DEMO_PIN_NAME, is_demo=True, **owner,
        )
    if not key.image:
        key.image.save("demo.png", ContentFile(image_bytes), save=False)
    key.save()
    return key


def demo_pin():
    return settings.SIGNING_PINS.get(pki.DEMO_PIN_NAME) or "12345678"


def ensure_demo_keys(stdout=None):
    """Create what is missing; returns the SigningKey rows. Needs softhsm2 installed."""
    pki.use_demo_conf()
    pin = demo_pin()
    settings.SIGNING_PINS.setdefault(pki.DEMO_PIN_NAME, pin)
    pki.ensure_token(pin=pin)
    ca_cert, ca_key = pki.ensure_ca()
    if not (pki.ca_dir() / "ca.crl").exists():
        pki.write_crl(ca_cert, ca_key)
    rows = []
    for commune in Commune.objects.all():
        pki.ensure_key(f"org-{commune.pk}", commune.name, commune.name, pin=pin)
        rows.append(_key_row(f"org-{commune.pk}", seal_image(commune.name), commune=commune))
    signers = [u for u in User.objects.filter(is_active=True).select_related("commune") if u.has_role(Role.SIGNER)]
    for user in signers:
        name = user.full_name or user.username
        organisation = user.commune.name if user.commune_id else "Cơ quan thử nghiệm"
        pki.ensure_key(f"user-{user.pk}", name, organisation, pin=pin)
        rows.append(_key_row(f"user-{user.pk}", signature_image(name), user=user))
    return rows
