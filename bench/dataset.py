"""A province-scale dataset for the benchmark (`make bench`), reproducible from a seed.

The demo commune (Diễn Châu, loaded by load_demo) is the model: its rounds are opened through the
real service (rounds.services.open_round), and every other commune is a copy of it written with
bulk_create (units, accounts, the plan with its areas, targets, phases and periods, and for every
period a unit report per reporting unit, a summary report and the plan document), each document
with its version, its audit trail and, once issued, its register line. The states follow what a
province looks like after a few years: past periods approved (some returned once on the way),
the latest periods in every state. The seed fixes every choice, so two runs give the same rows.

Meant for a database of its own (`make bench` uses congvan_bench): it adds thousands of rows.
"""
import random
from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts import demo
from accounts.models import Role, User
from documents.models import NumberSequence, RegisterEntry
from documents.register import TYPE_ABBREVIATIONS, symbol
from organizations.models import Commune, Unit
from plans.models import Area, Assignment, Period, Phase, Plan, Target
from rounds.services import open_round
from workflows.models import AuditEntry, Document, DocumentVersion, Kind, State
from workflows.services import default_title

PREFIX = "bench-"
# A unit report's path through the states, with the transitions that lead there.
PATHS = {
    State.DRAFT: [],
    State.SUBMITTED: ["submit"],
    State.UNDER_REVIEW: ["submit", "start_review"],
    State.RETURNED: ["submit", "start_review", "return"],
    State.APPROVED: ["submit", "start_review", "approve"],
    State.SIGNED: ["submit", "start_review", "approve", "sign"],
    State.ISSUED: ["submit", "start_review", "approve", "sign", "issue"],
}
STEP_TARGETS = {
    "submit": State.SUBMITTED, "start_review": State.UNDER_REVIEW, "return": State.RETURNED,
    "approve": State.APPROVED, "sign": State.SIGNED, "issue": State.ISSUED,
}
ACTOR_ROLE = {"submit": "drafter", "start_review": "reviewer", "return": "reviewer", "approve": "reviewer", "sign": "signer", "issue": "clerk"}


@dataclass
class Sizes:
    communes: int = 500
    periods: int = 10
    seed: int = 2026


def _copy(instance, **changes):
    # Through the constructor: the FSM field refuses assignment afterwards.
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key}
    return type(instance)(**{**values, **changes})


def model_commune():
    """The demo commune, loaded if missing, with its first periods opened through the service."""
    commune = demo.default_commune()
    if commune is None:
        call_command("load_demo", verbosity=0)
        commune = demo.default_commune()
    return commune


def generate(sizes, *, log=print):
    """Write `sizes.communes` communes (the demo one included) with `sizes.periods` periods of
    reports each. Idempotent: communes already generated are kept."""
    rng = random.Random(sizes.seed)
    base = model_commune()
    plan = Plan.objects.filter(commune=base).order_by("pk").first()
    periods = list(Period.objects.filter(plan=plan).order_by("data_end", "kind")[: sizes.periods])
    coordinator = next(
        u for u in User.objects.filter(unit__commune=base, unit__function="coordinator").order_by("pk") if u.has_role(Role.DRAFTER)
    )
    for period in periods:
        if period.opened_at is None or not Document.objects.filter(period=period, kind=Kind.UNIT_REPORT).exists():
            open_round(period, coordinator)
    model_reports = {
        (d.unit.code, d.period.code): d
        for d in Document.objects.filter(plan=plan, kind=Kind.UNIT_REPORT, period__in=periods).select_related("unit", "period")
    }
    model_plan_document = Document.objects.filter(plan=plan, kind=Kind.PLAN).first()
    existing = set(Commune.objects.filter(code__startswith=PREFIX).values_list("code", flat=True))
    for index in range(1, sizes.communes):
        code = f"{PREFIX}{index:03d}"
        if code in existing:
            continue
        with transaction.atomic():
            _clone_commune(base, plan, periods, model_reports, model_plan_document, code, index, rng)
        if index % 25 == 0:
            log(f"  {index}/{sizes.communes} xã")
    return Document.objects.count()


