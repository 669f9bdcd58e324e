"""The document lifecycle through the service functions, with the demo accounts.

One test per row of the transition table (allowed role and a refused role), wrong states, comments,
completeness checks, edit rules, whole paths, versions, the audit trail and frozen issued documents.
The helpers live in tests/helpers/workflow.py.
"""
import unicodedata

import pytest
from django.utils import timezone

from workflows import content as doc_content
from workflows.errors import Conflict, Forbidden, Invalid, NotFound, WrongState
from workflows.models import AuditEntry, Document, DocumentIsFrozen, DocumentVersion, State
from tests.helpers.workflow import (
    COMMUNE_STEPS,
    RETURN_COMMENT,
    another_plan,
    demo,
    document_in,
    fill_required_sections,
    fill_unit_report,
    new_plan_document,
    new_summary_report,
    new_unit_report,
    period,
    run,
    sample_value,
    signed_plan_document,
    the_plan,
)
from workflows.services import available_transitions, create_document, perform_transition, targets_for, update_document

pytestmark = pytest.mark.django_db


# --- the demo data -----------------------------------------------------------------------------

def test_loaded_plan_is_a_draft_authored_by_vhxh():
    document = Document.objects.get(plan=the_plan(), kind="plan")
    assert document.state == State.DRAFT
    assert document.unit.code == "vhxh"
    assert document.versions.count() == 1


# --- one test per row of the table: the allowed role ---------------------------------------------

ROWS = [
    # transition, kind, from state, allowed user, refused user, target state
    ("submit", "unit_report", "draft", "tramyte", "vhxh", State.SUBMITTED),
    ("submit", "plan", "draft", "vhxh", "vanphong", State.SUBMITTED),
    ("withdraw", "unit_report", "submitted", "tramyte", "vhxh", State.DRAFT),
    ("start_review", "unit_report", "submitted", "vhxh", "tramyte", State.UNDER_REVIEW),
    ("start_review", "plan", "submitted", "vanphong", "vhxh", State.UNDER_REVIEW),
    ("return", "unit_report", "under_review", "vhxh", "tramyte", State.RETURNED),
    ("return", "summary_report", "under_review", "vanphong", "pct", State.RETURNED),
    ("approve", "unit_report", "under_review", "vhxh", "vanphong", State.APPROVED),
    ("approve", "plan", "under_review", "vanphong", "pct", State.APPROVED),
    ("sign", "plan", "approved", "pct", "vanphong", State.SIGNED),
    ("sign", "summary_report", "approved", "pct", "vanthu", State.SIGNED),
    ("send_back", "plan", "approved", "pct", "vhxh", State.RETURNED),
    ("issue", "plan", "signed", "vanthu", "pct", State.ISSUED),
]
ROW_IDS = [f"{name}-{kind}" for name, kind, *_ in ROWS]


@pytest.mark.parametrize("name,kind,source,allowed,refused,target", ROWS, ids=ROW_IDS)
def test_allowed_role_fires_the_transition(name, kind, source, allowed, refused, target):
    document = document_in(kind, source)
    version = document.version
    actor = demo(allowed)
    assert name in available_transitions(document, actor)
    comment = "Cần sửa lại phần kết quả." if name in ("return", "send_back") else ""

    document = perform_transition(document.pk, actor, name, comment)

    assert document.state == target
    document.refresh_from_db()
    assert document.state == target
    entry = document.audit_entries.order_by("-id").first()
    assert (entry.transition, entry.source, entry.target) == (name, source, target)
    assert entry.actor == actor
    assert entry.comment == comment
    assert entry.version == version
    if name == "start_review":
        assert document.reviewer == actor
    if name == "sign":
        assert document.signer == actor
    if name == "submit":
        assert document.submitted_at is not None


