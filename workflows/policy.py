"""Who may do what to a document. The one place this rule lives.

Roles are held by people (accounts.Role); the reviewing and authoring units are found by their
function in the commune (organizations.Unit.Function), never by name, so any commune works.
"""
from accounts.models import Role

PLAN = "plan"
UNIT_REPORT = "unit_report"
SUMMARY_REPORT = "summary_report"

# Kinds that go to the signer after approval; a unit report ends at `approved`.
SIGNED_KINDS = frozenset({PLAN, SUMMARY_REPORT})

# The unit function whose reviewers review each kind.
REVIEWER_FUNCTION = {
    UNIT_REPORT: "coordinator",
    PLAN: "office",
    SUMMARY_REPORT: "office",
}

# transition -> (actor, label shown on buttons, comment required)
TRANSITIONS = {
    "submit": ("author", "Trình", False),
    "withdraw": ("author", "Rút lại", False),
    "start_review": ("reviewer", "Nhận thẩm định", False),
    "return": ("reviewer", "Trả lại", True),
    "approve": ("reviewer", "Duyệt", False),
    "sign": ("signer", "Ký ban hành", False),
    "send_back": ("signer", "Trả lại để sửa", True),
    "issue": ("clerk", "Cấp số và phát hành", False),
}
TRANSITION_LABELS = {name: label for name, (_, label, _) in TRANSITIONS.items()}
TRANSITION_LABELS["create"] = "Tạo văn bản"
TRANSITION_LABELS["edit"] = "Sửa nội dung"

# The Python method behind each public transition name (`return` is a keyword).
METHOD_NAMES = {name: ("return_" if name == "return" else name) for name in TRANSITIONS}

ACTOR_DESCRIPTIONS = {
    "author": "cán bộ của đơn vị soạn thảo",
    "reviewer": "người thẩm định của đơn vị được giao thẩm định",
    "signer": "lãnh đạo UBND (Chủ tịch, Phó Chủ tịch)",
    "clerk": "văn thư",
}


def is_author(user, document):
    return bool(
        user.is_authenticated
        and user.has_role(Role.DRAFTER)
        and user.unit_id is not None
        and user.unit_id == document.unit_id
    )


def is_reviewer(user, document):
    unit = getattr(user, "unit", None)
    return bool(
        user.is_authenticated
        and user.has_role(Role.REVIEWER)
        and unit is not None
        and unit.commune_id == document.commune_id
        and unit.function == REVIEWER_FUNCTION[document.kind]
    )


def is_signer(user, document):
    return bool(user.is_authenticated and user.has_role(Role.SIGNER) and user.commune_id in (None, document.commune_id))


def is_clerk(user, document):
    return bool(user.is_authenticated and user.has_role(Role.CLERK) and user.commune_id in (None, document.commune_id))


ACTOR_CHECKS = {"author": is_author, "reviewer": is_reviewer, "signer": is_signer, "clerk": is_clerk}


def reviewed_kinds(user):
    """The kinds of document this user's unit reviews (empty when the unit reviews none)."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is None:
        return []
    return [kind for kind, function in REVIEWER_FUNCTION.items() if function == unit.function]


def may(user, name, document):
    actor = TRANSITIONS[name][0]
    return ACTOR_CHECKS[actor](user, document)


def can(name):
    """Permission callable for django-fsm's @transition(permission=...)."""

    def check(instance, user):
        return may(user, name, instance)

    check.__name__ = f"can_{name}"
    return check


def needs_signature(instance):
    return instance.kind in SIGNED_KINDS


def refusal_reason(name, document):
    return f"Chỉ {ACTOR_DESCRIPTIONS[TRANSITIONS[name][0]]} mới được thực hiện thao tác «{TRANSITION_LABELS[name]}»."


def sees_all(user):
    """Reviewers, signers, the clerk and administrators see every document; units see their own."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or any(user.has_role(r) for r in (Role.REVIEWER, Role.SIGNER, Role.CLERK, Role.ADMIN)))
    )


def may_view(user, document):
    return sees_all(user) or (user.is_authenticated and user.unit_id == document.unit_id)


def may_edit(user, document):
    return is_author(user, document)


def may_create(user, kind, unit):
    """Units create their own reports; the coordinator creates the plan and the summary report."""
    if not (user.is_authenticated and user.has_role(Role.DRAFTER) and user.unit_id):
        return False
    if kind == UNIT_REPORT:
        return user.unit_id == unit.pk
    return user.unit.function == "coordinator" and user.unit_id == unit.pk


def visible_documents(user, queryset):
    """Narrow a Document queryset to what this user may see."""
    if sees_all(user):
        return queryset
    if not user.is_authenticated or user.unit_id is None:
        return queryset.none()
    return queryset.filter(unit_id=user.unit_id)
