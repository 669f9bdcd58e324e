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
    """Round status and evaluations of a commune: its coordinator staff and those who see all its
    documents (its reviewers, signers, clerk, administrators), a province-level officer supervising it
    (accounts.User.supervised_communes) and a superuser. Never another commune's staff."""
    if user is None or not user.is_authenticated or commune_id is None:
        return bool(user is not None and user.is_authenticated and user.is_superuser)
    if user.is_superuser or is_coordinator_staff(user, commune_id):
        return True
    if policy.sees_whole_commune(user) and user.home_commune_id == commune_id:
        return True
    return commune_id != user.home_commune_id and policy.in_tenant(user, commune_id)


def may_see_any_round(user):
    """Whether the «Theo dõi, tổng hợp» pages open at all: for the user's own commune or one they supervise."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or may_see_round(user, user.home_commune_id):
        return True
    return bool(set(policy.readable_communes(user)) - {user.home_commune_id})