@pytest.mark.parametrize("name,kind,source,allowed,refused,target", ROWS, ids=ROW_IDS)
def test_refused_role_gets_forbidden_with_a_reason(name, kind, source, allowed, refused, target):
    document = document_in(kind, source)
    entries = document.audit_entries.count()
    user = demo(refused)
    assert name not in available_transitions(document, user)

    with pytest.raises(Forbidden) as caught:
        perform_transition(document.pk, user, name, "Ý kiến.")

    assert caught.value.status == 403
    assert caught.value.detail.startswith("Chỉ ")  # names who may do it
    document.refresh_from_db()
    assert document.state == source
    assert document.audit_entries.count() == entries


def test_drafter_of_another_unit_does_not_even_see_the_report():
    document = fill_unit_report(new_unit_report("tramyte"))
    with pytest.raises(NotFound):
        perform_transition(document.pk, demo("kinhte"), "submit")
    with pytest.raises(NotFound):
        update_document(document.pk, demo("kinhte"), version=document.version, title="Của đơn vị khác")


def test_reviewer_of_unit_reports_cannot_review_commune_documents_and_vice_versa():
    report = document_in("unit_report", "submitted")
    plan_doc = document_in("plan", "submitted")
    with pytest.raises(Forbidden):
        perform_transition(report.pk, demo("vanphong"), "start_review")
    with pytest.raises(Forbidden):
        perform_transition(plan_doc.pk, demo("vhxh"), "start_review")


# --- wrong state -------------------------------------------------------------------------------

WRONG_STATE = [
    ("unit_report", "draft", "vhxh", "start_review"),
    ("unit_report", "draft", "vhxh", "approve"),
    ("unit_report", "submitted", "tramyte", "submit"),
    ("unit_report", "submitted", "vhxh", "approve"),
    ("unit_report", "under_review", "tramyte", "withdraw"),
    ("unit_report", "approved", "pct", "sign"),
    ("unit_report", "approved", "pct", "send_back"),
    ("unit_report", "approved", "vhxh", "return"),
    ("plan", "draft", "vanthu", "issue"),
    ("plan", "approved", "vanthu", "issue"),
    ("plan", "under_review", "pct", "sign"),
    ("plan", "signed", "pct", "send_back"),
]


@pytest.mark.parametrize("kind,state,username,name", WRONG_STATE, ids=[f"{n}-in-{s}-{k}" for k, s, _, n in WRONG_STATE])
def test_wrong_state_is_refused_with_409(kind, state, username, name):
    document = document_in(kind, state)
    entries = document.audit_entries.count()
    with pytest.raises(WrongState) as caught:
        perform_transition(document.pk, demo(username), name, "Ý kiến.")
    assert caught.value.status == 409
    assert caught.value.detail
    document.refresh_from_db()
    assert document.state == state
    assert document.audit_entries.count() == entries


def test_unit_report_does_not_go_to_the_signer():
    document = document_in("unit_report", "approved")
    with pytest.raises(WrongState) as caught:
        perform_transition(document.pk, demo("pct"), "sign")
    assert "không cần ký" in caught.value.detail
    assert available_transitions(document, demo("pct")) == []


def test_unknown_transition_is_not_found():
    document = new_unit_report()
    with pytest.raises(NotFound):
        perform_transition(document.pk, demo("tramyte"), "publish")


def test_expected_state_mismatch_is_a_conflict():
    document = document_in("unit_report", "submitted")
    with pytest.raises(Conflict):
        perform_transition(document.pk, demo("vhxh"), "start_review", expected_state=State.DRAFT)
    document.refresh_from_db()
    assert document.state == State.SUBMITTED


# --- comments ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,state,username,name", [
    ("unit_report", "under_review", "vhxh", "return"),
    ("plan", "under_review", "vanphong", "return"),
    ("plan", "approved", "pct", "send_back"),
])
@pytest.mark.parametrize("comment", ["", "   \n  ", "\x00\x07\u200b"])
def test_return_and_send_back_need_a_comment(kind, state, username, name, comment):
    document = document_in(kind, state)
    with pytest.raises(Invalid) as caught:
        perform_transition(document.pk, demo(username), name, comment)
    assert caught.value.status == 400
    assert "comment" in caught.value.errors
    document.refresh_from_db()
    assert document.state == state


