"""Handling deadlines per step: how long a document has waited in its current step (since the
transition that brought it there), against the kind's deadline in working days (Monday to Friday).

The deadlines are a setting, HANDLING_DEADLINE_DAYS_TEXT (environment HANDLING_DEADLINE_DAYS,
"unit_report=3,plan=5,summary_report=3"); a kind not named there gets DEFAULT_DAYS. The waiting
start is annotated on list querysets by `with_step_since` (one subquery, no query per row).
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from . import policy
from .models import AuditEntry

DEFAULT_DAYS = 3


def parse(text):
    """'unit_report=3,plan=5' -> {"unit_report": 3, "plan": 5}; ImproperlyConfigured on anything else."""
    days = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _, value = part.partition("=")
        kind, value = kind.strip(), value.strip()
        if kind not in policy.REVIEWER_FUNCTION or not value.isdigit() or not 1 <= int(value) <= 60:
            raise ImproperlyConfigured(f"HANDLING_DEADLINE_DAYS: «{part}» phải có dạng loại=số ngày (1–60), ví dụ unit_report=3.")
        days[kind] = int(value)
    return days


def configured():
    """The setting, parsed (ImproperlyConfigured when malformed: the system check workflows.E001)."""
    return parse(getattr(settings, "HANDLING_DEADLINE_DAYS_TEXT", ""))


def deadline_days(kind):
    try:
        return configured().get(kind, DEFAULT_DAYS)
    except ImproperlyConfigured:
        return DEFAULT_DAYS  # reported by the system check at start; a page never fails on it


def working_days_between(start, end):
    """Working days (Mon–Fri) after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    whole_weeks, rest = divmod((end - start).days, 7)
    count = whole_weeks * 5
    day = start + timedelta(days=whole_weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


def add_working_days(start, days):
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def with_step_since(qs):
    """Annotate `step_since`: when the document entered its current state (its last state change)."""
    last = (
        AuditEntry.objects.filter(document=OuterRef("pk"), transition__in=list(policy.TRANSITIONS))
        .order_by("-at", "-id")
        .values("at")[:1]
    )
    return qs.annotate(step_since=Subquery(last))


@dataclass(frozen=True)
class Step:
    actor: str
    label: str  # "Chờ thẩm định", "Chờ ký", …
    since: object  # local date
    waited: int  # working days
    limit: int  # working days
    due: object  # local date

    @property
    def overdue(self):
        return self.waited > self.limit

    @property
    def summary(self):
        text = f"{self.label}: đã chờ {self.waited}/{self.limit} ngày làm việc"
        return text + (" – quá hạn xử lý" if self.overdue else f" (hạn {self.due:%d/%m/%Y})")


STEP_LABELS = {"reviewer": "Chờ thẩm định", "signer": "Chờ ký duyệt", "clerk": "Chờ cấp số, phát hành"}


def step_status(document, today=None):
    """The waiting step of a document (None when it waits for nobody but its author). Uses the
    `step_since` annotation when present, else one query."""
    actor = policy.step_actor(document)
    if actor is None:
        return None
    since = getattr(document, "step_since", None)
    if since is None and not hasattr(document, "step_since"):
        since = with_step_since(type(document).objects.filter(pk=document.pk)).values_list("step_since", flat=True).first()
    if since is None:
        since = document.submitted_at or document.updated_at
    start = timezone.localdate(since)
    today = today or timezone.localdate()
    limit = deadline_days(document.kind)
    label = STEP_LABELS[actor]
    if document.state == "submitted":
        label = "Chờ tiếp nhận thẩm định"
    return Step(actor=actor, label=label, since=start, waited=working_days_between(start, today), limit=limit, due=add_working_days(start, limit))
