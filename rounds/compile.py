"""The compiled commune report (báo cáo tổng hợp) of a period.

compile_summary(document, user) recomputes, for every target of the plan, the commune-level value
from the units' APPROVED unit reports of the same period, by the target's declared aggregation,
over the units that reported:

- single: the value of the (first, by unit order) reporting unit that has an approved report;
- sum: the sum of the reported counts;
- share_yes: the share (%) of the units that reported and said yes (or whose number meets the
  target), e.g. "100% xóm có hoạt động tuyên truyền" = xóm with yes / xóm that reported;
- min, mean: over the units that reported;
- qualitative: the units' answers joined with their names.

One verdict rule for every target (stated in the plan's data file as well):
- the figure rests on partial data when a unit that should report it has no approved report (or
  gave no value): it says so ("số liệu của 1/12 xóm") and is never judged, neither «Đạt» nor
  «Chưa đạt»;
- on complete data it is judged by Target.comparison: at_least (>=), over (>), achieved (True),
  increase (greater than the previous period's compiled value; not judged without one) and
  as_required (every reporting unit says it is achieved).

Narrative: rounds.narrative drafts the sections from the figures and the units' text. The drafts
are kept in SummaryReportContent.compiled.drafts; recompiling merges each section three ways
(rounds.merge): computed lines are regenerated, what the drafter wrote by hand is kept, and what the
recompile changed is recorded in compiled.changes for the drafter to read.
compile_summary(..., replace_sections=True) puts the drafts in as they are (the "use the draft"
button). Like workflows.services.update_document it locks the row, checks the optional version and
saves through workflows.services.save_new_version (version + 1, snapshot); the compiled figures are
derived data, which update_document deliberately does not accept from users.

The approved unit-report versions used are recorded in compiled.sources; see
rounds.freshness for how a summary that no longer matches them is refused.
"""
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from plans.formatting import assessment_vn, number_vn, target_label, unit_value_label, value_label
from plans.models import Area, Target
from workflows import content as doc_content
from workflows.errors import Conflict, Invalid, WrongState
from workflows.models import EDITABLE_STATES, Document, Kind, State
from workflows.services import create_document, lock_document, save_new_version

from . import merge, narrative
from .access import require_coordinator_staff
from .freshness import approved_reports, source_records


def _number(value):
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return None
    return Decimal(str(value))


def _plain(number):
    """Decimal -> int or float rounded to 2 decimals, for JSON."""
    if number is None:
        return None
    number = number.quantize(Decimal("0.01"))
    return int(number) if number == number.to_integral_value() else float(number)


def unit_says_yes(target, value):
    """Did one unit achieve a share_yes target? True for a yes, or a number meeting the target."""
    if isinstance(value, bool):
        return value
    number = _number(value)
    if number is None:
        return bool(value) if isinstance(value, str) else False
    if target.input_kind == "count":
        threshold = Decimal(1)
    else:
        threshold = target.target_value if target.target_value is not None else Decimal(0)
        if threshold == 0:
            return number > 0
    return number > threshold if target.comparison == "over" else number >= threshold


def aggregate(target, values, unit_count=None):
    """Commune-level value from {unit: value} of the units that reported (unit_count, the units that
    should, is not used: partial data is flagged and left unjudged by is_met instead)."""
    rule = target.aggregation
    present = [v for v in values.values() if v is not None]
    if rule == "single":
        return present[0] if present else None
    if rule == "qualitative":
        if not present:
            return None
        parts = [f"{unit.name}: {unit_value_label(target, v)}" for unit, v in values.items() if v is not None]
        return "; ".join(parts)
    if rule == "share_yes":
        if not present:
            return None
        yes = sum(1 for v in present if unit_says_yes(target, v))
        return _plain(Decimal(yes) * 100 / Decimal(len(present)))
    numbers = [n for n in (_number(v) for v in present) if n is not None]
    if not numbers:
        return None
    if rule == "sum":
        return _plain(sum(numbers))
    if rule == "min":
        return _plain(min(numbers))
    if rule == "mean":
        return _plain(sum(numbers) / len(numbers))
    raise Invalid(f"Chỉ tiêu {target.code} có cách tổng hợp không hợp lệ «{rule}».", {"aggregation": [rule]})