def test_comment_is_stored_normalised_and_length_limited():
    document = document_in("unit_report", "under_review")
    decomposed = unicodedata.normalize("NFD", "Bổ sung minh chứng chỉ tiêu 3.2")
    document = perform_transition(document.pk, demo("vhxh"), "return", decomposed + "\x07")
    entry = document.audit_entries.get(transition="return")
    assert entry.comment == "Bổ sung minh chứng chỉ tiêu 3.2"
    assert unicodedata.is_normalized("NFC", entry.comment)

    other = document_in("plan", "under_review")
    with pytest.raises(Invalid) as caught:
        perform_transition(other.pk, demo("vanphong"), "return", "x" * (doc_content.MAX_COMMENT + 1))
    assert "comment" in caught.value.errors
    assert str(doc_content.MAX_COMMENT) in caught.value.errors["comment"][0]


# --- completeness on submit --------------------------------------------------------------------

def test_submit_of_an_incomplete_unit_report_names_every_missing_target_and_the_results():
    document = new_unit_report("kinhte")
    codes = [t.code for t in targets_for(document)]
    assert codes  # Phòng Kinh tế reports on several targets
    with pytest.raises(Invalid) as caught:
        perform_transition(document.pk, demo("kinhte"), "submit")
    errors = caught.value.errors
    assert caught.value.status == 400
    assert set(errors) == {f"values.{code}" for code in codes} | {"sections.results"}
    for code in codes:
        assert code in errors[f"values.{code}"][0]
    assert "Kết quả thực hiện" in errors["sections.results"][0]

    # Fill in all but one target: only that one is still named.
    first, *rest = targets_for(document)
    document = update_document(
        document.pk, demo("kinhte"), version=document.version, sections={"results": "Đã triển khai."},
        values=[{"code": t.code, "value": sample_value(t)} for t in rest],
    )
    with pytest.raises(Invalid) as caught:
        perform_transition(document.pk, demo("kinhte"), "submit")
    assert set(caught.value.errors) == {f"values.{first.code}"}
    document.refresh_from_db()
    assert document.state == State.DRAFT
    assert document.audit_entries.count() == 0


def test_submit_of_a_plan_without_its_required_sections_names_them():
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title="Kế hoạch còn trống")
    with pytest.raises(Invalid) as caught:
        perform_transition(document.pk, demo("vhxh"), "submit")
    required = {f"sections.{key}" for key, _, req in doc_content.SECTIONS["plan"] if req}
    assert set(caught.value.errors) == required


def test_submit_of_a_summary_report_needs_its_required_sections():
    document = create_document(demo("vhxh"), "summary_report", plan=the_plan(), period=period("2026-Y"))
    with pytest.raises(Invalid) as caught:
        perform_transition(document.pk, demo("vhxh"), "submit")
    assert set(caught.value.errors) == {"sections.results", "sections.shortcomings", "sections.next_tasks"}


# --- editing rules -----------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["draft", "returned"])
def test_author_edits_in_draft_and_returned(state):
    document = document_in("unit_report", state)
    version = document.version
    document = update_document(document.pk, demo("tramyte"), version=version, sections={"proposals": "Đề nghị hỗ trợ thiết bị."})
    assert document.version == version + 1
    assert document.content["sections"]["proposals"] == "Đề nghị hỗ trợ thiết bị."


@pytest.mark.parametrize("state", ["submitted", "under_review", "approved"])
def test_no_edits_once_submitted(state):
    document = document_in("unit_report", state)
    with pytest.raises(WrongState) as caught:
        update_document(document.pk, demo("tramyte"), version=document.version, title="Sửa sau khi trình")
    assert caught.value.status == 409
    document.refresh_from_db()
    assert document.title != "Sửa sau khi trình"


