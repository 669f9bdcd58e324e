"""Opening a reporting round.

Why open_round writes the drafts itself instead of calling workflows.services.create_document:
create_document lets a drafter create a unit report only for their own unit (policy.may_create),
which is right for people using the web app. Opening a round is a different act: the coordinator
(Phòng VH-XH) creates one draft per reporting unit. Borrowing a user of each unit would record the
wrong creator and fails for units that have no account yet. So this module writes the Document and
its first DocumentVersion itself, in one transaction, with the same invariants create_document
keeps (first version snapshot, one unit report per unit and period), and records the coordinator
who opened the round as the creator.

The drafts of a round are written in bulk (one insert of the documents, one of their versions), so
that opening a round in every commune of a province takes seconds; Document.objects.bulk_create
folds their search text as Document.save does. Should the bulk insert meet a draft created in the
meantime (the unique constraint), the round falls back to one draft at a time, skipping that one.
"""
import logging
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from organizations.models import Unit
from organizations.ordering import UNIT_ORDER
from plans.models import Period, Target
from workflows.content import PreviousValues, TargetEntry, UnitReportContent
from workflows.content import load as load_content
from workflows.models import Document, Kind, State
from workflows.services import default_title, record_version, record_versions

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
    # Choose each unit's report from its key columns, then read the content of the chosen ones only:
    # a commune has a report per unit for every earlier period, and only one per unit is needed.
    candidates = (
        Document.objects.filter(
            kind=Kind.UNIT_REPORT,
            plan_id=period.plan_id,
            unit_id__in=unit_ids,
            state__in=FINAL_STATES,
            period__data_end__lt=period.data_end,
        )
        .order_by("-period__data_end", "-id")
        .values_list("pk", "unit_id", "period__kind")
    )
    chosen = {}  # unit_id: (document id, same kind of period)
    for pk, unit_id, kind in candidates:
        current = chosen.get(unit_id)
        same_kind = kind == period.kind
        if current is None or (same_kind and not current[1]):
            chosen[unit_id] = (pk, same_kind)
    reports = Document.objects.filter(pk__in=[pk for pk, _ in chosen.values()]).values_list(
        "unit_id", "period__code", "period__name", "content"
    )
    return {
        unit_id: PreviousValues(
            period=period_code,
            period_name=period_name,
            values={code: entry.value for code, entry in load_content(Kind.UNIT_REPORT, content).values.items()},
        )
        for unit_id, period_code, period_name, content in reports
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


def _write_drafts(drafts, user):
    """Insert the drafts with their first versions; the ones written. In bulk where the database
    returns the new ids from a bulk insert (PostgreSQL, SQLite >= 3.35); one at a time otherwise, or
    when the bulk insert meets a draft created in the meantime (the unique constraint): then that
    draft is skipped and the others are written."""
    if not drafts:
        return []
    if connection.features.can_return_rows_from_bulk_insert:
        try:
            with transaction.atomic():
                written = Document.objects.bulk_create(drafts)
                record_versions(written, user)
                return written
        except IntegrityError:
            for draft in drafts:  # the rolled-back insert may have numbered some of them
                draft.pk = None
                draft._state.adding = True
    created = []
    for draft in drafts:
        try:
            with transaction.atomic():
                draft.save()
                record_version(draft, user)
        except IntegrityError:
            continue  # created by a concurrent opener (or the unit itself) in the meantime
        created.append(draft)
    return created


def open_round(period, user):
    """Create a draft unit report for every reporting unit that has none yet; idempotent.

    Concurrent calls are serialised by locking the period row; the unique constraint
    one_unit_report_per_unit_and_period is the last line of defence (_write_drafts).
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
        drafts = [
            Document(
                kind=Kind.UNIT_REPORT,
                commune=plan.commune,
                plan=plan,
                period=period,
                unit=unit,
                title=default_title(Kind.UNIT_REPORT, unit, period, plan),
                content=_prefilled_content(codes, previous.get(unit.pk)).dump(),
                created_by=user,
            )
            for unit, codes in missing
        ]
        created = _write_drafts(drafts, user)
        if period.opened_at is None:
            period.opened_at = timezone.now()
            period.save(update_fields=["opened_at"])
        if created:
            ids = [d.pk for d in created]
            transaction.on_commit(lambda: _tell_units(ids))
    return OpenedRound(period=period, created=created, existing=len(existing), data_window=data_window_sentence(period))
