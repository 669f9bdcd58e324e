"""Service functions: the only way documents are created, edited and moved through their lifecycle.

Each function runs in one transaction, locks the document row, checks who may act (policy) and
in which state (the FSM), and records what happened (versions, audit entries).

Issuing numbers the document and stores its file, but this layer knows nothing of registers or
Word files: before the `issue` transaction it fires workflows.signals.document_issue_preparing
(the documents app renders the final file there, with no lock held), then document_numbering
and document_issued inside it, and the documents app does that work in its receivers
(documents.issuing explains why this keeps the register gapless).
"""
import logging

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from plans.models import Target
from plans.plan_text import plan_sections

from . import content as doc_content
from . import policy, signals
from .errors import Conflict, Forbidden, Invalid, NotFound, Unavailable, WorkflowError, WrongState
from .models import EDITABLE_STATES, AuditEntry, Document, DocumentVersion, Kind

logger = logging.getLogger(__name__)


def targets_for(document):
    """The targets a unit report must give values for (none for other kinds)."""
    if document.kind != Kind.UNIT_REPORT:
        return []
    return list(Target.objects.filter(plan_id=document.plan_id, reporting_units=document.unit_id).order_by("order"))


def default_title(kind, unit, period, plan):
    if kind == Kind.UNIT_REPORT:
        return f"Kết quả thực hiện phong trào thi đua {period.name.lower()} của {unit.name}"
    if kind == Kind.SUMMARY_REPORT:
        return f"Kết quả thực hiện phong trào thi đua {period.name.lower()} trên địa bàn {plan.commune.short_name.replace('UBND ', '')}"
    return plan.title


def lock_document(document_id):
    """The document row, locked until the transaction ends (NotFound if there is none)."""
    try:
        # Lock only the document row: PostgreSQL refuses FOR UPDATE on the nullable side of the
        # period join, and locking the shared commune/plan rows would serialise unrelated documents.
        return Document.objects.select_for_update(of=("self",)).select_related("unit", "period", "plan", "commune").get(pk=document_id)
    except Document.DoesNotExist:
        raise NotFound("Không tìm thấy văn bản.") from None


def record_version(document, user):
    """Keep the document's current content as its version `document.version` (never edited)."""
    DocumentVersion.objects.create(
        document=document, number=document.version, title=document.title, content=document.content, created_by=user
    )
    policy.forget_four_eyes(document)


def record_versions(documents, user):
    """record_version for documents just written in bulk (Document.objects.bulk_create), in one
    insert: each gets its version `document.version` as it stands."""
    DocumentVersion.objects.bulk_create(
        [DocumentVersion(document=d, number=d.version, title=d.title, content=d.content, created_by=user) for d in documents]
    )
    for document in documents:
        policy.forget_four_eyes(document)


def save_new_version(document, user):
    """Persist changed content of a locked, editable document as its next numbered version."""
    document.version += 1
    document.save()
    record_version(document, user)
    return document


def ensure_plan_document(plan, user=None):
    """The plan itself becomes a `plan` document in draft, authored by the coordinating unit (idempotent)."""
    document = Document.objects.filter(plan=plan, kind=Kind.PLAN).first()
    if document is not None:
        return document
    document = Document.objects.create(
        kind=Kind.PLAN,
        commune=plan.commune,
        plan=plan,
        unit=plan.coordinator,
        title=plan.title,
        content=doc_content.PlanContent(sections=plan_sections(plan)).dump(),
        created_by=user,
    )
    record_version(document, user)
    return document