def is_met(target, value, *, previous=None, unit_values=None, complete=True):
    """The one verdict rule: None on partial data (never «Đạt» nor «Chưa đạt»); otherwise by
    Target.comparison, None when it cannot be judged."""
    if not complete:
        return None
    comparison = target.comparison
    if comparison == "as_required":
        answers = [v for v in (unit_values or {}).values() if v is not None]
        if any(v is False for v in answers):
            return False
        if complete and answers and all(v is True for v in answers):
            return True
        return None
    if value is None:
        return None
    if comparison == "achieved":
        if isinstance(value, bool):
            return value
        number = _number(value)
        return None if number is None else number >= Decimal(100)
    if comparison == "increase":
        current, before = _number(value), _number(previous)
        if current is None or before is None:
            return None
        return current > before
    number = _number(value)
    if isinstance(value, bool):
        return value
    if number is None or target.target_value is None:
        return None
    return number > target.target_value if comparison == "over" else number >= target.target_value


def unit_met(target, value, previous=None):
    """Did one unit meet the target with its own value? None when the target is commune-wide only
    (a sum) or cannot be judged. Used by the year-end evaluation."""
    if value is None or target.aggregation == "sum":
        return None
    if isinstance(value, bool):
        return value
    if target.comparison == "increase":
        current, before = _number(value), _number(previous)
        return None if current is None or before is None else current > before
    if target.comparison in ("at_least", "over"):
        number = _number(value)
        if number is None or target.target_value is None:
            return None
        return number > target.target_value if target.comparison == "over" else number >= target.target_value
    return None


def previous_compiled(period):
    """{code: value} of the previous summary report (same kind of period preferred), or {}."""
    # The newest compiled summary of the same kind of period, else the newest compiled one: read in
    # that order, and only their figures, not the whole content of every earlier summary.
    same_kind_first = Case(When(period__kind=period.kind, then=Value(0)), default=Value(1), output_field=IntegerField())
    figures = (
        Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan_id=period.plan_id, period__data_end__lt=period.data_end)
        .order_by(same_kind_first, "-period__data_end", "-id")
        .values_list("content__compiled__targets", flat=True)
    )
    for targets in figures:
        if targets:
            return {row.code: row.value for row in map(doc_content.CompiledTarget.model_validate, targets)}
    return {}


def _load(period):
    targets = list(
        Target.objects.filter(plan_id=period.plan_id).select_related("area").prefetch_related("reporting_units").order_by("order")
    )
    reports = approved_reports(period.pk)
    return targets, {doc.unit_id: doc for doc in reports}


def compute_figures(period):
    """The compiled figures of a period (no writes). Returns (rows, reports_by_unit, targets)."""
    targets, reports = _load(period)
    previous = previous_compiled(period)
    contents = {unit_id: doc.typed_content for unit_id, doc in reports.items()}
    rows = []
    for target in targets:
        units = sorted(target.reporting_units.all(), key=narrative.unit_key)
        values = {}
        missing = []
        for unit in units:
            doc = reports.get(unit.pk)
            if doc is None:
                missing.append(unit.name)
                continue
            values[unit] = contents[unit.pk].value_of(target.code)
        reported = sum(1 for v in values.values() if v is not None)
        complete = bool(units) and reported == len(units)
        value = aggregate(target, values, len(units))
        met = is_met(target, value, previous=previous.get(target.code), unit_values=values, complete=complete)
        noun = narrative.coverage_noun(units)
        row = {
            "code": target.code,
            "text": target.text,
            "area": target.area.number,
            "target_label": target_label(target),
            "value": value,
            "value_label": value_label(target, value),
            "is_percent": target.aggregation == "share_yes" or target.input_kind == "percent",
            "met": met,
            "partial": not complete,
            "reported": reported,
            "expected": len(units),
            "coverage_label": f"số liệu của {reported}/{len(units)} {noun}",
            "previous_value": previous.get(target.code),
            "contributions": [
                {"unit": unit.name, "value_label": unit_value_label(target, v)} for unit, v in values.items() if v is not None
            ],
            "missing_units": missing,
        }
        row["verdict"] = verdict_label(row)
        rows.append(row)
    return rows, reports, targets


def verdict_label(row):
    """The assessment as printed in tables (plans.formatting.assessment_vn). `row` is a figure as
    compute_figures makes it or as stored (workflows.content.CompiledTarget)."""
    if isinstance(row, dict):
        return assessment_vn(row.get("met"), row.get("partial"))
    return assessment_vn(row.met, row.partial)


def _units_in_order(reports):
    return sorted(reports.values(), key=lambda d: narrative.unit_key(d.unit))


def _unit_sentences(reports, key):
    return [(doc.unit, sentence) for doc in _units_in_order(reports) for sentence in narrative.sentences(doc.typed_content.section(key))]


