"""The compiled commune report (báo cáo tổng hợp) of a period.

compile_summary(document, user) recomputes, for every target of the plan, the commune-level value
from the units' APPROVED unit reports of the same period, by the target's declared aggregation:

- single: the value of the (first, by unit order) reporting unit that has an approved report;
- sum: the sum of the reported counts;
- share_yes: the share (%) of ALL reporting units that said yes (or whose number meets the
  target), e.g. "100% xóm có hoạt động tuyên truyền" = xóm with yes / all xóm. A unit without an
  approved report counts as "not yet yes" and is listed in missing_units, so the figure is never
  silently flattering;
- min, mean: over the units that reported;
- qualitative: the units' answers joined with their names.

Whether a target is met follows Target.comparison: at_least (>=), over (>), achieved (True),
increase (greater than the previous period's compiled value; null without one) and as_required
(true when every reporting unit says it is achieved, false when one says it is not, else null).

Overwriting: the figures (content["compiled"]) are always recomputed; they are derived data.
Narrative sections are drafted from the units' sections and written only into EMPTY sections, so
what staff have written is never silently replaced. All drafts are also kept in
content["compiled"]["drafts"]; compile_summary(..., replace_sections=True) puts them in anyway
(the "use the draft" button). Like workflows.services.update_document it locks the row, checks the
optional version and saves through workflows.services.save_new_version (version + 1, snapshot); the
compiled figures are derived data, which update_document deliberately does not accept from users.
"""
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from documents.dates import short_date
from plans.formatting import target_label, unit_value_label, value_label
from plans.models import Area, Target
from workflows import content as doc_content
from workflows.errors import Conflict, Invalid, WrongState
from workflows.models import EDITABLE_STATES, Document, Kind
from workflows.services import create_document, lock_document, save_new_version

from .access import require_coordinator_staff
from .services import FINAL_STATES


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


def aggregate(target, values, unit_count):
    """Commune-level value from {unit: value} of the units that reported; unit_count = all units that should."""
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
        if not unit_count or not present:
            return None
        yes = sum(1 for v in present if unit_says_yes(target, v))
        return _plain(Decimal(yes) * 100 / Decimal(unit_count))
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
    """Met rule by Target.comparison; None when it cannot be judged."""
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
    candidates = (
        Document.objects.filter(kind=Kind.SUMMARY_REPORT, plan_id=period.plan_id, period__data_end__lt=period.data_end)
        .select_related("period")
        .order_by("-period__data_end", "-id")
    )
    best = None
    for doc in candidates:
        if not (doc.content.get("compiled") or {}).get("targets"):
            continue
        if best is None or (doc.period.kind == period.kind and best.period.kind != period.kind):
            best = doc
    if best is None:
        return {}
    return {row["code"]: row.get("value") for row in best.content["compiled"]["targets"]}


def _load(period):
    targets = list(
        Target.objects.filter(plan_id=period.plan_id).select_related("area").prefetch_related("reporting_units").order_by("order")
    )
    reports = list(
        Document.objects.filter(kind=Kind.UNIT_REPORT, period=period, state__in=FINAL_STATES).select_related("unit")
    )
    return targets, {doc.unit_id: doc for doc in reports}


def compute_figures(period):
    """The compiled figures of a period (no writes). Returns (rows, reports_by_unit, targets)."""
    targets, reports = _load(period)
    previous = previous_compiled(period)
    rows = []
    for target in targets:
        units = sorted(target.reporting_units.all(), key=lambda u: (u.order, u.name))
        values = {}
        missing = []
        for unit in units:
            doc = reports.get(unit.pk)
            if doc is None:
                missing.append(unit.name)
                continue
            values[unit] = ((doc.content.get("values") or {}).get(target.code) or {}).get("value")
        value = aggregate(target, values, len(units))
        met = is_met(target, value, previous=previous.get(target.code), unit_values=values, complete=not missing)
        rows.append(
            {
                "code": target.code,
                "text": target.text,
                "area": target.area.number,
                "target_label": target_label(target),
                "value": value,
                "value_label": value_label(target, value),
                "is_percent": target.aggregation == "share_yes" or target.input_kind == "percent",
                "met": met,
                "previous_value": previous.get(target.code),
                "contributions": [
                    {"unit": unit.name, "value_label": unit_value_label(target, v)} for unit, v in values.items() if v is not None
                ],
                "missing_units": missing,
            }
        )
    return rows, reports, targets


