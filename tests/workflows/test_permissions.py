"""workflows.policy through Django's has_perm (workflows.backends.PolicyBackend): the admin, the
views, the API and django-fsm ask the same question and get the same answer, four eyes included."""
import pytest
from django.conf import settings
from django_fsm import has_transition_perm

from workflows import policy
from workflows.models import Document

from tests.helpers.api import assert_error, login
from tests.helpers.web import client_for
from tests.helpers.workflow import demo, fill, opened, report_of, run, submit, the_plan_document

pytestmark = pytest.mark.django_db

USERS = ["tramyte", "vhxh", "vanphong", "pct", "vanthu", "admin", "kinhte"]


def test_the_policy_backend_is_registered_after_the_login_throttle():
    backends = settings.AUTHENTICATION_BACKENDS
    assert backends[0] == "accounts.throttle.ThrottleBackend"
    assert backends[-1] == "workflows.backends.PolicyBackend"


def _documents(clock):
    clock.set(2026, 6, 10, 8, 0)
    h1 = opened("2026-H1")
    return {
        "draft": fill(h1, "tramyte"),
        "submitted": submit(h1, "kinhte"),
        "own_report": submit(h1, "vhxh"),  # Phòng VH-XH's own report: vhxh may not review it
        "plan_approved": run(the_plan_document(), ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve")),
    }


def test_has_perm_gives_the_policy_answer_for_every_transition_user_and_document(clock):
    documents = _documents(clock)
    checked = 0
    for username in USERS:
        user = demo(username)
        for document in documents.values():
            document = Document.objects.select_related("unit").get(pk=document.pk)
            for name in policy.TRANSITIONS:
                assert user.has_perm(f"workflows.{name}_document", document) == policy.may(user, name, document), (username, name)
                checked += 1
            assert user.has_perm("workflows.view_document", document) == policy.may_view(user, document)
            assert user.has_perm("workflows.change_document", document) == policy.may_edit(user, document)
    assert checked == len(USERS) * len(documents) * len(policy.TRANSITIONS)


def test_four_eyes_through_has_perm_django_fsm_and_the_api(clock):
    documents = _documents(clock)
    own = Document.objects.get(pk=documents["own_report"].pk)
    vhxh, vanphong = demo("vhxh"), demo("vanphong")
    assert not vhxh.has_perm("workflows.start_review_document", own)
    assert vanphong.has_perm("workflows.start_review_document", own)
    assert has_transition_perm(own.start_review, vanphong) and not has_transition_perm(own.start_review, vhxh)
    body = assert_error(login("vhxh").transition(own.pk, "start_review"), 403)
    assert "nguyên tắc bốn mắt" in body["detail"] and "Văn phòng" in body["detail"]
    page = client_for("vhxh").post(f"/van-ban/{own.pk}/thao-tac/", {"transition": "start_review"})
    assert page.status_code == 403 and "nguyên tắc bốn mắt" in page.content.decode()
    other = Document.objects.get(pk=documents["submitted"].pk)
    assert vhxh.has_perm("workflows.start_review_document", other)
    assert login("vhxh").transition(other.pk, "start_review").status_code == 200


def test_an_administrator_holds_no_workflow_role_by_being_one(clock):
    documents = _documents(clock)
    admin = demo("admin")
    assert admin.is_superuser
    plan = documents["plan_approved"]
    assert not admin.has_perm("workflows.sign_document", plan) and not admin.has_perm("workflows.approve_document", plan)
    assert admin.has_perm("workflows.view_document", plan)  # a superuser reads every commune (policy.may_view)
    assert admin.has_perm("workflows.view_document") and admin.has_perm("workflows.change_document")  # the admin's model permissions
    assert demo("pct").has_perm("workflows.sign_document", plan)


def test_an_inactive_account_and_a_permission_without_a_document_get_nothing(clock):
    documents = _documents(clock)
    draft = documents["draft"]
    tramyte = demo("tramyte")
    assert tramyte.has_perm("workflows.submit_document", draft)
    assert not tramyte.has_perm("workflows.submit_document")  # no document, no answer
    assert not tramyte.has_perm("workflows.unknown_document", draft)
    tramyte.is_active = False
    tramyte.save(update_fields=["is_active"])
    assert not demo("tramyte").has_perm("workflows.submit_document", draft)


def test_the_page_offers_exactly_the_permitted_actions(clock):
    documents = _documents(clock)
    own = documents["own_report"]
    assert 'value="start_review"' not in client_for("vhxh").get(f"/van-ban/{own.pk}/").content.decode()
    assert 'value="start_review"' in client_for("vanphong").get(f"/van-ban/{own.pk}/").content.decode()
    draft = report_of(own.period, "tramyte")
    assert f"/van-ban/{draft.pk}/sua/" in client_for("tramyte").get(f"/van-ban/{draft.pk}/").content.decode()
    assert client_for("kinhte").get(f"/van-ban/{draft.pk}/sua/").status_code == 404  # not even seen
    refused = client_for("vhxh").get(f"/van-ban/{draft.pk}/sua/")  # seen, not theirs to edit
    assert refused.status_code == 403 and "Chỉ cán bộ soạn thảo của đơn vị soạn thảo" in refused.content.decode()
