"""Which plans and periods a person works with: one answer for the pages, the API and the exports."""
from django.utils import timezone

from .models import Period, Plan


def plans_for(user):
    """The plans of the user's commune (accounts.User.home_commune_id); every plan for an account of
    no commune."""
    plans = Plan.objects.select_related("commune", "coordinator")
    commune_id = user.home_commune_id if user.is_authenticated else None
    return plans.filter(commune_id=commune_id) if commune_id else plans


def current_plan(user):
    """The plan a page shows by default: the user's newest."""
    return plans_for(user).order_by("-start_year", "pk").first()


def periods_of(plan):
    """A plan's periods in reporting order, each knowing its plan (no further query)."""
    if plan is None:
        return []
    periods = list(Period.objects.filter(plan=plan).order_by("data_end", "kind"))
    for period in periods:
        period.plan = plan
    return periods


def choose_period(periods, code, today=None):
    """The period asked for by code; else the last one opened; else the next deadline; else the last."""
    for period in periods:
        if period.code == code:
            return period
    opened = [p for p in periods if p.opened_at]
    if opened:
        return opened[-1]
    today = today or timezone.localdate()
    upcoming = [p for p in periods if p.deadline >= today]
    return upcoming[0] if upcoming else (periods[-1] if periods else None)


def periods_for(user, code, plan_code=None, limit=2):
    """Periods with this code in the user's plans (at most `limit`, enough to tell "ambiguous")."""
    plans = plans_for(user)
    if plan_code:
        plans = plans.filter(code=plan_code)
    return list(
        Period.objects.filter(code=code, plan__in=plans).select_related("plan", "plan__commune", "plan__coordinator")[:limit]
    )
