"""Demo accounts for trying the system: one per role, and one drafter per unit.

All share the password `demo2026` unless DEMO_PASSWORD is set. Existing accounts are left as they
are, so running the command again changes nothing (and never resets a changed password).
"""
import os

from organizations.models import Commune, Unit
from organizations.ordering import through_unit

from .models import Role, User

DEFAULT_PASSWORD = "demo2026"

# username -> (unit code or None, roles, full name, position)
NAMED_ACCOUNTS = {
    "tramyte": ("tramyte", [Role.DRAFTER], "Cán bộ Trạm Y tế xã", "Viên chức"),
    "kinhte": ("kinhte", [Role.DRAFTER], "Cán bộ Phòng Kinh tế", "Công chức"),
    "vhxh": ("vhxh", [Role.DRAFTER, Role.REVIEWER], "Cán bộ Phòng Văn hóa – Xã hội", "Công chức"),
    "vanphong": ("vanphong", [Role.DRAFTER, Role.REVIEWER], "Cán bộ Văn phòng HĐND-UBND", "Công chức"),
    "pct": (None, [Role.SIGNER], "Đào Hồng Thanh", "Phó Chủ tịch"),
    "vanthu": ("vanphong", [Role.CLERK], "Văn thư UBND xã", "Văn thư"),
    "admin": (None, [Role.ADMIN], "Quản trị hệ thống", "Quản trị viên"),
}


def password():
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def ensure_demo_accounts(commune):
    """Create missing demo accounts. Returns the list of (username, description) for printing."""
    units = {u.code: u for u in Unit.objects.filter(commune=commune)}
    created = []
    for username, (unit_code, roles, full_name, position) in NAMED_ACCOUNTS.items():
        unit = units.get(unit_code) if unit_code else None
        created += _ensure(username, commune, unit, roles, full_name, position)
    for code, unit in units.items():
        if code in NAMED_ACCOUNTS:
            continue
        created += _ensure(code, commune, unit, [Role.DRAFTER], f"Cán bộ {unit.name}", "Cán bộ")
    return created


def _ensure(username, commune, unit, roles, full_name, position):
    if User.objects.filter(username=username).exists():
        return []
    user = User(
        username=username,
        full_name=full_name,
        first_name=full_name,
        position=position,
        unit=unit,
        commune=commune,
        roles=[str(r) for r in roles],
        email=f"{username}@example.invalid",
        is_staff=username == "admin",
        is_superuser=username == "admin",
    )
    user.set_password(password())
    user.clean()  # the rules the admin checks too: a drafter has a unit
    user.save()
    return [username]


def describe():
    """Rows (username, name, unit, roles) of the demo accounts that exist."""
    rows = []
    names = list(NAMED_ACCOUNTS)
    users = {u.username: u for u in User.objects.select_related("unit").filter(username__in=names)}
    others = User.objects.select_related("unit").exclude(username__in=names).filter(unit__isnull=False).order_by(*through_unit())
    for user in [*(users[n] for n in names if n in users), *others]:
        rows.append((user.username, str(user), user.unit.name if user.unit else "UBND xã", ", ".join(user.role_labels)))
    return rows


def default_commune():
    return Commune.objects.order_by("pk").first()