def draft_sections(period, rows, reports, targets):
    """The narrative drafts of the summary report (rounds.narrative), from the figures and the units' text."""
    plan = period.plan
    areas = list(Area.objects.filter(plan_id=plan.pk).order_by("number"))
    by_code = {t.code: t for t in targets}
    unit_area = {}
    for target in targets:  # a unit's sentence defaults to the area of the first target it reports
        for unit in target.reporting_units.all():
            unit_area.setdefault(unit.pk, target.area.number)
    classifier = narrative.AreaClassifier(areas, targets)
    first_area = areas[0].number if areas else None
    per_area = {area.number: [] for area in areas}
    for unit, sentence in _unit_sentences(reports, "results"):
        area = classifier.area_of(sentence, unit_area.get(unit.pk, first_area))
        per_area.setdefault(area, []).append((unit, sentence))
    areas_text = {area.number: narrative._fold(" ".join([area.title, *area.activities])) for area in areas}
    for area, unit, sentence in narrative.initiative_lines(_units_in_order(reports), areas_text):
        default = 3 if 3 in per_area else unit_area.get(unit.pk, first_area)
        per_area.setdefault(area or default, []).append((unit, sentence))

    previous_labels = {row["code"]: value_label(by_code[row["code"]], row["previous_value"]) for row in rows if row["code"] in by_code}
    results = []
    for area in areas:
        results.append(f"{area.number}. {area.title}")
        results.extend(narrative.grouped_lines(per_area.get(area.number, [])))
        for row in rows:
            if row["area"] == area.number and row["code"] in by_code:
                results.append(
                    narrative.target_sentence(
                        by_code[row["code"]], row, number_vn=number_vn, previous_label=previous_labels.get(row["code"], "")
                    )
                )

    # II. Tồn tại, hạn chế: what the units say, the targets not met, the reports still missing.
    shortcomings = narrative.grouped_lines(_unit_sentences(reports, "shortcomings"))
    unmet = [row for row in rows if row["met"] is False]
    if unmet:
        shortcomings.append(
            "- Một số chỉ tiêu chưa đạt kế hoạch: "
            + "; ".join(f"chỉ tiêu {row['code']} mới đạt {row['value_label']} (kế hoạch {row['target_label']})" for row in unmet)
            + "."
        )
    reporting = {u.pk: u for t in targets for u in t.reporting_units.all()}
    missing_units = sorted((u for pk, u in reporting.items() if pk not in reports), key=narrative.unit_key)
    returned = set(
        Document.objects.filter(kind=Kind.UNIT_REPORT, period_id=period.pk, state=State.RETURNED).values_list("unit_id", flat=True)
    )
    line = narrative.missing_line(missing_units, [u for u in missing_units if u.pk in returned])
    if line:
        shortcomings.append(line)

    # III. Phương hướng: what the units plan, then the commune's own priorities from the figures.
    next_tasks = narrative.grouped_lines(_unit_sentences(reports, "next_tasks"))
    focus = [row["code"] for row in rows if row["met"] is False]
    pending = [row["code"] for row in rows if row["met"] is None]
    commune_line = "- Tiếp tục triển khai đồng bộ các nội dung thi đua của Kế hoạch"
    if focus:
        commune_line += f"; tập trung thực hiện các chỉ tiêu chưa đạt ({', '.join(focus)})"
    if missing_units:
        commune_line += "; đôn đốc các cơ quan, đơn vị chưa có báo cáo được duyệt hoàn thiện, gửi báo cáo"
    if pending:
        commune_line += f"; bảo đảm đủ số liệu để đánh giá các chỉ tiêu {', '.join(pending)}"
    next_tasks.append(commune_line + ".")

    # The plan's number and date are all the opening cites (state: the FSM field is never deferred).
    plan_document = (
        Document.objects.filter(kind=Kind.PLAN, plan_id=plan.pk, state=State.ISSUED).only("state", "number_label", "issued_on").first()
    )
    received = len(set(reports) & set(reporting))
    return {
        "preamble": narrative.opening(period, plan, plan_document, received, len(reporting)),
        "results": "\n".join(results),
        "shortcomings": "\n".join(shortcomings),
        "next_tasks": "\n".join(next_tasks),
        "proposals": "\n".join(narrative.grouped_lines(_unit_sentences(reports, "proposals"))),
    }