def _clone_commune(base, plan, periods, model_reports, model_plan_document, code, index, rng):
    name = f"Thử nghiệm {index:03d}"
    commune = _copy(
        base, code=code, name=f"Ủy ban nhân dân xã {name}", short_name=f"UBND xã {name}", place_name=name,
        header_lines=[f"ỦY BAN NHÂN DÂN XÃ {name.upper()}"],
    )
    commune.save()
    base_units = list(Unit.objects.filter(commune=base).order_by("pk"))
    units = Unit.objects.bulk_create([_copy(u, commune_id=commune.pk) for u in base_units])
    unit_map = {old.pk: new for old, new in zip(base_units, units)}
    base_users = list(User.objects.filter(Q(unit__commune=base) | Q(commune=base)).distinct().order_by("pk"))
    users = User.objects.bulk_create(
        [
            _copy(u, username=f"{u.username}-{index:03d}", email="", unit_id=unit_map[u.unit_id].pk if u.unit_id else None,
                  commune_id=commune.pk, last_login=None)
            for u in base_users
        ]
    )
    by_role_unit = {}
    for user in users:
        for role in user.roles:
            by_role_unit.setdefault((role, user.unit_id), user)
            by_role_unit.setdefault((role, None), user)

    new_plan = _copy(plan, commune_id=commune.pk, coordinator_id=unit_map[plan.coordinator_id].pk)
    new_plan.save()
    areas = list(Area.objects.filter(plan=plan).order_by("pk"))
    new_areas = Area.objects.bulk_create([_copy(a, plan_id=new_plan.pk) for a in areas])
    area_map = {old.pk: new.pk for old, new in zip(areas, new_areas)}
    targets = list(Target.objects.filter(plan=plan).order_by("pk").prefetch_related("reporting_units"))
    new_targets = Target.objects.bulk_create([_copy(t, plan_id=new_plan.pk, area_id=area_map[t.area_id]) for t in targets])
    Through = Target.reporting_units.through
    Through.objects.bulk_create(
        [Through(target_id=new.pk, unit_id=unit_map[u.pk].pk) for old, new in zip(targets, new_targets) for u in old.reporting_units.all()]
    )
    Assignment.objects.bulk_create([_copy(a, plan_id=new_plan.pk) for a in Assignment.objects.filter(plan=plan)])
    phases = list(Phase.objects.filter(plan=plan).order_by("pk"))
    new_phases = Phase.objects.bulk_create([_copy(p, plan_id=new_plan.pk) for p in phases])
    phase_map = {old.pk: new.pk for old, new in zip(phases, new_phases)}
    all_periods = list(Period.objects.filter(plan=plan).order_by("pk"))
    new_periods = Period.objects.bulk_create(
        [_copy(p, plan_id=new_plan.pk, phase_id=phase_map.get(p.phase_id), opened_at=p.opened_at) for p in all_periods]
    )
    period_map = {old.pk: new for old, new in zip(all_periods, new_periods)}

    documents, plans_for = [], []
    for number, period in enumerate(periods):
        latest = number >= len(periods) - 2
        for (unit_code, period_code), model in model_reports.items():
            if period_code != period.code:
                continue
            state = rng.choice(list(PATHS)[:5]) if latest else (State.RETURNED if rng.random() < 0.03 else State.APPROVED)
            documents.append((_copy(model, commune_id=commune.pk, plan_id=new_plan.pk, period_id=period_map[period.pk].pk,
                                    unit_id=unit_map[model.unit_id].pk, state=state, number=None, number_label="",
                                    reviewer_id=None, signer_id=None, created_by_id=None), model.unit))
        summary_state = State.DRAFT if latest else State.ISSUED
        summary = Document(kind=Kind.SUMMARY_REPORT, commune_id=commune.pk, plan_id=new_plan.pk, period_id=period_map[period.pk].pk,
                           unit_id=unit_map[plan.coordinator_id].pk, state=summary_state,
                           title=default_title(Kind.SUMMARY_REPORT, None, period, _PlanName(commune)), content={})
        documents.append((summary, unit_map[plan.coordinator_id]))
    if model_plan_document is not None:
        plans_for.append(_copy(model_plan_document, commune_id=commune.pk, plan_id=new_plan.pk, unit_id=unit_map[model_plan_document.unit_id].pk,
                               state=State.ISSUED, number=None, number_label="", reviewer_id=None, signer_id=None, created_by_id=None))
        documents.append((plans_for[-1], unit_map[model_plan_document.unit_id]))
    now = timezone.now()
    for document, unit in documents:
        document.unit = unit if unit.commune_id == commune.pk else unit_map[unit.pk]
        document.submitted_at = now if document.state != State.DRAFT else None
        document.reviewer_id = by_role_unit.get((Role.REVIEWER, None)).pk if document.state not in (State.DRAFT, State.SUBMITTED) else None
        signer = by_role_unit.get((Role.SIGNER, None))
        document.signer_id = signer.pk if document.state in (State.SIGNED, State.ISSUED) and signer else None
    _number(commune, documents, now)
    created = Document.objects.bulk_create([d for d, _ in documents], batch_size=500)
    DocumentVersion.objects.bulk_create(
        [DocumentVersion(document=d, number=1, title=d.title, content=d.content) for d in created], batch_size=1000
    )
    entries = []
    for document in created:
        path = PATHS[document.state]
        if document.state == State.RETURNED and document.kind == Kind.UNIT_REPORT and rng.random() < 0.5:
            path = ["submit", "start_review", "return", "submit", "start_review", "return"]
        source = State.DRAFT
        for step in path:
            actor = by_role_unit.get((ACTOR_ROLE[step], document.unit_id if step == "submit" else None)) or by_role_unit[(Role.DRAFTER, None)]
            entries.append(AuditEntry(document=document, transition=step, source=source, target=STEP_TARGETS[step], actor=actor,
                                      comment="Đề nghị bổ sung số liệu." if step == "return" else "", version=1))
            source = STEP_TARGETS[step]
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
    RegisterEntry.objects.bulk_create(
        [RegisterEntry(commune=commune, year=d.issued_on.year, sequence_key="", number=d.number, symbol=d.number_label,
                       type_abbreviation=TYPE_ABBREVIATIONS[d.kind], issued_on=d.issued_on, excerpt=d.title,
                       signer_name="", recipients=list(new_plan.recipients), document=d)
         for d in created if d.state == State.ISSUED]
    )


class _PlanName:
    """What default_title reads of a plan: its commune's short name."""

    def __init__(self, commune):
        self.commune = commune


def _number(commune, documents, now):
    """Issued documents get the commune's next numbers (one shared sequence per year)."""
    issued = [d for d, _ in documents if d.state == State.ISSUED]
    year = timezone.localdate(now).year
    for number, document in enumerate(issued, start=1):
        document.number = number
        document.number_label = symbol(number, TYPE_ABBREVIATIONS[document.kind], commune.abbreviation)
        document.issued_on = timezone.localdate(now)
    if issued:
        NumberSequence.objects.create(commune=commune, year=year, key="", last_number=len(issued))
