"""Who may run a round. Built on workflows.policy: the coordinator unit (Phòng VH-XH) is found by
its function, never by name, so any commune works."""
from accounts.models import Role
from workflows import policy
from workflows.errors import Forbidden


def is_coordinator_staff(user, commune_id):
    """A drafter of the commune's coordinator unit."""
    unit = getattr(user, "unit", None)
    return bool(
        user is not None
        and user.is_authenticated
        and user.has_role(Role.DRAFTER)
        and unit is not None
        and unit.function == "coordinator"
        and unit.commune_id == commune_id
    )


def require_coordinator_staff(user, commune_id, action):
    if not is_coordinator_staff(user, commune_id):
        raise Forbidden(f"Chỉ cán bộ soạn thảo của cơ quan thường trực (Phòng Văn hóa – Xã hội) mới được {action}.")


def may_see_round(user, commune_id):
    """Round status and evaluations: coordinator staff and anyone who sees all documents."""
    return bool(user is not None and user.is_authenticated and (is_coordinator_staff(user, commune_id) or policy.sees_all(user)))
