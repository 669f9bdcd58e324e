"""What a document page shows, assembled from the services and queries (no rules of its own)."""
from django.urls import reverse

from documents import pdfs
from rounds.access import is_coordinator_staff
from workflows import content as doc_content
from workflows import diff as doc_diff
from workflows import policy, services
from workflows.models import State

from .lifecycle import lifecycle_svg

RETURN_TRANSITIONS = ("return", "send_back")


def action_buttons(document, user):
    names = services.available_transitions(document, user)
    return [
        {"name": name, "label": policy.TRANSITION_LABELS[name], "needs_comment": policy.TRANSITIONS[name][2]}
        for name in names
    ]


def section_rows(document):
    sections = document.content.get("sections") or {}
    rows = []
    for key, heading, required in doc_content.SECTIONS.get(document.kind, []):
        rows.append(
            {
                "key": key,
                "label": doc_content.SECTION_LABELS.get(key, key),
                "heading": heading,
                "required": required,
                "text": sections.get(key) or "",
            }
        )
    return rows


def value_rows(document, targets):
    values = document.content.get("values") or {}
    previous = (document.content.get("previous") or {}).get("values") or {}
    rows = []
    for target in targets:
        entry = values.get(target.code) or {}
        rows.append(
            {
                "target": target,
                "value": entry.get("value"),
                "text": doc_diff.format_value(entry.get("value"), target.input_kind),
                "note": entry.get("note") or "",
                "evidence": entry.get("evidence") or "",
                "previous": doc_diff.format_value(previous.get(target.code), target.input_kind)
                if target.code in previous
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


def compiled_rows(document):
    compiled = document.content.get("compiled") or {}
    rows = compiled.get("targets") or []
    return rows if isinstance(rows, list) else []


def document_context(document, user, *, with_diff=False):
    entries = services.history(document)
    targets = services.targets_for(document)
    context = {
        "doc": document,
        "lifecycle": lifecycle_svg(document.kind, document.state),
        "actions": action_buttons(document, user),
        "four_eyes_note": services.four_eyes_note(document, user),
        "history": entries,
        "returns": return_comments(entries),
        "sections": section_rows(document),
        "values": value_rows(document, targets),
        "models": document.content.get("models") or [],
        "compiled": compiled_rows(document),
        "compiled_meta": document.content.get("compiled") or {},
        "attachments": list(document.attachments.select_related("uploaded_by")),
        "may_edit": policy.may_edit(user, document) and document.is_editable,
        "data_window": (document.content.get("data_window") or ""),
        "may_compile": may_compile(document, user),
        "pdf": pdf_state(document),
    }
    if with_diff:
        context["diff"] = reviewer_diff(document, user)
    return context


def pdf_state(document):
    """The stored PDF of the document as it is now (documents.pdfs), or None if nobody asked yet."""
    return pdfs.current(document)


def work_url(document, user):
    """Where this user does their next step on the document."""
    if document.state in (State.SUBMITTED, State.UNDER_REVIEW) and policy.may(user, "start_review", document):
        return reverse("tham-dinh:review", args=[document.pk])
    if document.state == State.APPROVED and document.needs_signature and policy.may(user, "sign", document):
        return reverse("ky-duyet:sign", args=[document.pk])
    if document.is_editable and policy.may_edit(user, document):
        return reverse("van-ban:edit", args=[document.pk])
    return reverse("van-ban:detail", args=[document.pk])
