"""What a document page shows, assembled from the services and queries (no rules of its own)."""
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents import pdfs
from documents.register import peek_number
from plans.formatting import datetime_vn, unit_value_label
from rounds.access import is_coordinator_staff
from rounds.freshness import freshness
from organizations.models import Unit
from workflows import attachments as doc_attachments
from workflows import content as doc_content
from workflows import deadlines, handling, policy, services
from workflows import diff as doc_diff
from workflows.models import State
from workflows.queries import RETURN_TRANSITIONS

from .lifecycle import lifecycle_svg



def action_buttons(document, user):
    """The actions this user may take now; those that matter carry `confirm`, the consequence the
    confirmation dialog states before the form is sent (the server checks the action regardless)."""
    names = services.available_transitions(document, user)
    return [
        {
            "name": name,
            "label": policy.TRANSITION_LABELS[name],
            "needs_comment": policy.TRANSITIONS[name][2],
            "confirm": confirmation(document, name),
        }
        for name in names
    ]


# Actions asked for confirmation: they cannot be taken back by the person taking them.
CONFIRMED_ACTIONS = ("approve", "sign", "issue", "withdraw")


def confirmation(document, name, *, with_number=True):
    """What the action will do, in one or two sentences for the confirmation dialog; "" for actions
    taken without one. with_number=False leaves out the number «issue» would take (one query a
    document: lists name the next number of the register instead)."""
    if name not in CONFIRMED_ACTIONS:
        return ""
    title = f"«{document.title}»"
    if name == "approve":
        if document.needs_signature:
            return (f"Duyệt {title}: văn bản chuyển sang «Đã duyệt», được trình lãnh đạo UBND ký ban hành "
                    "và không sửa được nữa, trừ khi lãnh đạo trả lại để sửa.")
        return (f"Duyệt {title} của {document.unit.name}: báo cáo chuyển sang «Đã duyệt», không sửa được nữa "
                "và số liệu của báo cáo được dùng khi tổng hợp báo cáo của xã.")
    if name == "sign":
        return (f"Ký ban hành {title}: văn bản được ký với tên của bạn và chuyển cho văn thư cấp số, phát hành. "
                "Sau khi ký, bạn không rút lại được chữ ký.")
    if name == "issue":
        today = timezone.localdate()
        number = peek_number(document, today) if with_number else "tiếp theo của sổ văn bản đi"
        return (f"Cấp số {number} ngày {today:%d/%m/%Y} và phát hành {title}: văn bản được ghi vào "
                "sổ văn bản đi, gửi đến nơi nhận và từ đó không bao giờ thay đổi. Số đã cấp không hủy được.")
    return (f"Rút lại {title} về dự thảo: người thẩm định sẽ không thấy văn bản này nữa cho đến khi bạn trình lại.")


def section_rows(document, content):
    rows = []
    for key, heading, required in doc_content.SECTIONS.get(document.kind, []):
        rows.append(
            {
                "key": key,
                "label": doc_content.SECTION_LABELS.get(key, key),
                "heading": heading,
                "required": required,
                "text": content.section(key),
            }
        )
    return rows


def value_rows(content, targets):
    """One row per target the unit reports (unit reports only)."""
    rows = []
    for target in targets:
        entry = content.entry(target.code)
        rows.append(
            {
                "target": target,
                "value": entry.value,
                "text": unit_value_label(target, entry.value),
                "note": entry.note,
                "evidence": entry.evidence,
                "previous": unit_value_label(target, content.previous_value(target.code))
                if content.has_previous(target.code)
                else "",
            }
        )
    return rows


def return_comments(entries):
    """The comments a document was returned with, newest first, each with the version it concerned."""
    return [e for e in reversed(entries) if e.transition in RETURN_TRANSITIONS]


def reviewer_diff(document, user):
    """For the reviewer: what changed since the version last returned (None when never returned)."""
    if not (policy.is_reviewer(user, document) or policy.is_signer(user, document)):
        return None
    if document.state not in (State.SUBMITTED, State.UNDER_REVIEW, State.APPROVED):
        return None
    return doc_diff.diff_since_return(document)


def may_compile(document, user):
    """Offer "recompile" on a summary report to the coordinator's staff while it can change."""
    return bool(
        document.kind == "summary_report"
        and document.is_editable
        and document.period_id
        and is_coordinator_staff(user, document.commune_id)
    )


