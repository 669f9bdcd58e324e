"""Opening a reporting round.

Why open_round writes the drafts itself instead of calling workflows.services.create_document:
create_document lets a drafter create a unit report only for their own unit (policy.may_create),
which is right for people using the web app. Opening a round is a different act: the coordinator
(Phòng VH-XH) creates one draft per reporting unit. Borrowing a user of each unit would record the
wrong creator and fails for units that have no account yet. So this module writes the Document and
its first DocumentVersion itself, in one transaction, with the same invariants create_document
keeps (first version snapshot, one unit report per unit and period), and records the coordinator
who opened the round as the creator.
"""
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.models import Unit
from organizations.ordering import UNIT_ORDER
from plans.models import Period, Target
from workflows.content import PreviousValues, TargetEntry, UnitReportContent
from workflows.models import Document, Kind, State
from workflows.services import default_title, record_version

from .access import require_coordinator_staff
from .formatting import data_window_sentence
from .reminders import notify_round_opened

log = logging.getLogger(__name__)

# A unit report counts as a final figure once approved (unit reports end there).
FINAL_STATES = (State.APPROVED, State.SIGNED, State.ISSUED)


@dataclass
class OpenedRound:
    period: Period
    created: list  # Documents created by this call (empty when the round was already open)
    existing: int  # unit reports that already existed
    data_window: str


def reporting_units(plan):
    """Units that report on at least one target of the plan, with the codes each reports."""
    codes = {}
    for unit_id, code in Target.reporting_units.through.objects.filter(target__plan=plan).order_by(
        "target__order"
    ).values_list("unit_id", "target__code"):
        codes.setdefault(unit_id, []).append(code)
    units = list(Unit.objects.filter(pk__in=codes, active=True).order_by(*UNIT_ORDER))
    return [(unit, codes[unit.pk]) for unit in units]


def previous_values(period, unit_ids):
    """{unit_id: PreviousValues} from the latest earlier approved report of each unit; the same
    kind of period (2026-Y for 2027-Y) is preferred."""
    reports = (
        Document.objects.filter(
            kind=Kind.UNIT_REPORT,
            plan_id=period.plan_id,
            unit_id__in=unit_ids,
            state__in=FINAL_STATES,
            period__data_end__lt=period.data_end,
        )
        .select_related("period")
        .order_by("-period__data_end", "-id")
    )
    found = {}
    for doc in reports:
        current = found.get(doc.unit_id)
        same_kind = doc.period.kind == period.kind
        if current is None or (same_kind and current.period.kind != period.kind):
            found[doc.unit_id] = doc
    return {
        unit_id: PreviousValues(
            period=doc.period.code,
            period_name=doc.period.name,
            values={code: entry.value for code, entry in doc.typed_content.values.items()},
        )
        for unit_id, doc in found.items()
    }


def _prefilled_content(codes, previous):
    return UnitReportContent(values={code: TargetEntry() for code in codes}, previous=previous)


def _tell_units(document_ids):
    """After the round is committed: each unit is told its draft is waiting. Never raises: a failed
    delivery stays on its outbox row and send_reminders retries it."""
    try:
        notify_round_opened(document_ids)
    except Exception:  # noqa: BLE001
        log.exception("Could not plan the round-opened notices of documents %s", document_ids)


def open_round(period, user):
    """Create a draft unit report for every reporting unit that has none yet; idempotent.

    Concurrent calls are serialised by locking the period row; the unique constraint
    one_unit_report_per_unit_and_period is the last line of defence (a savepoint per draft).
    """
    with transaction.atomic():
        period = Period.objects.select_for_update(of=("self",)).select_related("plan", "plan__commune").get(pk=period.pk)
        plan = period.plan
        require_coordinator_staff(user, plan.commune_id, "mở kỳ báo cáo")
        units = reporting_units(plan)
        existing = set(
            Document.objects.filter(kind=Kind.UNIT_REPORT, period=period).values_list("unit_id", flat=True)
        )
        missing = [(unit, codes) for unit, codes in units if unit.pk not in existing]
        previous = previous_values(period, [unit.pk for unit, _ in missing]) if missing else {}
        created = []
        for unit, codes in missing:
            document = Document(
                kind=Kind.UNIT_REPORT,
                commune=plan.commune,
                plan=plan,
                period=period,
                unit=unit,
                title=default_title(Kind.UNIT_REPORT, unit, period, plan),
                content=_prefilled_content(codes, previous.get(unit.pk)).dump(),
                created_by=user,
            )
            try:
                with transaction.atomic():
                    document.save()
                    record_version(document, user)
            except IntegrityError:
                continue  # created by a concurrent opener in the meantime
            created.append(document)
        if period.opened_at is None:
            period.opened_at = timezone.now()
            period.save(update_fields=["opened_at"])
        if created:
            ids = [d.pk for d in created]
            transaction.on_commit(lambda: _tell_units(ids))
    return OpenedRound(period=period, created=created, existing=len(existing), data_window=data_window_sentence(period))
