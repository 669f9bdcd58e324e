"""Handling a document the way a commune office does, beside its lifecycle (no state changes):

- Chuyển xử lý (`hand_over`): whoever holds the waiting step (policy.holds_step) hands it to a named
  colleague with the same role in the same unit, with a note. The colleague becomes the document's
  `assignee` for that step: only they act on it now (policy.assigned_elsewhere); for a document under
  review they also become its reviewer. The assignment ends when the step does (services.perform_transition).
- Phối hợp (`request_consultation`, `answer_consultation`): a reviewer asks another unit for its
  opinion by a deadline; that unit's staff see the document and answer once, in text and optionally
  a file checked like evidence.
- Ý kiến chỉ đạo (`give_instruction`): the Chủ tịch / Phó Chủ tịch writes an instruction on any
  document they may see; the author and the reviewer are told and see it at the top of the page.

Each function runs in one transaction with the document row locked, checks the policy, writes an
audit entry (who, when, to whom, why) and, after the commit, fires workflows.signals.document_handled
so that the rounds app notifies the people concerned.
"""
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from organizations.models import Unit

from . import content as doc_content
from . import policy, signals
from .attachments import check_upload
from .errors import Conflict, Forbidden, Invalid, NotFound, WrongState
from .models import AuditEntry, Consultation, Document, State
from .services import lock_document

MAX_NOTE = doc_content.MAX_COMMENT
# Phối hợp is asked while the reviewer has the document in hand.
CONSULT_STATES = (State.SUBMITTED, State.UNDER_REVIEW)
ROLE_OF_ACTOR = {"reviewer": Role.REVIEWER, "signer": Role.SIGNER, "clerk": Role.CLERK}


def _locked_visible(document_id, user):
    document = lock_document(document_id)
    if not policy.may_view(user, document):
        raise NotFound("Không tìm thấy văn bản.")
    return document


def _audit(document, user, event, comment="", **extra):
    return AuditEntry.objects.create(
        document=document,
        transition=event,
        source=document.state,
        target=document.state,
        actor=user,
        comment=comment,
        version=document.version,
        **extra,
    )


def _notify_after_commit(entry, user_ids, message):
    """After the commit, tell `user_ids` of the office event recorded by audit `entry` (the rounds
    layer delivers it: in the application, and by e-mail to those who want it)."""
    user_ids = sorted({uid for uid in user_ids if uid})
    if user_ids:
        document_id, event, entry_id = entry.document_id, entry.transition, entry.pk
        transaction.on_commit(
            lambda: signals.document_handled.send(
                sender=Document, document_id=document_id, event=event, user_ids=user_ids, message=message, entry_id=entry_id
            )
        )


def _name(user):
    return user.full_name or user.username


# --- chuyển xử lý ----------------------------------------------------------------------------

def hand_over_candidates(document, user):
    """The colleagues this user may hand the document's waiting step to: active, same unit (or, for
    people of no unit such as the Chủ tịch, the same commune), same role, allowed to act on the step
    (four eyes: not its authors). Empty when the user does not hold the step."""
    actor = policy.step_actor(document)
    if actor is None or not policy.holds_step(user, document):
        return []
    people = User.objects.filter(is_active=True, unit_id=user.unit_id).exclude(pk=user.pk).select_related("unit")
    if user.unit_id is None:
        people = people.filter(commune_id=user.commune_id)
    role = ROLE_OF_ACTOR[actor]
    transition = policy.STEP_TRANSITION[actor]
    found = []
    for person in people.order_by("full_name", "username"):
        if not person.has_role(role):
            continue
        # As if the step were theirs: the current assignment is exactly what the hand-over changes.
        if _may_take(person, document, transition):
            found.append(person)
    return found


def _may_take(person, document, transition):
    saved = document.assignee_id, document.assignee_role
    document.assignee_id, document.assignee_role = None, ""
    try:
        return policy.may(person, transition, document)
    finally:
        document.assignee_id, document.assignee_role = saved


