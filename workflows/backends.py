"""workflows.policy as Django permissions: `user.has_perm("workflows.approve_document", document)`.

Registered in settings.AUTHENTICATION_BACKENDS after django-axes' gate and the ModelBackend, so the
admin, the views, the templates' presenters, the API and django-fsm's transition permissions ask
one question and get the policy's answer. It authenticates nobody.

Object permissions (a document given):
- `workflows.<transition>_document` for every transition of policy.TRANSITIONS (submit, withdraw,
  start_review, return, approve, sign, send_back, issue): policy.may, four eyes included;
- `workflows.view_document`: policy.may_view;
- `workflows.change_document`: policy.may_edit, the author's unit; whether the document can still
  change is its state (Document.is_editable: 409, not 403), which callers check beside it.
- `workflows.hand_over_document` (chuyển xử lý: who holds the waiting step), `workflows.consult_document`
  (phối hợp: a reviewer), `workflows.instruct_document` (ý kiến chỉ đạo: the Chủ tịch / Phó Chủ tịch).
They say who may, not whether the document's state allows it now: that is the state machine's
(django-fsm, a 409 when it does not). Without a document these names mean nothing here (the ModelBackend answers the admin's model
permissions). Why a transition is refused is told by policy.refusal_reason.
"""
from django.contrib.auth.backends import BaseBackend

from . import policy

APP = "workflows"
TRANSITION_PERMISSIONS = {policy.permission_name(name): name for name in policy.TRANSITIONS}


OTHER_PERMISSIONS = {
    f"{APP}.view_document": policy.may_view,
    f"{APP}.change_document": policy.may_edit,
    # Office handling (workflows.handling): chuyển xử lý, phối hợp, ý kiến chỉ đạo.
    f"{APP}.hand_over_document": policy.may_hand_over,
    f"{APP}.consult_document": policy.may_consult,
    f"{APP}.instruct_document": policy.may_instruct,
}


class PolicyBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if obj is None or not getattr(user_obj, "is_active", False):
            return False
        if perm in TRANSITION_PERMISSIONS:
            return policy.may(user_obj, TRANSITION_PERMISSIONS[perm], obj)
        check = OTHER_PERMISSIONS.get(perm)
        return bool(check and check(user_obj, obj))