@pytest.mark.parametrize("username", ["vhxh", "pct", "vanthu"])
def test_only_the_authoring_unit_edits(username):
    document = new_unit_report("tramyte")
    with pytest.raises(Forbidden) as caught:
        update_document(document.pk, demo(username), version=document.version, title="Người khác sửa")
    assert caught.value.status == 403
    document.refresh_from_db()
    assert document.version == 1


def test_clerk_of_the_office_does_not_edit_the_plan():
    document = new_plan_document()
    with pytest.raises(Forbidden):
        update_document(document.pk, demo("vanthu"), version=document.version, title="Văn thư sửa")
    with pytest.raises(Forbidden):
        update_document(document.pk, demo("vanphong"), version=document.version, title="Văn phòng sửa")


def test_only_own_unit_creates_unit_reports_and_coordinator_creates_commune_documents():
    with pytest.raises(Forbidden):
        create_document(demo("tramyte"), "unit_report", plan=the_plan(), period=period(), unit=demo("kinhte").unit)
    with pytest.raises(Forbidden):
        create_document(demo("tramyte"), "plan", plan=the_plan())
    with pytest.raises(Forbidden):
        create_document(demo("vanphong"), "summary_report", plan=the_plan(), period=period())
    new_unit_report("tramyte")
    with pytest.raises(Conflict):
        new_unit_report("tramyte")


# --- whole paths -------------------------------------------------------------------------------

def audit_rows(document):
    return [
        (e.transition, e.source, e.target, e.actor.username, e.comment, e.version)
        for e in document.audit_entries.select_related("actor").order_by("at", "id")
    ]


def test_unit_report_full_path_with_a_return():
    document = new_unit_report("tramyte")
    document = fill_unit_report(document)  # v2
    document = run(document, ("tramyte", "submit"), ("vhxh", "start_review"), ("vhxh", "return", RETURN_COMMENT))
    assert document.state == State.RETURNED
    document = update_document(document.pk, demo("tramyte"), version=2, sections={"results": "Đã bổ sung minh chứng."})  # v3
    document = run(document, ("tramyte", "submit"), ("vhxh", "start_review"), ("vhxh", "approve"))

    assert document.state == State.APPROVED
    assert document.version == 3
    assert audit_rows(document) == [
        ("submit", "draft", "submitted", "tramyte", "", 2),
        ("start_review", "submitted", "under_review", "vhxh", "", 2),
        ("return", "under_review", "returned", "vhxh", RETURN_COMMENT, 2),
        ("submit", "returned", "submitted", "tramyte", "", 3),
        ("start_review", "submitted", "under_review", "vhxh", "", 3),
        ("approve", "under_review", "approved", "vhxh", "", 3),
    ]
    assert document.reviewer.username == "vhxh"
    # Approved is final for a unit report: nobody has anything left to do.
    for username in ("tramyte", "vhxh", "vanphong", "pct", "vanthu", "admin"):
        assert available_transitions(document, demo(username)) == []


def test_plan_full_path_with_send_back_then_issue():
    document = Document.objects.get(plan=the_plan(), kind="plan")
    document = fill_required_sections(document)
    version = document.version
    document = run(
        document,
        ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"),
        ("pct", "send_back", "Bổ sung phần phân công cho các xóm."),
    )
    assert document.state == State.RETURNED
    document = update_document(document.pk, demo("vhxh"), version=version, sections={"assignments": "Phân công cụ thể cho 12 xóm."})
    document = run(
        document,
        ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue"),
    )

    assert document.state == State.ISSUED
    assert [row[:4] for row in audit_rows(document)] == [
        ("submit", "draft", "submitted", "vhxh"),
        ("start_review", "submitted", "under_review", "vanphong"),
        ("approve", "under_review", "approved", "vanphong"),
        ("send_back", "approved", "returned", "pct"),
        ("submit", "returned", "submitted", "vhxh"),
        ("start_review", "submitted", "under_review", "vanphong"),
        ("approve", "under_review", "approved", "vanphong"),
        ("sign", "approved", "signed", "pct"),
        ("issue", "signed", "issued", "vanthu"),
    ]
    document.refresh_from_db()
    assert document.signer.username == "pct"
    assert document.number == 1
    assert document.number_label == "01/KH-UBND"
    assert document.issued_on == timezone.localdate()
    entry = document.register_entry
    assert (entry.number, entry.symbol, entry.signer_name) == (1, "01/KH-UBND", "Đào Hồng Thanh")
    assert document.issued_file.sha256