MET_WORDS = {True: "đạt chỉ tiêu", False: "chưa đạt chỉ tiêu", None: "chưa đủ cơ sở đánh giá"}


def _unit_lines(reports, key, keep=None):
    """Lines «- Unit: text», in unit order, of the reports whose section `key` is filled (and that `keep` accepts)."""
    lines = []
    for doc in sorted(reports.values(), key=lambda d: (d.unit.order, d.unit.name)):
        text = ((doc.content.get("sections") or {}).get(key) or "").strip()
        if text and (keep is None or keep(doc)):
            lines.append(f"- {doc.unit.name}: {text}")
    return lines


def draft_sections(period, rows, reports, targets):
    """Narrative drafts for the summary report, grouped by area of work."""
    plan = period.plan
    areas = list(Area.objects.filter(plan_id=plan.pk).order_by("number"))
    unit_area = {}
    for target in targets:  # a unit's text goes under the area of the first target it reports
        for unit in target.reporting_units.all():
            unit_area.setdefault(unit.pk, target.area.number)
    reporting = {u.pk for t in targets for u in t.reporting_units.all()}
    results = []
    for area in areas:
        results.append(f"{area.number}. {area.title}")
        for row in rows:
            if row["area"] != area.number:
                continue
            result = f"kết quả {row['value_label']}" if row["value"] is not None else "chưa có số liệu"
            line = f"- Chỉ tiêu {row['code']} ({row['text'].rstrip('.')}): {result}"
            if row["target_label"]:
                line += f", chỉ tiêu {row['target_label']}"
            line += f"; {MET_WORDS[row['met']]}."
            if row["missing_units"]:
                line += f" Chưa có báo cáo của {len(row['missing_units'])} đơn vị."
            results.append(line)
        results.extend(_unit_lines(reports, "results", lambda doc: unit_area.get(doc.unit_id) == area.number))
    shortcomings = _unit_lines(reports, "shortcomings")
    unmet = [row for row in rows if row["met"] is False]
    if unmet:
        shortcomings.append(
            "- Chưa đạt chỉ tiêu: " + "; ".join(f"{row['code']} ({row['value_label']}/{row['target_label']})" for row in unmet) + "."
        )
    missing_units = sorted({name for row in rows for name in row["missing_units"]})
    if missing_units:
        shortcomings.append(f"- Đến nay còn {len(missing_units)} đơn vị chưa có báo cáo được duyệt: {', '.join(missing_units)}.")
    received = len(set(reports) & reporting)
    preamble = (
        f"Thực hiện Kế hoạch {plan.title[:1].lower()}{plan.title[1:]}, trên cơ sở báo cáo của {received}/{len(reporting)} "
        f"cơ quan, đơn vị, {plan.commune.short_name} báo cáo kết quả {period.name.lower()} như sau "
        f"(số liệu tính từ ngày {short_date(period.data_start)} đến ngày {short_date(period.data_end)}):"
    )
    return {
        "preamble": preamble,
        "results": "\n".join(results),
        "shortcomings": "\n".join(shortcomings),
        "next_tasks": "\n".join(_unit_lines(reports, "next_tasks")),
        "proposals": "\n".join(_unit_lines(reports, "proposals")),
    }


def _fit(text):
    limit = doc_content.MAX_SECTION
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def compile_summary(document, user, *, version=None, replace_sections=False):
    """Recompute the figures of a summary report and fill its empty sections; returns the document."""
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
    drafts = doc_content.clean_sections(document.kind, drafts)
    content = dict(document.content)
    sections = dict(content.get("sections") or {})
    for key, text in drafts.items():
        if replace_sections or not (sections.get(key) or "").strip():
            sections[key] = text
    content["sections"] = sections
    content["compiled"] = {
        "computed_at": timezone.now().isoformat(),
        "period": period.code,
        "data_start": period.data_start.isoformat(),
        "data_end": period.data_end.isoformat(),
        "targets": rows,
        "drafts": drafts,
    }
    document.content = content
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
    existing = Document.objects.filter(kind=Kind.SUMMARY_REPORT, period=period).first()
    if existing is None:
        return create_summary(period, user), True
    return compile_summary(existing, user, replace_sections=replace_sections), False
