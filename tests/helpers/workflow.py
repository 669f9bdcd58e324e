"""The demo data (accounts, the Diễn Châu plan and its periods) and documents brought to a given
state through the services, as the users would through the screens."""
import uuid
from datetime import datetime

from django.utils import timezone

from accounts.models import User
from organizations.models import Unit
from plans.models import Period, Plan, Target
from rounds.compile import create_summary
from rounds.services import open_round
from workflows import content as doc_content
from workflows import policy
from workflows.models import Document
from workflows.services import create_document, perform_transition, targets_for, update_document


def demo(username):
    return User.objects.select_related("unit").get(username=username)


def the_plan():
    return Plan.objects.order_by("pk").first()


def another_plan():
    """A second plan of the same commune: each plan has exactly one plan document."""
    base = the_plan()
    return Plan.objects.create(
        commune=base.commune,
        code=f"thu-{uuid.uuid4().hex[:10]}",
        title=base.title,
        start_year=base.start_year,
        end_year=base.end_year,
        coordinator=base.coordinator,
        content=base.content,
        recipients=base.recipients,
        archive_line=base.archive_line,
        signer=base.signer,
    )


def period(code="2026-H1"):
    return Period.objects.select_related("plan", "plan__commune").get(plan=the_plan(), code=code)


def aware(*args):
    return timezone.make_aware(datetime(*args))


# --- documents through the lifecycle services ---------------------------------------------------

def sample_value(target):
    return {"percent": 96.5, "count": 2, "boolean": True, "text": "Tăng so với cùng kỳ"}[target.input_kind]


def new_unit_report(username="tramyte", period_code="2026-H1"):
    return create_document(demo(username), "unit_report", plan=the_plan(), period=period(period_code))


def fill_unit_report(document, username="tramyte", results="Kết quả nổi bật trong kỳ."):
    values = [{"code": t.code, "value": sample_value(t), "note": ""} for t in targets_for(document)]
    return update_document(document.pk, demo(username), version=document.version, sections={"results": results}, values=values)


def fill_required_sections(document, username="vhxh"):
    content = document.typed_content
    missing = {
        key: f"Nội dung mục {doc_content.SECTION_LABELS[key].lower()}."
        for key, _, required in doc_content.SECTIONS[document.kind]
        if required and not content.section(key).strip()
    }
    if not missing:
        return document
    return update_document(document.pk, demo(username), version=document.version, sections=missing)


def new_plan_document(title="Kế hoạch thử nghiệm"):
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title=title)
    return fill_required_sections(document)


def new_summary_report(period_code="2026-H1"):
    """A summary report created as everywhere: compiled from the period's approved unit reports."""
    document = create_summary(period(period_code), demo("vhxh"))
    return fill_required_sections(document)


def run(document, *steps):
    """Fire (username, transition[, comment]) steps in order; returns the document after the last."""
    for step in steps:
        username, name, *rest = step
        document = perform_transition(document.pk, demo(username), name, rest[0] if rest else "")
    return document


RETURN_COMMENT = "Đề nghị bổ sung số liệu minh chứng."

# The steps that bring a document from draft to each state.
UNIT_STEPS = {
    "draft": [],
    "submitted": [("tramyte", "submit")],
    "under_review": [("tramyte", "submit"), ("vhxh", "start_review")],
    "returned": [("tramyte", "submit"), ("vhxh", "start_review"), ("vhxh", "return", RETURN_COMMENT)],
    "approved": [("tramyte", "submit"), ("vhxh", "start_review"), ("vhxh", "approve")],
}
COMMUNE_STEPS = {
    "draft": [],
    "submitted": [("vhxh", "submit")],
    "under_review": [("vhxh", "submit"), ("vanphong", "start_review")],
    "approved": [("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve")],
    "signed": [("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign")],
}
# The demo plan document (Phòng VH-XH's draft) from draft to signed.
TO_SIGNED = COMMUNE_STEPS["signed"]


