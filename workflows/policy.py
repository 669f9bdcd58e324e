"""Who may do what to a document. The one place this rule lives.

Roles are held by people (accounts.Role); the reviewing and authoring units are found by their
function in the commune (organizations.Unit.Function), never by name, so any commune works.

Four eyes: nobody reviews, returns, approves, signs or sends back a document they authored, that
is created, saved a version of, or submitted (`own_work`). A blank draft the coordinator creates
for another unit when opening a round does not make the coordinator its author. The reviewing
unit's own report (Phòng VH-XH's unit report) is reviewed by another reviewer of that unit who did
not author it; when it has none, by the reviewers of the office (Văn phòng HĐND-UBND).
"""
from django.apps import apps
from django.db.models import Q

from accounts.models import Role, User
from organizations.models import Unit

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

# Who reviews the reviewing unit's own report when that unit has no reviewer left who did not author it.
FALLBACK_REVIEWER_FUNCTION = "office"

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
# Transitions nobody may fire on a document they authored (four eyes).
FOUR_EYES = frozenset({"start_review", "return", "approve", "sign", "send_back"})
TRANSITION_LABELS = {name: label for name, (_, label, _) in TRANSITIONS.items()}
TRANSITION_LABELS["create"] = "Tạo văn bản"
TRANSITION_LABELS["edit"] = "Sửa nội dung"

# Office events written to the audit trail that change no state (workflows.handling, rounds.services).
OFFICE_EVENTS = {
    "hand_over": "Chuyển xử lý",
    "consult": "Xin ý kiến phối hợp",
    "consult_answer": "Trả lời ý kiến phối hợp",
    "instruct": "Ý kiến chỉ đạo",
    "urge": "Đôn đốc",
}
TRANSITION_LABELS.update(OFFICE_EVENTS)

# Who holds each waiting step, and the transition that stands for "may act on that step".
STEP_ACTOR = {"submitted": "reviewer", "under_review": "reviewer", "approved": "signer", "signed": "clerk"}
STEP_TRANSITION = {"reviewer": "start_review", "signer": "sign", "clerk": "issue"}

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
    """A reviewer of the unit that reviews this kind, or of the office for that unit's own report when
    nobody there may review it (four eyes). Authorship itself is checked by `may`."""
    unit = getattr(user, "unit", None)
    if not (user.is_authenticated and user.has_role(Role.REVIEWER) and unit is not None and unit.commune_id == document.commune_id):
        return False
    if unit.function == REVIEWER_FUNCTION[document.kind]:
        return True
    return bool(
        unit.function == FALLBACK_REVIEWER_FUNCTION
        and is_reviewing_units_own(document)
        # Whoever took it for review finishes it, even if the unit has gained a reviewer meanwhile.
        and (document.reviewer_id == user.pk or not free_unit_reviewers(document))
    )


def is_signer(user, document):
    # Only for their own commune: an account of no commune signs for none (tenancy, below).
    return bool(user.is_authenticated and user.has_role(Role.SIGNER) and user.home_commune_id == document.commune_id)


def is_clerk(user, document):
    return bool(user.is_authenticated and user.has_role(Role.CLERK) and user.home_commune_id == document.commune_id)


ACTOR_CHECKS = {"author": is_author, "reviewer": is_reviewer, "signer": is_signer, "clerk": is_clerk}


def reviewed_kinds(user):
    """The kinds of document this user's unit reviews (empty when the unit reviews none)."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is None:
        return []
    return [kind for kind, function in REVIEWER_FUNCTION.items() if function == unit.function]


def review_scope(user):
    """A filter for the documents this reviewer may have to review: the kinds their unit reviews and,
    for the office, the reviewing units' own reports. Lists narrow it further with `may` (four eyes)."""
    unit = getattr(user, "unit", None) if getattr(user, "unit_id", None) else None
    if unit is None:
        return Q(pk__in=[])
    scope = Q(kind__in=reviewed_kinds(user))
    if unit.function == FALLBACK_REVIEWER_FUNCTION:
        for kind, function in REVIEWER_FUNCTION.items():
            if function != FALLBACK_REVIEWER_FUNCTION:
                scope |= Q(kind=kind, unit__function=function)
    return scope & Q(commune_id=unit.commune_id)


# --- four eyes ---------------------------------------------------------------------------

class FourEyes:
    """Who authored a document and who reviews for its unit; attached to the document by `load_four_eyes`."""

    __slots__ = ("authors", "unit_reviewers")

    def __init__(self, authors, unit_reviewers):
        self.authors = frozenset(authors)
        self.unit_reviewers = frozenset(unit_reviewers)


def _opened_for_another_unit(document, creator_unit_id):
    # open_round makes every unit's blank draft on the coordinator's behalf: not authoring.
    return document.kind == UNIT_REPORT and creator_unit_id != document.unit_id