def test_summary_report_full_path_to_issue_takes_the_next_shared_number():
    run(signed_plan_document("Kế hoạch ban hành trước"), ("vanthu", "issue"))
    document = new_summary_report("2026-H1")
    document = run(document, *COMMUNE_STEPS["signed"], ("vanthu", "issue"))
    assert document.state == State.ISSUED
    assert document.number_label == "02/BC-UBND"


# --- versions ----------------------------------------------------------------------------------

def test_each_save_makes_a_new_numbered_version():
    document = new_unit_report("kinhte")
    assert document.version == 1
    user = demo("kinhte")
    document = update_document(document.pk, user, version=1, title="Báo cáo 6 tháng của Phòng Kinh tế")
    document = update_document(document.pk, user, version=2, sections={"results": "Dòng một.\nDòng hai."})
    document = update_document(document.pk, user, version=3, values=[{"code": "3.3", "value": "45,25", "note": "Chợ Diễn Châu"}])
    assert document.version == 4
    versions = list(DocumentVersion.objects.filter(document=document).order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3, 4]
    assert versions[1].title == "Báo cáo 6 tháng của Phòng Kinh tế"
    assert versions[2].content["sections"]["results"] == "Dòng một.\nDòng hai."
    assert versions[3].content["values"]["3.3"] == {"value": 45.25, "note": "Chợ Diễn Châu", "evidence": ""}
    assert all(v.created_by == user for v in versions)

    # Saving the same content again is not a new version.
    document = update_document(document.pk, user, version=4, title="Báo cáo 6 tháng của Phòng Kinh tế")
    assert document.version == 4
    assert DocumentVersion.objects.filter(document=document).count() == 4


def test_stale_version_is_a_conflict_and_overwrites_nothing():
    document = new_unit_report("tramyte")
    first = update_document(document.pk, demo("tramyte"), version=1, sections={"results": "Bản của người thứ nhất."})
    with pytest.raises(Conflict) as caught:
        update_document(document.pk, demo("tramyte"), version=1, sections={"results": "Bản của người thứ hai."})
    assert caught.value.status == 409
    assert "phiên bản 2" in caught.value.detail
    document.refresh_from_db()
    assert document.version == first.version == 2
    assert document.content["sections"]["results"] == "Bản của người thứ nhất."
    assert DocumentVersion.objects.filter(document=document).count() == 2


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_version_must_be_an_integer(version):
    document = new_unit_report("tramyte")
    with pytest.raises(Invalid) as caught:
        update_document(document.pk, demo("tramyte"), version=version, title="Tiêu đề mới")
    assert "version" in caught.value.errors


# --- input cleaning ----------------------------------------------------------------------------