@transaction.atomic
def hand_over(document_id, user, to_user_id, note="", *, expected_assignee=None):
    """Chuyển xử lý: give the waiting step to `to_user_id`. Returns the document.

    expected_assignee: the assignee id the caller saw (0 or None for nobody); when someone handed the
    document on meanwhile the answer is 409 instead of acting on a stale page."""
    note = doc_content.clean_text(note or "", "note", MAX_NOTE).strip()
    document = _locked_visible(document_id, user)
    actor = policy.step_actor(document)
    if actor is None:
        raise WrongState(f"Văn bản đang ở trạng thái «{document.get_state_display()}», không có bước xử lý nào để chuyển.")
    if expected_assignee is not None and (document.assignee_id or 0) != (expected_assignee or 0):
        raise Conflict(f"Văn bản vừa được chuyển cho {document.assignee or 'người khác'} xử lý. Hãy tải lại trang.")
    if not policy.holds_step(user, document):
        if policy.assigned_elsewhere(user, document, actor):
            raise Conflict(f"Văn bản đã được chuyển cho {document.assignee} xử lý; chỉ người này chuyển tiếp được.")
        raise Forbidden("Chỉ người đang giữ bước xử lý của văn bản mới được chuyển xử lý.")
    if not note:
        raise Invalid("Cần ghi nội dung chuyển xử lý.", {"note": ["Ghi lý do hoặc yêu cầu khi chuyển cho đồng nghiệp."]})
    candidates = {p.pk: p for p in hand_over_candidates(document, user)}
    try:
        to_user_id = int(to_user_id)
    except (TypeError, ValueError):
        to_user_id = None
    recipient = candidates.get(to_user_id)
    if recipient is None:
        raise Invalid(
            "Người nhận không hợp lệ.",
            {"to": ["Chọn một đồng nghiệp cùng đơn vị, cùng vai trò, được xử lý văn bản này (không phải người soạn thảo)."]},
        )
    document.assignee = recipient
    document.assignee_role = actor
    document.assigned_at = timezone.now()
    if document.state == State.UNDER_REVIEW:
        document.reviewer = recipient  # the colleague finishes the review
    document.save()
    entry = _audit(document, user, "hand_over", note, recipient=recipient)
    _notify_after_commit(
        entry,
        [recipient.pk],
        f"{_name(user)} chuyển cho bạn xử lý văn bản «{document.title}»: {note}",
    )
    return document


# --- phối hợp --------------------------------------------------------------------------------