def load_four_eyes(documents, within=None):
    """Attach authorship to each document in three queries, whatever their number.

    Authors: the creator, everyone who saved a version, everyone who submitted it. `within`, the
    queryset the documents came from, is used as a subquery when there is no document, so that a
    list page runs the same queries whether it shows no document or a hundred; otherwise the
    documents' own ids are (a list's whole query, compiled three times over and run again inside
    each of the three, costs more than the page's rows).
    """
    # workflows.models imports this module for its transitions' permissions, so the models are
    # taken from Django's app registry rather than imported back.
    AuditEntry = apps.get_model("workflows", "AuditEntry")
    DocumentVersion = apps.get_model("workflows", "DocumentVersion")
    documents = list(documents)
    by_pk = {d.pk: d for d in documents}
    if within is not None and not documents:
        ids, unit_ids = within.order_by().values("pk"), within.order_by().values("unit_id")
    else:
        ids, unit_ids = list(by_pk), list({d.unit_id for d in documents})
    authors = {pk: set() for pk in by_pk}
    exempt = {pk: set() for pk in by_pk}
    versions = DocumentVersion.objects.filter(document_id__in=ids, created_by__isnull=False).values_list(
        "document_id", "created_by_id", "created_by__unit_id", "number"
    )
    for document_id, user_id, user_unit_id, number in versions:
        if document_id not in by_pk:
            continue
        if number == 1 and _opened_for_another_unit(by_pk[document_id], user_unit_id):
            exempt[document_id].add(user_id)
        else:
            authors[document_id].add(user_id)
    submits = AuditEntry.objects.filter(document_id__in=ids, transition="submit").values_list("document_id", "actor_id")
    for document_id, user_id in submits:
        if document_id in authors:
            authors[document_id].add(user_id)
    reviewers = {}
    people = User.objects.filter(
        is_active=True, unit_id__in=unit_ids, unit__function__in=set(REVIEWER_FUNCTION.values())
    ).values_list("pk", "unit_id", "roles")
    for user_id, unit_id, roles in people:
        if Role.REVIEWER in (roles or []):
            reviewers.setdefault(unit_id, set()).add(user_id)
    for pk, document in by_pk.items():
        if document.created_by_id and document.created_by_id not in exempt[pk]:
            authors[pk].add(document.created_by_id)
        document._four_eyes = FourEyes(authors[pk], reviewers.get(document.unit_id, ()))
    return documents


def four_eyes(document):
    if getattr(document, "_four_eyes", None) is None:
        load_four_eyes([document])
    return document._four_eyes


def forget_four_eyes(document):
    """Call after writing a version or a submit: the authors may have changed."""
    document._four_eyes = None


def own_work(user, document):
    """Four eyes: this user created the document, saved a version of it or submitted it."""
    return bool(user.is_authenticated and user.pk in four_eyes(document).authors)


def is_reviewing_units_own(document):
    """A document of the very unit that reviews its kind (e.g. Phòng VH-XH's own unit report)."""
    function = REVIEWER_FUNCTION[document.kind]
    return function != FALLBACK_REVIEWER_FUNCTION and document.unit.function == function


def free_unit_reviewers(document):
    """The reviewers of the document's unit who did not author it."""
    info = four_eyes(document)
    return info.unit_reviewers - info.authors


def may(user, name, document):
    """The one check behind the FSM permissions, the services, the buttons and the API."""
    actor = TRANSITIONS[name][0]
    if not ACTOR_CHECKS[actor](user, document):
        return False
    if assigned_elsewhere(user, document, actor):
        return False
    return name not in FOUR_EYES or not own_work(user, document)


def assigned_elsewhere(user, document, actor):
    """Chuyển xử lý: the step of `actor` was handed to someone else, who alone acts on it now."""
    return bool(document.assignee_id and document.assignee_role == actor and document.assignee_id != user.pk)


def step_actor(document):
    """The role whose action the document waits for (None when it waits for its author or nobody)."""
    actor = STEP_ACTOR.get(document.state)
    if actor == "signer" and document.kind not in SIGNED_KINDS:
        return None  # a unit report ends at «Đã duyệt»
    return actor


def holds_step(user, document):
    """Whether this user may act on the step the document waits for (and so may hand it over)."""
    actor = step_actor(document)
    return bool(actor and may(user, STEP_TRANSITION[actor], document))


def may_hand_over(user, document):
    return holds_step(user, document)


def may_consult(user, document):
    """Phối hợp: a reviewer of the document (not its author) asks another unit for its opinion."""
    return bool(is_reviewer(user, document) and not own_work(user, document))


def may_instruct(user, document):
    """Ý kiến chỉ đạo (bút phê): the Chủ tịch / Phó Chủ tịch, on any document they may see."""
    return bool(is_signer(user, document) and may_view(user, document))


def may_answer(user, consultation):
    """The staff of the unit asked for an opinion answer it."""
    return bool(user.is_authenticated and user.is_active and user.unit_id and user.unit_id == consultation.unit_id)


def permission_name(name):
    """The Django permission of a transition: "workflows.approve_document" (workflows.backends)."""
    return f"workflows.{name}_document"


def can(name):
    """Permission callable for django-fsm's @transition(permission=...): asks the user's has_perm,
    which workflows.backends answers with `may`, the same question the views and the API ask."""
    perm = permission_name(name)

    def check(instance, user):
        return user.has_perm(perm, instance)

    check.__name__ = f"can_{name}"
    return check