def document_in(kind, state):
    if kind == "unit_report":
        return run(fill_unit_report(new_unit_report()), *UNIT_STEPS[state])
    document = new_plan_document() if kind == "plan" else new_summary_report()
    return run(document, *COMMUNE_STEPS[state])


def signed_plan_document(title):
    return run(new_plan_document(title), *COMMUNE_STEPS["signed"])


def signed_summary_report(period_code):
    return run(new_summary_report(period_code), *COMMUNE_STEPS["signed"])


def the_plan_document():
    return Document.objects.get(kind="plan")


def issued_plan():
    """The demo plan document, signed and issued by the văn thư."""
    return run(the_plan_document(), *TO_SIGNED, ("vanthu", "issue"))


def issue(document):
    return perform_transition(document.pk, demo("vanthu"), "issue")


def reviewer_for(document):
    """The demo reviewer who may review this document now: Phòng VH-XH (vhxh), or Văn phòng HĐND-UBND
    (vanphong) for Phòng VH-XH's own report, which vhxh may not review (four eyes)."""
    document = Document.objects.select_related("unit").get(pk=document.pk)
    for username in ("vhxh", "vanphong"):
        user = User.objects.select_related("unit").get(username=username)
        if policy.may(user, "start_review", document):
            return user
    raise AssertionError(f"No demo reviewer may review {document}")


# --- reporting rounds ----------------------------------------------------------------------------

DEFAULTS = {"percent": 96.5, "count": 1, "boolean": True, "text": "Đạt yêu cầu"}


def report_of(period_obj, unit_code):
    return Document.objects.get(kind="unit_report", period=period_obj, unit__code=unit_code)


def fill(period_obj, unit_code, values=None, initiatives=None, sections=None):
    """Fill a unit's report: the given values, a default for every other target it reports."""
    document = report_of(period_obj, unit_code)
    values = dict(values or {})
    codes = Target.objects.filter(plan=period_obj.plan, reporting_units=document.unit).values_list("code", "input_kind")
    payload = [{"code": code, "value": values.get(code, DEFAULTS[kind])} for code, kind in codes]
    return update_document(
        document.pk,
        demo(unit_code),
        version=document.version,
        sections=sections or {"results": f"Kết quả của {document.unit.name}."},
        values=payload,
        initiatives=initiatives,
    )


def submit(period_obj, unit_code, **kwargs):
    document = fill(period_obj, unit_code, **kwargs)
    return perform_transition(document.pk, demo(unit_code), "submit")


def approve(period_obj, unit_code, **kwargs):
    """Fill, submit, review and approve a unit's report (returns the approved document). Phòng VH-XH
    reviews; its own report, which its only reviewer wrote, goes to Văn phòng HĐND-UBND (four eyes)."""
    document = submit(period_obj, unit_code, **kwargs)
    reviewer = reviewer_for(document)
    perform_transition(document.pk, reviewer, "start_review")
    return perform_transition(document.pk, reviewer, "approve")


def opened(code="2026-H1"):
    period_obj = period(code)
    open_round(period_obj, demo("vhxh"))
    return period(code)


def add_xom(n):
    """n more xóm (codes xom-moi-0…) reporting targets 1.2, 1.3 and 4.2, each with a drafter account
    of the same code: for the tests that a screen's queries do not grow with the number of units."""
    plan = the_plan()
    targets = list(Target.objects.filter(plan=plan, code__in=["1.2", "1.3", "4.2"]))
    for index in range(n):
        unit = Unit.objects.create(
            commune=plan.commune, code=f"xom-moi-{index}", name=f"Xóm mới {index}", abbreviation=f"XM{index}", kind="hamlet", order=900 + index
        )
        for target in targets:
            target.reporting_units.add(unit)
        User.objects.create_user(username=unit.code, password="x-Mật-khẩu-2026", unit=unit, commune=plan.commune, roles=["drafter"])