def test_text_is_nfc_normalised_and_stripped_of_control_characters():
    document = new_unit_report("kinhte")
    decomposed_title = unicodedata.normalize("NFD", "Báo cáo kết quả thi đua của Phòng Kinh tế")
    results = unicodedata.normalize("NFD", "Kết quả\r\nđạt được\x00\x1b tốt\u200b.")
    document = update_document(
        document.pk, demo("kinhte"), version=1,
        title="  " + decomposed_title + "\x07\n",
        sections={"results": results},
        values={"3.3": {"value": 40, "note": unicodedata.normalize("NFD", "Chợ Hạ\x0c")}},
        initiatives=[{"name": unicodedata.normalize("NFD", "Chợ không dùng tiền mặt\x00"), "kind": "Chợ không dùng tiền mặt"}],
    )
    document.refresh_from_db()
    assert document.title == "Báo cáo kết quả thi đua của Phòng Kinh tế"
    assert document.content["sections"]["results"] == "Kết quả\nđạt được tốt."
    assert document.content["values"]["3.3"]["note"] == "Chợ Hạ"
    assert document.content["initiatives"][0]["name"] == "Chợ không dùng tiền mặt"
    for text in (document.title, document.content["sections"]["results"], document.content["values"]["3.3"]["note"]):
        assert unicodedata.is_normalized("NFC", text)


@pytest.mark.parametrize("field,kwargs,limit", [
    ("title", {"title": "a" * (doc_content.MAX_TITLE + 1)}, doc_content.MAX_TITLE),
    ("sections.results", {"sections": {"results": "b" * (doc_content.MAX_SECTION + 1)}}, doc_content.MAX_SECTION),
    ("values.3.3.note", {"values": {"3.3": {"value": 10, "note": "c" * (doc_content.MAX_NOTE + 1)}}}, doc_content.MAX_NOTE),
    ("values.3.3.evidence", {"values": {"3.3": {"value": 10, "evidence": "d" * (doc_content.MAX_EVIDENCE + 1)}}}, doc_content.MAX_EVIDENCE),
])
def test_length_limits_have_clear_messages(field, kwargs, limit):
    document = new_unit_report("kinhte")
    with pytest.raises(Invalid) as caught:
        update_document(document.pk, demo("kinhte"), version=1, **kwargs)
    assert caught.value.status == 400
    message = caught.value.errors[field][0]
    assert str(limit) in message and "vượt quá" in message
    document.refresh_from_db()
    assert document.version == 1


@pytest.mark.parametrize("values,field", [
    ({"3.3": {"value": 100.5}}, "values.3.3"),
    ({"3.3": {"value": "96,555"}}, "values.3.3"),
    ({"3.3": {"value": "nhiều"}}, "values.3.3"),
    ({"3.1": {"value": -1}}, "values.3.1"),
    ({"3.1": {"value": 1.5}}, "values.3.1"),
    ({"4.3": {"value": "có lẽ"}}, "values.4.3"),
    ({"9.9": {"value": 1}}, "values.9.9"),
    ({"2.2": {"value": 90}}, "values.2.2"),  # Văn phòng's target, not Phòng Kinh tế's
])
def test_invalid_values_name_the_target(values, field):
    document = new_unit_report("kinhte")
    with pytest.raises(Invalid) as caught:
        update_document(document.pk, demo("kinhte"), version=1, values=values)
    assert field in caught.value.errors
    document.refresh_from_db()
    assert document.content.get("values") == {}


def test_unknown_section_and_empty_title_are_refused():
    document = new_unit_report("kinhte")
    with pytest.raises(Invalid) as caught:
        update_document(document.pk, demo("kinhte"), version=1, sections={"purposes": "Không thuộc báo cáo."})
    assert "sections.purposes" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        update_document(document.pk, demo("kinhte"), version=1, title=" \x00 ")
    assert "title" in caught.value.errors


# --- the audit trail is append-only ------------------------------------------------------------

def test_audit_entries_cannot_be_edited_or_deleted():
    document = document_in("unit_report", "returned")
    entry = document.audit_entries.get(transition="return")
    entry.comment = "Sửa lại ý kiến"
    with pytest.raises(DocumentIsFrozen):
        entry.save()
    with pytest.raises(DocumentIsFrozen):
        entry.delete()
    with pytest.raises(DocumentIsFrozen):
        AuditEntry.objects.filter(document=document).update(comment="")
    with pytest.raises(DocumentIsFrozen):
        AuditEntry.objects.filter(document=document).delete()
    assert AuditEntry.objects.get(pk=entry.pk).comment == RETURN_COMMENT
    assert document.audit_entries.count() == 3