def needs_signature(instance):
    return instance.kind in SIGNED_KINDS


def may_go_back_from(instance):
    """`send_back` from «Đã ký»: only a summary report, whose figures can go out of date between
    signing and issue (a unit report approved meanwhile); it must then be compiled again."""
    return instance.state != "signed" or instance.kind == SUMMARY_REPORT


def four_eyes_refusal(user, name, document):
    """The reason when `user` holds the role for `name` but authored the document (None otherwise)."""
    actor = TRANSITIONS[name][0]
    if name not in FOUR_EYES or not ACTOR_CHECKS[actor](user, document) or not own_work(user, document):
        return None
    verb = "thẩm định" if actor == "reviewer" else "ký duyệt"
    return (
        f"Bạn đã soạn/trình văn bản này nên không thể tự {verb} (nguyên tắc bốn mắt). "
        f"Văn bản cần được {_who_instead(actor, document)} xử lý."
    )


def refusal_reason(name, document, user=None):
    """Why `user` may not fire `name` on `document`, in Vietnamese, saying who should act instead."""
    reason = four_eyes_refusal(user, name, document) if user is not None else None
    if not reason and user is not None and assigned_elsewhere(user, document, TRANSITIONS[name][0]):
        reason = f"Văn bản đã được chuyển cho {document.assignee} xử lý; chỉ người này thực hiện được thao tác «{TRANSITION_LABELS[name]}»."
    return reason or f"Chỉ {ACTOR_DESCRIPTIONS[TRANSITIONS[name][0]]} mới được thực hiện thao tác «{TRANSITION_LABELS[name]}»."


def _who_instead(actor, document):
    if actor != "reviewer":
        return "một lãnh đạo UBND khác (Chủ tịch, Phó Chủ tịch)"
    if is_reviewing_units_own(document) and not free_unit_reviewers(document):
        office = Unit.objects.filter(commune_id=document.commune_id, function=FALLBACK_REVIEWER_FUNCTION, active=True).order_by("order").first()
        return f"người thẩm định của {office.name if office else 'Văn phòng'}"
    unit = Unit.objects.filter(commune_id=document.commune_id, function=REVIEWER_FUNCTION[document.kind], active=True).order_by("order").first()
    return f"một người thẩm định khác của {unit.name if unit else 'đơn vị thẩm định'}"


# --- tenancy: each commune is its own tenant -----------------------------------------------
#
# Every read is limited to the communes a person may read (accounts.User.readable_commune_ids): their
# own commune, plus the communes given to a province-level officer in `supervised_communes`. A
# superuser (the technical administrator of the installation) reads every commune. Anything outside
# answers 404, never 403, so that nobody learns what exists in another commune.

WHOLE_COMMUNE_ROLES = (Role.REVIEWER, Role.SIGNER, Role.CLERK, Role.ADMIN)


def readable_communes(user):
    """The ids of the communes this user may read; None means every commune (superuser only)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return user.readable_commune_ids()


def in_tenant(user, commune_id):
    """Whether a commune's data is readable by this user at all."""
    communes = readable_communes(user)
    return communes is None or commune_id in communes


def sees_whole_commune(user):
    """Reviewers, signers, the clerk and administrators see every document of their own commune;
    unit staff see their unit's."""
    return bool(user.is_authenticated and any(user.has_role(r) for r in WHOLE_COMMUNE_ROLES))


def may_view(user, document):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if user.unit_id is not None and user.unit_id == document.unit_id:
        return True
    if sees_whole_commune(user) and user.home_commune_id == document.commune_id:
        return True
    if user.unit_id is not None and document.commune_id == user.home_commune_id:
        # A unit asked for its opinion (phối hợp) reads the document it was asked about.
        Consultation = apps.get_model("workflows", "Consultation")
        if Consultation.objects.filter(document_id=document.pk, unit_id=user.unit_id).exists():
            return True
    # A province-level officer reads the communes they supervise (never acts there).
    return document.commune_id in readable_communes(user) and document.commune_id != user.home_commune_id


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
    """Narrow a Document queryset to what this user may see (the same rule as `may_view`).

    For everyone but a province officer the filter is one equality (the commune, or the unit), so a
    list is read along the index that starts with it (workflows.models.Document.Meta.indexes)."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    home = user.home_commune_id
    whole = sees_whole_commune(user) and home
    supervised = sorted(set(readable_communes(user)) - {home})
    wanted = Q(pk__in=[])
    if whole:
        wanted |= Q(commune_id=home)
    if user.unit_id is not None and not (whole and user.unit.commune_id == home):
        wanted |= Q(unit_id=user.unit_id)
        # The documents the unit was asked an opinion on (phối hợp), in its own commune.
        Consultation = apps.get_model("workflows", "Consultation")
        wanted |= Q(commune_id=home, pk__in=Consultation.objects.filter(unit_id=user.unit_id).values("document_id"))
    if supervised:
        wanted |= Q(commune_id__in=supervised)
    return queryset.filter(wanted)
