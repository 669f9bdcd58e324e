"""Four eyes (issue 9, section 3): nobody reviews, returns, approves, signs or sends back a document
they created, saved a version of or submitted.

In the demo data `vhxh` is the only reviewer of Phòng Văn hóa – Xã hội, the unit that reviews unit
reports; its own report therefore goes to the reviewers of Văn phòng HĐND-UBND (`vanphong`), or to
another reviewer of Phòng VH-XH who did not write it when there is one. Checked through the
services, the REST API, the web pages, the queues and the review reminders.
"""
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, User
from rounds.evaluation import evaluate_year
from rounds.models import Notification
from tests.helpers.web import client_for
from workflows import queries
from workflows.errors import Forbidden
from workflows.models import AuditEntry, Document, State
from workflows.services import available_transitions, perform_transition, update_document

from tests.helpers.api import assert_error, login
from tests.helpers.workflow import demo, fill, opened, submit, the_plan

pytestmark = pytest.mark.django_db

OFFICE = "Văn phòng HĐND-UBND"
REVIEW_ACTIONS = {"start_review", "return", "approve"}


def own_report_submitted(code="2026-H1"):
    """vhxh opens the round, fills Phòng VH-XH's own report and submits it (as in the demo)."""
    return submit(opened(code), "vhxh")


def second_reviewer(username="vhxh-2", roles=(Role.REVIEWER,)):
    vhxh = demo("vhxh")
    return User.objects.create(
        username=username, full_name="Lê Thị Hoa", unit=vhxh.unit, commune=vhxh.commune, roles=[str(r) for r in roles],
        email=f"{username}@example.invalid",
    )


def web_client(user):
    client = Client()
    client.force_login(user)
    return client


def fresh(document):
    return Document.objects.select_related("unit").get(pk=document.pk)


# --- the rule through the service ------------------------------------------------------------

def test_the_author_may_not_take_their_own_report_for_review():
    document = own_report_submitted()
    with pytest.raises(Forbidden) as refused:
        perform_transition(document.pk, demo("vhxh"), "start_review")
    assert refused.value.status == 403
    reason = refused.value.detail
    assert "Bạn đã soạn/trình văn bản này nên không thể tự thẩm định (nguyên tắc bốn mắt)." in reason
    assert f"người thẩm định của {OFFICE}" in reason
    document = fresh(document)
    assert document.state == State.SUBMITTED and document.reviewer_id is None
    assert not AuditEntry.objects.filter(document=document, transition="start_review").exists()


def test_the_author_may_neither_approve_nor_return_what_someone_else_took_for_review():
    document = own_report_submitted()
    perform_transition(document.pk, demo("vanphong"), "start_review")
    for name, comment in (("approve", ""), ("return", "Tự trả lại.")):
        with pytest.raises(Forbidden) as refused:
            perform_transition(document.pk, demo("vhxh"), name, comment)
        assert "nguyên tắc bốn mắt" in refused.value.detail
    assert fresh(document).state == State.UNDER_REVIEW


def test_the_office_reviews_the_reviewing_units_own_report_and_the_approval_counts():
    document = own_report_submitted()
    vanphong = demo("vanphong")
    assert set(available_transitions(fresh(document), vanphong)) == {"start_review"}
    perform_transition(document.pk, vanphong, "start_review")
    assert set(available_transitions(fresh(document), vanphong)) == {"return", "approve"}
    approved = perform_transition(document.pk, vanphong, "approve")
    assert approved.state == State.APPROVED and approved.reviewer == vanphong
    row = next(r for r in evaluate_year(the_plan(), 2026) if r.unit_code == "vhxh")
    assert row.reports_approved == 1 and row.targets_judged > 0


def test_the_office_may_still_not_review_other_units_reports():
    document = submit(opened(), "tramyte")
    with pytest.raises(Forbidden) as refused:
        perform_transition(document.pk, demo("vanphong"), "start_review")
    assert "người thẩm định của đơn vị được giao thẩm định" in refused.value.detail
    # Opening the round (vhxh created every unit's blank draft) does not make vhxh their author.
    assert perform_transition(document.pk, demo("vhxh"), "start_review").state == State.UNDER_REVIEW


def test_another_reviewer_of_the_unit_who_did_not_write_it_reviews_and_the_office_does_not():
    colleague = second_reviewer()
    document = own_report_submitted()
    with pytest.raises(Forbidden) as refused:
        perform_transition(document.pk, demo("vhxh"), "start_review")
    assert "một người thẩm định khác của Phòng Văn hóa – Xã hội" in refused.value.detail
    assert available_transitions(fresh(document), demo("vanphong")) == []
    with pytest.raises(Forbidden):
        perform_transition(document.pk, demo("vanphong"), "start_review")
    perform_transition(document.pk, colleague, "start_review")
    assert perform_transition(document.pk, colleague, "approve").state == State.APPROVED


