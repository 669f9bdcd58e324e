"""Which plans and periods a person works with: one answer for the pages, the API and the exports."""
from django.utils import timezone

from .models import Period, Plan


def plans_for(user):
    """The plans of the communes this user may read (accounts.User.readable_commune_ids: their own,
    plus those they supervise); every plan for a superuser, none for an account of no commune."""
    plans = Plan.objects.select_related("commune", "coordinator")
    if not user.is_authenticated:
        return plans.none()
    communes = user.readable_commune_ids()
    return plans if communes is None else plans.filter(commune_id__in=sorted(communes))


def current_plan(user, code=None, commune_code=None):
    """The plan a page shows: the one asked for by code (among the user's; `commune_code` picks the
    commune for a province officer who reads several), else the newest of the user's own commune,
    else the newest the user may read."""
    plans = plans_for(user)
    if commune_code:
        plans = plans.filter(commune__code=commune_code)
        if not code:
            return plans.order_by("-start_year", "pk").first()
    if code:
        chosen = plans.filter(code=code).first()
        if chosen is not None:
            return chosen
    own = getattr(user, "home_commune_id", None)
    if own:
        chosen = plans.filter(commune_id=own).order_by("-start_year", "pk").first()
        if chosen is not None:
            return chosen
    return plans.order_by("-start_year", "pk").first()


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
