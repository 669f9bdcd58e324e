"""Year-end emulation evaluation (đánh giá thi đua): a score per unit and a ranked table.

For a plan and a year, every reporting unit (and any other unit with a report in one of that
year's periods: 6 tháng, năm, sơ kết/tổng kết whose Period.year is the year) gets four
components; the weights live in
rounds.models.RoundSettings (admin: "Cấu hình kỳ báo cáo và thi đua"):

  score = weight_targets × (targets met / targets judged)         default 50 points
        + weight_on_time × (reports on time / reports expected)   default 30 points
        − weight_return  × number of returns                      default 5 points each
        + min(weight_initiative × initiatives built, max_initiative_points) default 5 each, at most 20

- Targets met: over the unit's APPROVED reports of the year, each reported target value is judged
  against the target (≥, >, đạt, tăng so với kỳ trước of the same unit). Commune-wide targets
  (aggregation "sum", e.g. "ít nhất 01 mô hình cấp xã mỗi năm") and free-text answers are not
  judged per unit; they count through the initiatives component instead.
- On time: a report is on time when its counted submission (the first one the unit did not
  withdraw, rounds.selectors explains why) is on or before the period's deadline (local date). A
  report never submitted is late once its deadline has passed; before that it is not counted. A
  period counts for a unit when its round was opened or the unit made a report for it.
- Returns: every "return" (reviewer) and "send_back" (signer) in the audit trail of the year's reports.
- Initiatives (mô hình): distinct initiative names in the approved reports, so an initiative
  listed in both the 6-month and the annual report counts once.

Every reporting unit of the plan is ranked, also one that never submitted a report in the year:
it ranks after all units that did, with the reason "Chưa báo cáo".

Ranking: units that reported first; then score (high first), share of targets met, fewer returns,
the unit's order and name: ties are always broken the same way. Each row carries its reasons in
Vietnamese. EvaluationRow is also the API's row schema (api.rounds), so the two cannot drift.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from pydantic import BaseModel, Field, field_serializer

from plans.formatting import number_vn, percent_vn
from plans.models import Period, Target
from workflows.models import Document, Kind
from workflows.queries import with_counted_submission, with_return_count

from .compile import unit_met
from .models import RoundSettings
from .services import FINAL_STATES, reporting_units

TWO = Decimal("0.01")


@dataclass
class Weights:
    targets: Decimal = Decimal("50")
    on_time: Decimal = Decimal("30")
    per_return: Decimal = Decimal("5")
    per_initiative: Decimal = Decimal("5")
    max_initiatives: Decimal = Decimal("20")

    @classmethod
    def for_commune(cls, commune_id):
        s = RoundSettings.for_commune(commune_id)
        return cls(s.weight_targets, s.weight_on_time, s.weight_return, s.weight_initiative, s.max_initiative_points)


class EvaluationRow(BaseModel):
    """One unit's line of the ranking; the API serialises it as it is (internal fields excluded)."""

    rank: int = Field(..., description="Thứ hạng, 1 là cao nhất")
    unit_code: str
    unit: str = Field(..., description="Tên đơn vị")
    score: Decimal = Field(..., description="Điểm thi đua")
    targets_met: int
    targets_judged: int
    reports: int = Field(..., description="Số báo cáo đã đến hạn")
    reports_approved: int
    on_time: int = Field(..., description="Số báo cáo nộp đúng hạn")
    returns: int = Field(..., description="Số lần bị trả lại")
    initiatives: int = Field(..., description="Số mô hình đã xây dựng (tên khác nhau) trong các báo cáo đã duyệt")
    reported: bool = Field(..., description="Đã trình ít nhất một báo cáo trong năm; false: «chưa báo cáo», xếp cuối")
    reasons: list[str] = Field(default_factory=list, description="Căn cứ chấm điểm, bằng tiếng Việt")
    unit_id: int = Field(..., exclude=True)
    late_periods: list[str] = Field(default_factory=list, exclude=True)
    initiative_names: list[str] = Field(default_factory=list, exclude=True)

    @field_serializer("score", return_type=float)
    def _score_as_number(self, value):
        return float(value)

    @property
    def met_share(self):
        return Decimal(self.targets_met) / self.targets_judged if self.targets_judged else Decimal(0)


def _points(value):
    return f"{'+' if value >= 0 else '−'}{number_vn(abs(value))} điểm"


