"""Year-end emulation evaluation (đánh giá thi đua): a score per unit and a ranked table.

For a plan and a year, every unit with a unit report in one of that year's periods (6 tháng, năm,
sơ kết/tổng kết whose Period.year is the year) gets four components; the weights live in
rounds.models.RoundSettings (admin: "Cấu hình kỳ báo cáo và thi đua"):

  score = weight_targets × (targets met / targets judged)         default 50 points
        + weight_on_time × (reports on time / reports expected)   default 30 points
        − weight_return  × number of returns                      default 5 points each
        + min(weight_model × initiatives built, max_model_points) default 5 each, at most 20

- Targets met: over the unit's APPROVED reports of the year, each reported target value is judged
  against the target (≥, >, đạt, tăng so với kỳ trước of the same unit). Commune-wide targets
  (aggregation "sum", e.g. "ít nhất 01 mô hình cấp xã mỗi năm") and free-text answers are not
  judged per unit; they count through the initiatives component instead.
- On time: a report is on time when its FIRST submission (audit trail) is on or before the
  period's deadline (local date). A report never submitted is late once its deadline has passed;
  before that it is not counted at all.
- Returns: every "return" (reviewer) and "send_back" (signer) in the audit trail of the year's reports.
- Initiatives (mô hình): distinct initiative names in the approved reports, so an initiative
  listed in both the 6-month and the annual report counts once.

Ranking: score (high first), then share of targets met, then fewer returns, then the unit's
order and name: ties are always broken the same way. Each row carries its reasons in Vietnamese.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone

from plans.formatting import number_vn, percent_vn
from plans.models import Period, Target
from workflows.models import Document, Kind

from .compile import unit_met
from .models import RoundSettings
from .services import FINAL_STATES

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
        return cls(s.weight_targets, s.weight_on_time, s.weight_return, s.weight_model, s.max_model_points)


@dataclass
class EvaluationRow:
    rank: int
    unit_id: int
    unit_code: str
    unit: str
    score: Decimal
    targets_met: int
    targets_judged: int
    reports: int
    reports_approved: int
    on_time: int
    returns: int
    initiatives: int
    late_periods: list = field(default_factory=list)
    initiative_names: list = field(default_factory=list)
    reasons: list = field(default_factory=list)

    @property
    def met_share(self):
        return Decimal(self.targets_met) / self.targets_judged if self.targets_judged else Decimal(0)


def _points(value):
    return f"{'+' if value >= 0 else '−'}{number_vn(abs(value))} điểm"


def evaluate_year(plan, year, weights=None):
    """Ranked EvaluationRow list. Runs a fixed number of queries whatever the number of units."""
    weights = weights or Weights.for_commune(plan.commune_id)
    periods = {p.pk: p for p in Period.objects.filter(plan=plan, year=year)}
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    documents = (
        Document.objects.filter(kind=Kind.UNIT_REPORT, plan=plan, period_id__in=list(periods))
        .select_related("unit")
        .annotate(
            first_submit=Min("audit_entries__at", filter=Q(audit_entries__transition="submit")),
            return_count=Count("audit_entries", filter=Q(audit_entries__transition__in=("return", "send_back")), distinct=True),
        )
        .order_by("unit__order", "unit__name", "period__data_end", "id")
    )
    by_unit = {}
    for doc in documents:
        by_unit.setdefault(doc.unit_id, (doc.unit, []))[1].append(doc)
    today = timezone.localdate()
    rows = []
    for unit, docs in by_unit.values():
        met = judged = on_time = returns = approved = expected = 0
        late, initiatives = [], {}
        for doc in docs:
            period = periods[doc.period_id]
            returns += doc.return_count
            if doc.first_submit is None and period.deadline >= today:
                pass  # not due yet: neither on time nor late
            elif doc.first_submit and timezone.localdate(doc.first_submit) <= period.deadline:
                expected += 1
                on_time += 1
            else:
                expected += 1
                late.append(period.name)
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
            initiatives=len(initiatives), late_periods=late, initiative_names=list(initiatives.values()),
        )
        _score(row, weights)
        rows.append((unit, row))
    rows.sort(key=lambda pair: (-pair[1].score, -pair[1].met_share, pair[1].returns, pair[0].order, pair[0].name, pair[0].pk))
    ranked = []
    for index, (_, row) in enumerate(rows, start=1):
        row.rank = index
        ranked.append(row)
    return ranked


def _score(row, w):
    reasons = []
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
