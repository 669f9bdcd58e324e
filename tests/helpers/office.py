"""Helpers for the office-handling tests (chuyển xử lý, phối hợp, ý kiến chỉ đạo, đôn đốc)."""
from accounts.models import Role, User
from organizations.models import Unit


def colleague(unit_code="vhxh", username="vhxh2", roles=(Role.DRAFTER, Role.REVIEWER), full_name="Lê Thị Hoa", password="demo2026"):
    """A second person of the unit with the same roles (the demo data has one reviewer per unit)."""
    unit = Unit.objects.get(code=unit_code) if unit_code else None
    # People of no unit (the Chủ tịch) belong to the commune, like the demo Phó Chủ tịch.
    commune = None if unit else User.objects.get(username="pct").commune
    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"unit": unit, "commune": commune, "roles": list(roles), "full_name": full_name, "position": "Công chức"},
    )
    user.set_password(password)
    user.save()
    return User.objects.select_related("unit").get(pk=user.pk)