def document_context(document, user, *, with_diff=False):
    entries = services.history(document)
    targets = services.targets_for(document)
    content = document.typed_content
    compiled = getattr(content, "compiled", None)
    context = {
        "doc": document,
        "lifecycle": lifecycle_svg(document.kind, document.state),
        "actions": action_buttons(document, user),
        "four_eyes_note": services.four_eyes_note(document, user),
        "history": entries,
        "returns": return_comments(entries),
        "sections": section_rows(document, content),
        "values": value_rows(content, targets),
        "initiatives": getattr(content, "initiatives", []),
        "compiled": compiled.targets if compiled else [],
        "compiled_meta": compiled,
        "compiled_at": datetime_vn(compiled.computed_at) if compiled else "",
        "attachments": list(document.attachments.select_related("uploaded_by")),
        "may_edit": document.is_editable and user.has_perm("workflows.change_document", document),
        "may_compile": may_compile(document, user),
        "freshness": freshness(document),
        "pdf": pdf_state(document),
    }
    context.update(office_context(document, user))
    if with_diff:
        context["diff"] = reviewer_diff(document, user)
    return context


def office_context(document, user):
    """Chuyển xử lý, phối hợp, ý kiến chỉ đạo and the step deadline, as this user sees them."""
    today = timezone.localdate()
    consultations = list(handling.consultations(document))
    for consultation in consultations:
        consultation.overdue = consultation.is_overdue(today)
        consultation.may_answer = not consultation.answered and policy.may_answer(user, consultation)
    may_consult = document.state in handling.CONSULT_STATES and user.has_perm("workflows.consult_document", document)
    return {
        "instructions": list(handling.instructions(document)),
        "step": deadlines.step_status(document, today),
        "consultations": consultations,
        "hand_over_to": handling.hand_over_candidates(document, user) if user.has_perm("workflows.hand_over_document", document) else [],
        "may_consult": may_consult,
        "consult_units": consult_units(document, user) if may_consult else [],
        "may_instruct": user.has_perm("workflows.instruct_document", document),
        "today": today,
        "consult_default_deadline": deadlines.add_working_days(today, deadlines.deadline_days(document.kind)),
        "allowed_files": doc_attachments.ALLOWED_LABEL,
        "upload_limit_mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
    }


def consult_units(document, user):
    """Units that may be asked for an opinion: every active unit of the commune but the author's and the asker's."""
    return list(
        Unit.objects.filter(commune_id=document.commune_id, active=True)
        .exclude(pk__in=[document.unit_id, user.unit_id or 0])
        .order_by("order", "name")
    )


def pdf_state(document):
    """The stored PDF of the document as it is now (documents.pdfs), or None if nobody asked yet."""
    return pdfs.current(document)


# A number standing for a document's id in a URL reversed once for a whole list (row_urls).
_ID_MARK = "9876543210123"


def row_urls(documents, **names):
    """Give each document, as attribute=view name, the URL reverse(name, args=[document.pk]) gives:
    one reverse() per name for the list rather than one per row (reverse() costs about 0.1 ms, and a
    queue of 25 rows needs 75 links)."""
    patterns = {attribute: reverse(name, args=[int(_ID_MARK)]) for attribute, name in names.items()}
    for document in documents:
        for attribute, pattern in patterns.items():
            if pattern.count(_ID_MARK) == 1:
                url = pattern.replace(_ID_MARK, str(document.pk))
            else:  # the mark is part of the site's prefix too: no shortcut
                url = reverse(names[attribute], args=[document.pk])
            setattr(document, attribute, url)
    return documents


def work_url(document, user):
    """Where this user does their next step on the document."""
    if document.state in (State.SUBMITTED, State.UNDER_REVIEW) and user.has_perm("workflows.start_review_document", document):
        return reverse("tham-dinh:review", args=[document.pk])
    if document.state == State.APPROVED and document.needs_signature and user.has_perm("workflows.sign_document", document):
        return reverse("ky-duyet:sign", args=[document.pk])
    if document.is_editable and user.has_perm("workflows.change_document", document):
        return reverse("van-ban:edit", args=[document.pk])
    return reverse("van-ban:detail", args=[document.pk])