def test_a_reviewer_who_saved_a_version_is_an_author_too():
    colleague = second_reviewer(roles=(Role.DRAFTER, Role.REVIEWER))
    h1 = opened()
    document = fill(h1, "vhxh")
    update_document(document.pk, colleague, version=document.version, sections={"results": "Bổ sung kết quả."})
    perform_transition(document.pk, demo("vhxh"), "submit")
    for person in (demo("vhxh"), colleague):
        with pytest.raises(Forbidden) as refused:
            perform_transition(document.pk, person, "start_review")
        assert f"người thẩm định của {OFFICE}" in refused.value.detail
    assert perform_transition(document.pk, demo("vanphong"), "start_review").state == State.UNDER_REVIEW


def test_the_available_transitions_hide_review_steps_from_the_author():
    document = fresh(own_report_submitted())
    vhxh = demo("vhxh")
    assert available_transitions(document, vhxh) == ["withdraw"]
    fsm_names = {t.name for t in document.get_available_user_state_transitions(vhxh)}
    assert not fsm_names & {"start_review", "return_", "approve"}
    assert "start_review" in {t.name for t in document.get_available_user_state_transitions(demo("vanphong"))}


# --- the REST API ---------------------------------------------------------------------------

def test_api_refuses_self_review_with_403_and_the_reason():
    document = own_report_submitted()
    vhxh = login("vhxh")
    assert vhxh.get(f"/documents/{document.pk}").json()["allowed_transitions"] == ["withdraw"]
    body = assert_error(vhxh.transition(document.pk, "start_review"), 403)
    assert "nguyên tắc bốn mắt" in body["detail"] and OFFICE in body["detail"]
    assert fresh(document).state == State.SUBMITTED
    vanphong = login("vanphong")
    assert vanphong.get(f"/documents/{document.pk}").json()["allowed_transitions"] == ["start_review"]
    assert vanphong.transition(document.pk, "start_review").json()["state"] == "under_review"


# --- the web application ----------------------------------------------------------------------

def test_web_hides_the_buttons_says_why_and_refuses_a_forged_post():
    document = own_report_submitted()
    vhxh = client_for("vhxh")
    page = vhxh.get(f"/tham-dinh/{document.pk}/").content.decode()
    assert 'data-action="start_review"' not in page
    assert "nguyên tắc bốn mắt" in page and OFFICE in page
    response = vhxh.post(f"/van-ban/{document.pk}/thao-tac/", {"transition": "start_review", "expected_state": "submitted"})
    assert response.status_code == 403
    assert "Bạn đã soạn/trình văn bản này nên không thể tự thẩm định" in response.content.decode()
    assert fresh(document).state == State.SUBMITTED
    page = client_for("vanphong").get(f"/tham-dinh/{document.pk}/").content.decode()
    assert 'data-action="start_review"' in page and "nguyên tắc bốn mắt" not in page


def test_queues_and_inbox_send_the_report_to_the_office_not_to_its_author():
    document = own_report_submitted()
    other = submit(opened(), "tramyte")
    review = f"/tham-dinh/{document.pk}/"
    vhxh, vanphong = client_for("vhxh"), client_for("vanphong")
    assert review not in vhxh.get("/tham-dinh/").content.decode()
    assert review not in vhxh.get("/van-ban/").content.decode()
    assert f"/tham-dinh/{other.pk}/" in vhxh.get("/tham-dinh/").content.decode()
    assert review in vanphong.get("/tham-dinh/").content.decode()
    assert review in vanphong.get("/van-ban/").content.decode()
    assert f"/tham-dinh/{other.pk}/" not in vanphong.get("/tham-dinh/").content.decode()
    # Once the office took it, it waits for the office reviewer who took it.
    perform_transition(document.pk, demo("vanphong"), "start_review")
    assert review in vanphong.get("/van-ban/").content.decode()
    assert [d.pk for d in queries.waiting_for(demo("vhxh")) if d.pk == document.pk] == []


def test_with_a_second_reviewer_the_queue_is_theirs_not_the_offices():
    colleague = second_reviewer()
    document = own_report_submitted()
    review = f"/tham-dinh/{document.pk}/"
    assert review in web_client(colleague).get("/tham-dinh/").content.decode()
    assert review in web_client(colleague).get("/van-ban/").content.decode()
    assert review not in client_for("vanphong").get("/tham-dinh/").content.decode()
    assert review not in client_for("vhxh").get("/tham-dinh/").content.decode()


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_office_lists_run_a_constant_number_of_queries():
    vanphong = client_for("vanphong")
    opened("2026-H1")
    before = {url: _count(vanphong, url) for url in ("/tham-dinh/", "/van-ban/")}
    for code in ("2026-H1", "2026-Y", "2027-H1"):
        own_report_submitted(code)
    for url, n in before.items():
        assert _count(vanphong, url) == n, url
    assert len(queries.for_review(demo("vanphong"))) == 3