def evaluate_year(plan, year, weights=None):
    """Ranked EvaluationRow list of every reporting unit. A fixed number of queries whatever the
    number of units."""
    weights = weights or Weights.for_commune(plan.commune_id)
    periods = {p.pk: p for p in Period.objects.filter(plan=plan, year=year)}
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    documents = with_counted_submission(
        with_return_count(Document.objects.filter(kind=Kind.UNIT_REPORT, plan=plan, period_id__in=list(periods)))
    ).select_related("unit").order_by("period__data_end", "id")
    by_unit = {unit.pk: (unit, []) for unit, _ in reporting_units(plan)}
    for doc in documents:
        by_unit.setdefault(doc.unit_id, (doc.unit, []))[1].append(doc)
    today = timezone.localdate()
    rows = []
    for unit, docs in by_unit.values():
        met = judged = on_time = returns = approved = 0
        late, initiatives = [], {}
        reported = any(doc.counted_submit_at for doc in docs)
        handed_in = {doc.period_id: doc.counted_submit_at for doc in docs}
        expected = 0
        for period in sorted(periods.values(), key=lambda p: (p.data_end, p.kind)):
            if period.pk not in handed_in and period.opened_at is None:
                continue  # no report asked for: the round was not opened and the unit made none
            submitted_at = handed_in.get(period.pk)
            if submitted_at is None and period.deadline >= today:
                continue  # not due yet: neither on time nor late
            expected += 1
            if submitted_at and timezone.localdate(submitted_at) <= period.deadline:
                on_time += 1
            else:
                late.append(period.name)
        for doc in docs:
            returns += doc.return_count
            if doc.state not in FINAL_STATES:
                continue
            approved += 1
            content = doc.typed_content
            for code, entry in content.values.items():
                target = targets.get(code)
                if target is None:
                    continue
                verdict = unit_met(target, entry.value, content.previous_value(code))
                if verdict is not None:
                    judged += 1
                    met += verdict
            for initiative in content.initiatives:
                name = initiative.name.strip()
                if name:
                    initiatives.setdefault(name.casefold(), name)
        row = EvaluationRow(
            rank=0, unit_id=unit.pk, unit_code=unit.code, unit=unit.name, score=Decimal(0), targets_met=met,
            targets_judged=judged, reports=expected, reports_approved=approved, on_time=on_time, returns=returns,
            initiatives=len(initiatives), reported=reported, late_periods=late, initiative_names=list(initiatives.values()),
        )
        _score(row, weights, year)
        rows.append((unit, row))
    rows.sort(
        key=lambda pair: (not pair[1].reported, -pair[1].score, -pair[1].met_share, pair[1].returns, pair[0].order, pair[0].name, pair[0].pk)
    )
    ranked = []
    for index, (_, row) in enumerate(rows, start=1):
        row.rank = index
        ranked.append(row)
    return ranked


def _score(row, w, year):
    reasons = []
    if not row.reported:
        reasons.append(f"Chưa báo cáo: đơn vị chưa trình báo cáo nào trong năm {year}; xếp cuối bảng.")
    if row.targets_judged:
        part = (w.targets * row.targets_met / row.targets_judged).quantize(TWO)
        share = percent_vn(Decimal(100) * row.targets_met / row.targets_judged)
        reasons.append(f"Đạt {row.targets_met}/{row.targets_judged} chỉ tiêu trong các báo cáo đã duyệt ({share}): {_points(part)}.")
    else:
        part = Decimal(0)
        if row.reports_approved:
            reasons.append("Các báo cáo đã duyệt không có chỉ tiêu đánh giá được theo đơn vị: 0 điểm chỉ tiêu.")
        else:
            reasons.append("Chưa có báo cáo nào được duyệt trong năm: 0 điểm chỉ tiêu.")
    score = part
    if row.reports:
        part = (w.on_time * row.on_time / row.reports).quantize(TWO)
        text = f"Nộp đúng hạn {row.on_time}/{row.reports} báo cáo: {_points(part)}"
        if row.late_periods:
            text += f" (chậm hoặc chưa nộp: {', '.join(row.late_periods)})"
        reasons.append(text + ".")
    else:
        part = Decimal(0)
        reasons.append("Chưa có báo cáo nào đến hạn nộp: 0 điểm đúng hạn.")
    score += part
    if row.returns:
        part = (w.per_return * row.returns).quantize(TWO)
        reasons.append(f"Bị trả lại {row.returns} lần: {_points(-part)}.")
        score -= part
    else:
        reasons.append("Không bị trả lại lần nào.")
    if row.initiatives:
        raw = w.per_initiative * row.initiatives
        part = min(raw, w.max_initiatives).quantize(TWO)
        text = f"Xây dựng {row.initiatives} mô hình ({', '.join(row.initiative_names)}): {_points(part)}"
        if raw > w.max_initiatives:
            text += f" (tối đa {number_vn(w.max_initiatives)} điểm)"
        reasons.append(text + ".")
        score += part
    else:
        reasons.append("Chưa báo cáo mô hình nào.")
    row.score = score.quantize(TWO)
    row.reasons = reasons