def _parse_deadline(value):
    """A date, "dd/mm/yyyy" (as officials write it, the page's field) or "yyyy-mm-dd" (the API)."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@transaction.atomic
def request_consultation(document_id, user, unit_code, question, deadline):
    """Xin ý kiến phối hợp of another unit by `deadline` (a date, or "YYYY-MM-DD")."""
    question = doc_content.clean_text(question or "", "question", doc_content.MAX_COMMENT).strip()
    document = _locked_visible(document_id, user)
    if not policy.may_consult(user, document):
        raise Forbidden("Chỉ người thẩm định văn bản (không phải người soạn thảo) mới được xin ý kiến phối hợp.")
    if document.state not in CONSULT_STATES:
        raise WrongState(f"Chỉ xin ý kiến phối hợp khi văn bản đang chờ hoặc đang thẩm định (hiện: «{document.get_state_display()}»).")
    errors = {}
    unit = Unit.objects.filter(commune_id=document.commune_id, code=(unit_code or "").strip(), active=True).first()
    if unit is None:
        errors["unit"] = ["Chọn đơn vị được hỏi ý kiến."]
    elif unit.pk in (document.unit_id, user.unit_id):
        errors["unit"] = ["Chọn một đơn vị khác với đơn vị soạn thảo và đơn vị của bạn."]
    if not question:
        errors["question"] = ["Nhập nội dung cần xin ý kiến."]
    day = _parse_deadline(deadline)
    if day is None:
        errors["deadline"] = ["Nhập hạn trả lời (ngày/tháng/năm)."]
    elif day < timezone.localdate():
        errors["deadline"] = ["Hạn trả lời không được trước hôm nay."]
    if errors:
        raise Invalid("Thông tin xin ý kiến chưa hợp lệ.", errors)
    if Consultation.objects.filter(document=document, unit=unit, answered_at__isnull=True).exists():
        raise Conflict(f"Đã xin ý kiến {unit.name} về văn bản này và đang chờ trả lời.")
    consultation = Consultation.objects.create(document=document, unit=unit, question=question, deadline=day, requested_by=user)
    entry = _audit(document, user, "consult", f"Xin ý kiến {unit.name} (hạn {day:%d/%m/%Y}): {question}", recipient_unit=unit)
    staff = User.objects.filter(unit=unit, is_active=True).values_list("pk", flat=True)
    _notify_after_commit(
        entry,
        list(staff),
        f"{_name(user)} xin ý kiến {unit.name} về văn bản «{document.title}», hạn trả lời {day:%d/%m/%Y}.",
    )
    return consultation


@transaction.atomic
def answer_consultation(consultation_id, user, answer, uploaded=None):
    """The asked unit answers once; the file, if any, is checked like evidence (type, content, size)."""
    try:
        consultation = Consultation.objects.select_related("unit", "requested_by").get(pk=consultation_id)
    except (Consultation.DoesNotExist, ValueError, TypeError):
        raise NotFound("Không tìm thấy yêu cầu xin ý kiến.") from None
    document = _locked_visible(consultation.document_id, user)
    consultation = Consultation.objects.select_for_update(of=("self",)).select_related("unit", "requested_by").get(pk=consultation.pk)
    if not policy.may_answer(user, consultation):
        raise Forbidden(f"Chỉ cán bộ của {consultation.unit.name} mới trả lời được yêu cầu này.")
    if consultation.answered:
        raise Conflict(f"{consultation.unit.name} đã trả lời yêu cầu này lúc {timezone.localtime(consultation.answered_at):%H:%M %d/%m/%Y}.")
    answer = doc_content.clean_text(answer or "", "answer", doc_content.MAX_COMMENT).strip()
    if not answer:
        raise Invalid("Cần nhập ý kiến trả lời.", {"answer": ["Nhập ý kiến của đơn vị."]})
    if uploaded is not None:
        name, content_type = check_upload(uploaded)
        consultation.file.save(name, uploaded, save=False)
        consultation.file_name, consultation.file_type, consultation.file_size = name, content_type, uploaded.size
    consultation.answer = answer
    consultation.answered_by = user
    consultation.answered_at = timezone.now()
    consultation.save()
    entry = _audit(document, user, "consult_answer", f"{consultation.unit.name} trả lời: {answer}", recipient_unit=consultation.unit)
    _notify_after_commit(
        entry,
        [consultation.requested_by_id],
        f"{consultation.unit.name} đã trả lời ý kiến phối hợp về văn bản «{document.title}».",
    )
    return consultation


# --- ý kiến chỉ đạo --------------------------------------------------------------------------

@transaction.atomic
def give_instruction(document_id, user, text):
    """Ý kiến chỉ đạo / bút phê of the Chủ tịch or Phó Chủ tịch; told to the authors and the reviewer."""
    text = doc_content.clean_text(text or "", "text", doc_content.MAX_COMMENT).strip()
    document = _locked_visible(document_id, user)
    if not policy.may_instruct(user, document):
        raise Forbidden("Chỉ lãnh đạo UBND (Chủ tịch, Phó Chủ tịch) mới ghi ý kiến chỉ đạo.")
    if not text:
        raise Invalid("Cần nhập nội dung chỉ đạo.", {"text": ["Nhập ý kiến chỉ đạo."]})
    entry = _audit(document, user, "instruct", text)
    told = set(policy.four_eyes(document).authors) | {document.reviewer_id, document.assignee_id}
    told.discard(user.pk)
    _notify_after_commit(entry, told, f"{_name(user)} có ý kiến chỉ đạo về văn bản «{document.title}»: {text}")
    return entry


# --- reads -----------------------------------------------------------------------------------

def instructions(document):
    """The instructions on a document, newest first (a query: pages slice it in the database)."""
    return document.audit_entries.filter(transition="instruct").select_related("actor").order_by("-at", "-id")


def consultations(document):
    """The consultations of a document, in the order asked (a query: pages slice it in the database)."""
    return document.consultations.select_related("unit", "requested_by", "answered_by").order_by("requested_at", "id")


def open_consultations_for(user):
    """Requests waiting for this user's unit to answer, oldest deadline first (one query)."""
    if not (user.is_authenticated and user.unit_id):
        return []
    return list(
        Consultation.objects.filter(unit_id=user.unit_id, answered_at__isnull=True)
        .select_related("document", "requested_by", "unit")
        .order_by("deadline", "id")
    )