# --- the signer -------------------------------------------------------------------------------

def test_a_signer_who_wrote_the_plan_may_neither_sign_nor_send_it_back():
    vhxh = demo("vhxh")
    leader = User.objects.create(
        username="pct-soan", full_name="Nguyễn Văn Bình", unit=vhxh.unit, commune=vhxh.commune,
        roles=[Role.DRAFTER, Role.SIGNER],
    )
    plan = Document.objects.get(kind="plan")
    update_document(plan.pk, leader, version=plan.version, title="Kế hoạch thực hiện phong trào thi đua (dự thảo của lãnh đạo)")
    perform_transition(plan.pk, leader, "submit")
    perform_transition(plan.pk, demo("vanphong"), "start_review")
    perform_transition(plan.pk, demo("vanphong"), "approve")
    assert available_transitions(fresh(plan), leader) == []
    assert {t.name for t in fresh(plan).get_available_user_state_transitions(leader)} == set()
    for name, comment in (("sign", ""), ("send_back", "Sửa lại.")):
        with pytest.raises(Forbidden) as refused:
            perform_transition(plan.pk, leader, name, comment)
        assert "không thể tự ký duyệt (nguyên tắc bốn mắt)" in refused.value.detail
        assert "một lãnh đạo UBND khác" in refused.value.detail
    assert plan.pk not in [d.pk for d in queries.for_signing(leader)]
    assert plan.pk not in [d.pk for d in queries.waiting_for(leader)]
    page = web_client(leader).get(f"/ky-duyet/{plan.pk}/").content.decode()
    assert 'data-action="sign"' not in page and "nguyên tắc bốn mắt" in page
    assert plan.pk in [d.pk for d in queries.for_signing(demo("pct"))]
    assert perform_transition(plan.pk, demo("pct"), "sign").state == State.SIGNED


# --- review reminders -----------------------------------------------------------------------

def _reminded():
    return sorted(a for m in mail.outbox if m.subject.startswith("Nhắc thẩm định") for a in m.to)


def test_a_waiting_own_report_reminds_the_office_not_its_author(clock):
    clock.set(2026, 6, 1, 8, 0)
    document = own_report_submitted()
    clock.set(2026, 6, 4, 8, 0)
    call_command("send_reminders", stdout=io.StringIO())
    assert _reminded() == ["vanphong@example.invalid"]
    assert Notification.objects.filter(document=document, kind="review_pending", user=demo("vanphong")).exists()
    assert not Notification.objects.filter(document=document, kind="review_pending", user=demo("vhxh")).exists()


def test_with_a_second_reviewer_the_reminder_goes_to_them(clock):
    clock.set(2026, 6, 1, 8, 0)
    second_reviewer()
    own_report_submitted()
    clock.set(2026, 6, 4, 8, 0)
    call_command("send_reminders", stdout=io.StringIO())
    assert _reminded() == ["vhxh-2@example.invalid"]


# --- tenancy: each commune its own ----------------------------------------------------------------

def test_roles_act_and_read_in_their_own_commune_only():
    from organizations.models import Commune
    from tests.helpers.tenants import second_commune
    from tests.helpers.workflow import COMMUNE_STEPS, new_summary_report, run
    from workflows import policy
    from workflows.errors import NotFound

    opened("2026-H1")
    summary = run(new_summary_report(), *COMMUNE_STEPS["approved"])
    second_commune()
    other_signer, other_clerk = demo("b-pct"), demo("b-vanthu")
    assert not policy.may_view(other_signer, summary) and not policy.may(other_signer, "sign", summary)
    assert not policy.is_clerk(other_clerk, summary)
    with pytest.raises(NotFound):  # 404, never 403: the document's existence is not told
        perform_transition(summary.pk, other_signer, "sign")
    # A signer of no commune signs for none (before, a missing commune meant every commune).
    nowhere = User.objects.create(username="ky-khong-xa", roles=[Role.SIGNER])
    assert not policy.may(nowhere, "sign", summary) and not policy.may_view(nowhere, summary)
    assert not queries.documents_for(nowhere).exists()
    # Supervision is reading only.
    officer = demo("b-tinh")
    officer.supervised_communes.add(Commune.objects.get(code="dien-chau"))
    officer = demo("b-tinh")
    assert policy.may_view(officer, summary) and not policy.may(officer, "sign", summary)
    assert summary.pk in set(queries.documents_for(officer).values_list("pk", flat=True))
    # The superuser, technical administrator, reads every commune but holds no workflow role by it.
    root = User.objects.create(username="goc", is_superuser=True, is_staff=True)
    assert policy.may_view(root, summary) and not policy.may(root, "sign", summary)
    assert queries.documents_for(root).filter(commune__code="dien-hoang").exists()
    assert perform_transition(summary.pk, demo("pct"), "sign").state == "signed"
