"""Shared helpers of the rounds commands: find the period and the acting user, Vietnamese errors."""
from django.core.management.base import CommandError

from accounts.models import Role, User
from plans.models import Period
from workflows.errors import WorkflowError


def find_period(code, plan_code=None):
    periods = Period.objects.select_related("plan", "plan__commune").filter(code=code)
    if plan_code:
        periods = periods.filter(plan__code=plan_code)
    found = list(periods[:2])
    if not found:
        known = ", ".join(Period.objects.order_by("data_end", "kind").values_list("code", flat=True).distinct()[:20])
        raise CommandError(f"Không có kỳ báo cáo «{code}». Các kỳ hiện có: {known or '(chưa nạp kế hoạch)'}.")
    if len(found) > 1:
        raise CommandError(f"Có nhiều kế hoạch cùng kỳ «{code}»; ghi rõ --plan <mã kế hoạch>.")
    return found[0]


def find_user(username, period):
    """The named user, or the first active drafter of the plan's coordinator unit."""
    if username:
        user = User.objects.select_related("unit").filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có tài khoản «{username}».")
        if not user.is_active:
            raise CommandError(f"Tài khoản «{username}» đã bị khóa.")
        return user
    candidates = User.objects.select_related("unit").filter(
        is_active=True, unit__function="coordinator", unit__commune_id=period.plan.commune_id
    ).order_by("id")
    for user in candidates:
        if user.has_role(Role.DRAFTER):
            return user
    raise CommandError("Không tìm thấy cán bộ soạn thảo của cơ quan thường trực; dùng --user <tên đăng nhập>.")


def as_command_error(exc: WorkflowError):
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
    return CommandError(f"{exc.detail}{' (' + details + ')' if details else ''}")