@transaction.atomic
def create_document(user, kind, *, plan, period=None, unit=None, title=None, content=None):
    """Create a draft. A unit report belongs to the caller's unit; the plan and summary report to the
    coordinator. `content`, when given, is the kind's content model (workflows.content)."""
    if kind not in Kind.values:
        raise Invalid("Loại văn bản không hợp lệ.", {"kind": [f"Chọn một trong: {', '.join(Kind.values)}."]})
    if kind in (Kind.UNIT_REPORT, Kind.SUMMARY_REPORT) and period is None:
        raise Invalid("Thiếu kỳ báo cáo.", {"period": ["Báo cáo phải gắn với một kỳ báo cáo."]})
    if period is not None and period.plan_id != plan.pk:
        raise Invalid("Kỳ báo cáo không thuộc kế hoạch.", {"period": ["Kỳ báo cáo không thuộc kế hoạch này."]})
    if unit is None:
        unit = user.unit if kind == Kind.UNIT_REPORT else plan.coordinator
    if unit is None:
        raise Forbidden("Tài khoản chưa thuộc đơn vị nào nên không thể tạo báo cáo.")
    if unit.commune_id != plan.commune_id or user.home_commune_id != plan.commune_id:
        # Another commune's plan: not found, as every read of another tenant (workflows.policy).
        raise NotFound("Không tìm thấy kế hoạch hoặc kỳ báo cáo.")
    if not policy.may_create(user, kind, unit):
        if kind == Kind.UNIT_REPORT:
            raise Forbidden("Chỉ cán bộ soạn thảo của đơn vị mới được tạo báo cáo của đơn vị mình.")
        raise Forbidden(f"Chỉ cán bộ soạn thảo của {plan.coordinator.name} mới được tạo {Kind(kind).label.lower()}.")
    if title:
        title = doc_content.clean_text(title, "title", doc_content.MAX_TITLE, multiline=False)
    if content is None:
        content = doc_content.empty(kind)
    if content.kind != kind:
        raise ValueError(f"{content.kind} content given to a {kind} document")
    document = Document(
        kind=kind,
        commune=plan.commune,
        plan=plan,
        period=period,
        unit=unit,
        title=title or default_title(kind, unit, period, plan),
        content=content.dump(),
        created_by=user,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        if kind == Kind.PLAN:
            raise Conflict("Kế hoạch này đã có văn bản kế hoạch.") from None
        what = "báo cáo cho kỳ này" if kind == Kind.UNIT_REPORT else f"{Kind(kind).label.lower()} cho kỳ này"
        raise Conflict(f"Đơn vị đã có {what}.") from None
    record_version(document, user)
    return document


@transaction.atomic
def update_document(document_id, user, *, version, title=None, sections=None, values=None, initiatives=None):
    """Save new content as the next version. `version` is the version the user edited.

    Only what is given (not None) changes: sections are replaced key by key, values target by
    target, the list of initiatives as a whole. The kind's content model validates each part.
    """
    document = lock_document(document_id)
    if not policy.may_view(user, document):
        raise NotFound("Không tìm thấy văn bản.")
    if not policy.may_edit(user, document):
        raise Forbidden("Chỉ cán bộ soạn thảo của đơn vị soạn thảo mới được sửa văn bản này.")
    if document.state not in EDITABLE_STATES:
        raise WrongState(f"Văn bản đang ở trạng thái «{document.get_state_display()}», không thể sửa.")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Invalid("Thiếu số phiên bản.", {"version": ["Gửi kèm số phiên bản đang sửa."]})
    if version != document.version:
        raise Conflict(
            f"Văn bản đã được lưu thành phiên bản {document.version} trong khi bạn sửa phiên bản {version}. "
            "Hãy tải lại để xem thay đổi mới nhất; nội dung của bạn chưa được lưu."
        )
    before = document.typed_content
    content = before
    new_title = document.title
    if title is not None:
        new_title = doc_content.clean_text(title, "title", doc_content.MAX_TITLE, multiline=False)
        if not new_title:
            raise Invalid("Trích yếu không được để trống.", {"title": ["Nhập trích yếu của văn bản."]})
    if sections is not None:
        content = content.with_sections(sections)
    if values is not None:
        content = content.with_values({t.code: t for t in targets_for(document)}, values)
    if initiatives is not None:
        content = content.with_initiatives(initiatives)
    if content == before and new_title == document.title:
        return document
    document.typed_content = content
    document.title = new_title
    return save_new_version(document, user)


def available_transitions(document, user):
    """Public names of the transitions this user may fire on this document now."""
    return [
        name
        for name, method in policy.METHOD_NAMES.items()
        if policy.may(user, name, document) and can_proceed(getattr(document, method))
    ]


def four_eyes_note(document, user):
    """Why a review or signing step this user would otherwise have now is withheld (None if none)."""
    for name in ("start_review", "approve", "sign"):
        if can_proceed(getattr(document, policy.METHOD_NAMES[name])):
            reason = policy.four_eyes_refusal(user, name, document)
            if reason:
                return reason
    return None


RENDER_FAILED = (
    "Không tạo được tệp Word của văn bản nên chưa cấp số; văn bản vẫn ở trạng thái «Đã ký». "
    "Hãy thử lại, hoặc báo quản trị viên kiểm tra mẫu văn bản."
)


def perform_transition(document_id, user, name, comment="", *, expected_state=None, signed_file=None):
    """Fire a lifecycle transition. Returns the document after the change.

    signed_file: for `sign`, the bytes of a PDF the signer signed elsewhere (their own token and
    tool); the receivers of document_signing check it instead of signing on the server.

    `issue` does its slow part first, outside any transaction and lock (_prepare_issue), so that
    the transaction holds the document row and the register's sequence row for milliseconds."""
    prepared = _prepare_issue(document_id, user) if name == "issue" else None
    return _perform_transition(
        document_id, user, name, comment, expected_state=expected_state, signed_file=signed_file, prepared=prepared
    )


def _prepare_issue(document_id, user):
    """Let the receivers of document_issue_preparing do the slow work of an issue (render the final
    file with the number left to fill in) before the transaction. Returns what they prepared, or
    None when this issue will be refused anyway (the transaction then says why). Nothing is
    written here: a failure answers 503 and changes nothing."""
    document = Document.objects.select_related("unit", "period", "plan", "commune").filter(pk=document_id).first()
    if (
        document is None
        or not policy.may_view(user, document)
        or not policy.may(user, "issue", document)
        or not can_proceed(getattr(document, policy.METHOD_NAMES["issue"]))
    ):
        return None
    prepared = {"issued_on": timezone.localdate(), "updated_at": document.updated_at, "version": document.version}
    try:
        signals.document_issue_preparing.send(sender=Document, document=document, issued_on=prepared["issued_on"], prepared=prepared)
    except WorkflowError:
        raise
    except Exception as exc:
        logger.exception("Rendering the issued file of document %s failed", document.pk)
        raise Unavailable(RENDER_FAILED) from exc
    return prepared


@transaction.atomic
def _perform_transition(document_id, user, name, comment, *, expected_state, signed_file, prepared):
    if name not in policy.TRANSITIONS:
        raise NotFound(f"Không có thao tác «{name}».")
    comment = doc_content.clean_text(comment or "", "comment", doc_content.MAX_COMMENT)
    document = lock_document(document_id)
    if prepared is not None and (prepared["updated_at"] != document.updated_at or prepared["version"] != document.version):
        prepared = None  # the document changed since it was rendered: the receivers render it again
    if not policy.may_view(user, document):
        raise NotFound("Không tìm thấy văn bản.")
    if expected_state and document.state != expected_state:
        raise Conflict(
            f"Văn bản vừa được người khác xử lý, hiện ở trạng thái «{document.get_state_display()}». Hãy tải lại trang."
        )
    if not policy.may(user, name, document):
        raise Forbidden(policy.refusal_reason(name, document, user))
    method = getattr(document, policy.METHOD_NAMES[name])
    if not can_proceed(method):
        if name in ("sign", "send_back") and not document.needs_signature:
            raise WrongState("Báo cáo của đơn vị kết thúc ở bước duyệt, không cần ký.")
        raise WrongState(
            f"Không thể «{policy.TRANSITION_LABELS[name]}» khi văn bản đang ở trạng thái «{document.get_state_display()}»."
        )
    if policy.TRANSITIONS[name][2] and not comment:
        raise Invalid("Cần ghi ý kiến khi trả lại.", {"comment": ["Nhập lý do trả lại để đơn vị biết cần sửa gì."]})
    if name == "submit":
        missing = document.typed_content.missing_for_submit(targets_for(document))
        if missing:
            raise Invalid("Văn bản chưa đủ nội dung để trình.", missing)
    signals.document_transition_checking.send(sender=Document, document=document, transition=name, user=user)
    source = document.state
    try:
        method()
    except TransitionNotAllowed:
        raise WrongState(f"Không thể thực hiện thao tác khi văn bản ở trạng thái «{document.get_state_display()}».") from None
    now = timezone.now()
    if document.assignee_id and policy.step_actor(document) != document.assignee_role:
        # The handed-over step is done (e.g. approved): the next step is nobody's in particular.
        document.assignee, document.assignee_role, document.assigned_at = None, "", None
    if name == "submit":
        document.submitted_at = now
        if document.kind == Kind.UNIT_REPORT and document.number is None:
            _send_issue_signal(signals.unit_report_numbering, document=document, submitted_on=timezone.localdate(now))
    elif name == "start_review":
        document.reviewer = user
    elif name == "sign":
        document.signer = user
        signals.document_signing.send(sender=Document, document=document, signer=user, signed_file=signed_file)
    elif name == "issue":
        # The day printed in the prepared file is the day of issue (also across midnight).
        issued_on = prepared["issued_on"] if prepared else timezone.localdate(now)
        _send_issue_signal(signals.document_numbering, document=document, issued_on=issued_on, clerk=user)
    try:
        document.save()
    except ConcurrentTransition:
        raise Conflict("Văn bản vừa được người khác xử lý. Hãy tải lại trang.") from None
    AuditEntry.objects.create(
        document=document,
        transition=name,
        source=source,
        target=document.state,
        actor=user,
        comment=comment,
        version=document.version,
    )
    policy.forget_four_eyes(document)
    if name == "issue":
        try:
            _send_issue_signal(signals.document_issued, document=document, prepared=prepared or {})
        except WorkflowError:
            raise  # a receiver's own reason (e.g. the organisation's key refused), already in Vietnamese
        except Exception as exc:  # any rendering failure rolls the whole issue back
            logger.exception("Rendering the issued file of document %s failed", document.pk)
            raise Unavailable(RENDER_FAILED) from exc
    transaction.on_commit(lambda: _notify_transition(document.pk, name))
    return document


def _send_issue_signal(signal, **kwargs):
    """Fire a numbering or issue step inside the transaction; receivers' exceptions propagate (and roll back).

    Issuing (or submitting a unit report) without the documents layer listening would leave the
    document unnumbered, so that is refused rather than done silently.
    """
    if not signal.has_listeners(Document):
        raise ImproperlyConfigured("Nothing numbers and stores issued documents: is the documents app installed?")
    signal.send(sender=Document, **kwargs)


def _notify_transition(document_id, name):
    """Hook for notifications; the rounds app subscribes through this signal."""
    signals.document_transitioned.send(sender=Document, document_id=document_id, transition=name)


def history_rows(document):
    """The audit trail of a document, oldest first, as a query (pages slice it in the database)."""
    return document.audit_entries.select_related("actor", "recipient", "recipient_unit").order_by("at", "id")


def history(document):
    return list(history_rows(document))
