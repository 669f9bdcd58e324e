"""Whether a summary report still matches the unit reports it was compiled from.

compile_summary records, in content["compiled"]["sources"], every approved unit report it used
and the version it read. The summary is out of date when, since then, another unit's report was
approved, one of those reports changed version or is no longer approved. While it is, the
`submit`, `approve`, `sign` and `issue` transitions refuse it (409, naming what changed) until it
is compiled again; every page and the API say so.

A summary report that was never compiled has no figures at all: it is refused the same way.
"""
from organizations.ordering import through_unit, unit_key
from plans.models import Period
from workflows.errors import WrongState
from workflows.models import Document, Kind

from .services import FINAL_STATES

# Transitions that would carry the summary's figures further towards issue.
GUARDED = ("submit", "approve", "sign", "issue")
NOT_COMPILED = "Báo cáo chưa được tổng hợp số liệu từ báo cáo của các đơn vị."


def _final_unit_reports(period_ids):
    return (
        Document.objects.filter(kind=Kind.UNIT_REPORT, period_id__in=period_ids, state__in=FINAL_STATES)
        .select_related("unit")
        .order_by(*through_unit())
    )


def approved_reports(period_id):
    """The period's unit reports that count as final figures, in the units' order."""
    return list(_final_unit_reports([period_id]))


def source_records(reports):
    """What compile_summary stores: one line per unit report it read."""
    return [
        {"document_id": doc.pk, "unit_code": doc.unit.code, "unit": doc.unit.name, "version": doc.version}
        for doc in sorted(reports, key=lambda d: unit_key(d.unit))
    ]


def changes_since_compiled(document, approved=None):
    """What changed among the approved unit reports since the summary was compiled ([] when none).

    Each item is a sentence naming the unit. Not a summary report of a period: always [].
    `approved`: the period's approved_reports when the caller already has them (freshness_many)."""
    if document.kind != Kind.SUMMARY_REPORT or document.period_id is None:
        return []
    compiled = document.typed_content.compiled
    if compiled is None or not compiled.targets:
        return [NOT_COMPILED]
    if compiled.sources is None:
        return ["Số liệu được tổng hợp trước khi hệ thống ghi lại các báo cáo đã dùng, cần tổng hợp lại."]
    used = {item.document_id: item for item in compiled.sources}
    changes = []
    current_ids = set()
    for doc in approved if approved is not None else approved_reports(document.period_id):
        current_ids.add(doc.pk)
        before = used.get(doc.pk)
        if before is None:
            changes.append(f"Báo cáo của {doc.unit.name} được duyệt sau lần tổng hợp (phiên bản {doc.version}).")
        elif before.version != doc.version:
            changes.append(
                f"Báo cáo của {doc.unit.name} đã thay đổi sau lần tổng hợp (phiên bản {before.version} → {doc.version})."
            )
    for document_id, before in used.items():
        if document_id not in current_ids:
            changes.append(f"Báo cáo của {before.unit or 'một đơn vị'} không còn ở trạng thái đã duyệt.")
    return changes


def freshness(document, approved=None):
    """For pages and the API: {"out_of_date": bool, "changes": [...]}; None for other documents."""
    if document.kind != Kind.SUMMARY_REPORT or document.period_id is None:
        return None
    if document.state == "issued":
        return {"out_of_date": False, "changes": []}  # issued documents never change
    changes = changes_since_compiled(document, approved)
    return {"out_of_date": bool(changes), "changes": changes}


def freshness_many(documents):
    """freshness() of each document, in order, for a list page: one query for all the summaries'
    periods instead of one per summary."""
    summaries = [d for d in documents if d.kind == Kind.SUMMARY_REPORT and d.period_id and d.state != "issued"]
    by_period = {d.period_id: [] for d in summaries}
    for report in _final_unit_reports(list(by_period)) if by_period else []:
        by_period[report.period_id].append(report)
    return [freshness(d, by_period.get(d.period_id)) for d in documents]


def refusal(document, transition):
    """The 409 message for a guarded transition of an out-of-date summary (None when it may go on)."""
    changes = changes_since_compiled(document)
    if not changes:
        return None
    if document.state in ("draft", "returned"):
        remedy = "Hãy bấm «Tổng hợp lại số liệu» rồi thực hiện lại."
    else:
        remedy = (
            "Người có thẩm quyền trả lại văn bản để sửa, Phòng Văn hóa – Xã hội tổng hợp lại số liệu, "
            "rồi trình lại theo quy trình."
        )
    return f"Báo cáo tổng hợp không còn khớp với báo cáo của các đơn vị: {' '.join(changes)} {remedy}"


def check_transition(sender, document, transition, user=None, **kwargs):
    """Receiver of workflows.signals.document_transition_checking (inside the transition's transaction).

    Locks the period row both when a summary moves on and when a unit report is approved, so that
    an approval cannot slip in between the check and the commit of a signature or an issue."""
    if document.period_id is None:
        return
    guarded_summary = document.kind == Kind.SUMMARY_REPORT and transition in GUARDED
    unit_approval = document.kind == Kind.UNIT_REPORT and transition == "approve"
    if not (guarded_summary or unit_approval):
        return
    list(Period.objects.select_for_update().filter(pk=document.period_id).values_list("pk", flat=True))
    if guarded_summary:
        message = refusal(document, transition)
        if message:
            raise WrongState(message)