def test_versions_cannot_be_edited_or_deleted():
    document = fill_unit_report(new_unit_report())
    version = document.versions.get(number=1)
    version.title = "Sửa lịch sử"
    with pytest.raises(DocumentIsFrozen):
        version.save()
    with pytest.raises(DocumentIsFrozen):
        version.delete()
    with pytest.raises(DocumentIsFrozen):
        DocumentVersion.objects.filter(document=document).update(title="")
    with pytest.raises(DocumentIsFrozen):
        DocumentVersion.objects.filter(document=document).delete()
    assert document.versions.count() == 2


# --- issued documents never change -------------------------------------------------------------

@pytest.fixture
def issued_plan():
    return run(signed_plan_document("Kế hoạch đã ban hành"), ("vanthu", "issue"))


def test_issued_document_refuses_service_changes(issued_plan):
    with pytest.raises(WrongState):
        update_document(issued_plan.pk, demo("vhxh"), version=issued_plan.version, title="Sửa sau ban hành")
    for username, name in [("vanthu", "issue"), ("pct", "send_back"), ("vhxh", "submit"), ("vanphong", "return")]:
        with pytest.raises((WrongState, Forbidden)):
            perform_transition(issued_plan.pk, demo(username), name, "Ý kiến")
    issued_plan.refresh_from_db()
    assert issued_plan.state == State.ISSUED
    assert issued_plan.title == "Kế hoạch đã ban hành"
    assert issued_plan.audit_entries.count() == 5


def test_issued_document_refuses_model_save_queryset_update_and_delete(issued_plan):
    issued_plan.title = "Sửa trực tiếp"
    with pytest.raises(DocumentIsFrozen):
        issued_plan.save()
    assert Document.objects.filter(pk=issued_plan.pk).update(title="Sửa hàng loạt", number=99) == 0
    with pytest.raises(DocumentIsFrozen):
        Document.objects.get(pk=issued_plan.pk).delete()
    with pytest.raises(DocumentIsFrozen):
        Document.objects.filter(pk=issued_plan.pk).delete()
    fresh = Document.objects.get(pk=issued_plan.pk)
    assert (fresh.title, fresh.number, fresh.state) == ("Kế hoạch đã ban hành", 1, State.ISSUED)


def test_queryset_update_still_works_for_documents_in_progress(issued_plan):
    draft = new_plan_document("Dự thảo khác")
    updated = Document.objects.filter(pk__in=[draft.pk, issued_plan.pk]).update(title="Tiêu đề hàng loạt")
    assert updated == 1
    assert Document.objects.get(pk=draft.pk).title == "Tiêu đề hàng loạt"
    assert Document.objects.get(pk=issued_plan.pk).title == "Kế hoạch đã ban hành"


def test_title_given_on_creation_is_cleaned_too():
    decomposed = unicodedata.normalize("NFD", "Kế hoạch tuyên truyền chuyển đổi số\x07")
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title=decomposed)
    assert document.title == "Kế hoạch tuyên truyền chuyển đổi số"
    assert document.versions.get(number=1).title == document.title
    with pytest.raises(Invalid) as caught:
        create_document(demo("vhxh"), "plan", plan=another_plan(), title="k" * (doc_content.MAX_TITLE + 1))
    assert "title" in caught.value.errors


@pytest.mark.django_db
def test_a_plan_has_exactly_one_plan_document():
    with pytest.raises(Conflict, match="đã có văn bản kế hoạch"):
        create_document(demo("vhxh"), "plan", plan=the_plan())
    assert Document.objects.filter(kind="plan").count() == 1