def _fit(text):
    limit = doc_content.MAX_SECTION
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _figure_changes(before, after):
    """Sentences naming the targets whose figure or verdict the recompile changed."""
    old = {row.code: row.model_dump() for row in before or []}
    changes = []
    for row in after:
        prior = old.get(row["code"])
        if prior is None:
            continue
        def said(item):
            coverage = f", {item['coverage_label']}" if item.get("partial") and item.get("coverage_label") else ""
            return f"{item.get('value_label')} ({verdict_label(item).lower()}{coverage})"

        if said(prior) != said(row):
            changes.append(f"Chỉ tiêu {row['code']}: {said(prior)} → {said(row)}.")
    return changes


def _section_changes(key, before, after, conflicts):
    label = doc_content.SECTION_LABELS.get(key, key)
    removed, added = merge.changed_lines(before, after)
    changes = []
    if removed or added:
        changes.append(f"Mục «{label}»: cập nhật {len(added)} dòng mới, bỏ {len(removed)} dòng cũ do hệ thống tổng hợp.")
    for mine, new in conflicts:
        kept = " / ".join(line for line in mine if line.strip()) or "(đã xóa)"
        proposed = " / ".join(line for line in new if line.strip()) or "(không còn)"
        changes.append(f"Mục «{label}»: giữ đoạn do người soạn thảo sửa «{kept}»; bản tổng hợp mới đề xuất «{proposed}».")
    return changes


@transaction.atomic
def compile_summary(document, user, *, version=None, replace_sections=False):
    """Recompute the figures of a summary report and redraft its sections, keeping hand-written text."""
    document = lock_document(document.pk if isinstance(document, Document) else document)
    require_coordinator_staff(user, document.commune_id, "tổng hợp số liệu báo cáo")
    if document.kind != Kind.SUMMARY_REPORT or document.period_id is None:
        raise Invalid("Chỉ báo cáo tổng hợp của một kỳ mới tổng hợp được số liệu.", {"kind": ["Không phải báo cáo tổng hợp."]})
    if document.state not in EDITABLE_STATES:
        raise WrongState(
            f"Báo cáo tổng hợp đang ở trạng thái «{document.get_state_display()}»; chỉ tổng hợp lại được khi đang dự thảo hoặc bị trả lại."
        )
    if version is not None and version != document.version:
        raise Conflict(
            f"Văn bản đã được lưu thành phiên bản {document.version} trong khi bạn xem phiên bản {version}. Hãy tải lại trang."
        )
    period = document.period
    period.plan = document.plan
    rows, reports, targets = compute_figures(period)
    drafts = {key: _fit(text) for key, text in draft_sections(period, rows, reports, targets).items()}
    drafts = doc_content.SummaryReportContent().with_sections(drafts).sections  # cleaned as typed text is
    content = document.typed_content
    before = content.compiled
    changes = _figure_changes(before.targets, rows) if before else []
    sections = {}
    for key, text in drafts.items():
        current = content.section(key)
        if replace_sections:
            merged, conflicts = text, []
        else:
            merged, conflicts = merge.merge_section(before.drafts.get(key) if before else None, current, text)
        merged = _fit(merged)
        if before and (merged != current or conflicts):
            changes.extend(_section_changes(key, current, merged, conflicts))
        sections[key] = merged
    content = content.with_sections(sections)
    content.compiled = doc_content.Compiled(
        computed_at=timezone.now().isoformat(),
        period=period.code,
        data_start=period.data_start.isoformat(),
        data_end=period.data_end.isoformat(),
        targets=rows,
        drafts=drafts,
        # The approved unit-report versions these figures come from (rounds.freshness).
        sources=source_records(reports.values()),
        # What this recompile changed, for the drafter (empty on the first compile).
        changes=changes,
    )
    document.typed_content = content
    return save_new_version(document, user)


@transaction.atomic
def create_summary(period, user):
    """Create the period's summary report and compile it: the one way a summary report comes into
    being, for the web page, the API (POST /documents) and the command alike.

    create_document decides who may create it (a drafter of the coordinating unit) and refuses a
    second one for the period (409)."""
    document = create_document(user, Kind.SUMMARY_REPORT, plan=period.plan, period=period)
    return compile_summary(document, user)


def compile_period(period, user, *, replace_sections=False):
    """Create the period's summary report compiled, or recompile the one it has.

    Returns (document, created). Used by the "Tổng hợp" button and `manage.py compile_summary`.
    """
    existing = Document.objects.filter(kind=Kind.SUMMARY_REPORT, period=period).values_list("pk", flat=True).first()
    if existing is None:
        return create_summary(period, user), True
    return compile_summary(existing, user, replace_sections=replace_sections), False
