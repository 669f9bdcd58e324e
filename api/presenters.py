"""Turn model objects into the plain dicts the response schemas describe."""
from plans import formatting
from plans.formatting import datetime_vn
from workflows import queries
from workflows.content import TargetEntry
from workflows.models import State


def _code_key(code):
    # "1.10" sorts after "1.9".
    return tuple(int(part) if part.isdigit() else 0 for part in str(code).split(".")), str(code)


def display_name(user):
    if user is None:
        return None
    return user.full_name or user.username


def date_vn(value):
    return formatting.date_vn(value) or None


def values_list(content, targets=None):
    """[ValueOut]: every target the unit reports, then anything else stored (unit reports only)."""
    stored = getattr(content, "values", {})
    by_code = {t.code: t for t in targets or []}
    codes = list(by_code)
    codes += sorted((code for code in stored if code not in by_code), key=_code_key)
    rows = []
    for code in codes:
        entry = stored.get(code) or TargetEntry()
        rows.append({"code": code, **entry.model_dump(), "text": formatting.unit_value_label(by_code.get(code), entry.value)})
    return rows


def content_fields(content, targets):
    """The parts of a document's typed content the API shows; empty where the kind has none."""
    return {
        "sections": dict(content.sections),
        "values": values_list(content, targets),
        "initiatives": list(getattr(content, "initiatives", [])),
    }


def document_summary(document):
    return {
        "id": document.pk,
        "kind": document.kind,
        "unit": document.unit.code,
        "unit_name": document.unit.name,
        "period": document.period.code if document.period_id else None,
        "state": document.state,
        "state_label": State(document.state).label,
        "version": document.version,
        "title": document.title,
        "number": document.number_label or None,
        "issued_on": document.issued_on,
        "overdue": queries.is_overdue(document),
        "return_count": getattr(document, "return_count", 0) or 0,
        "updated_at": document.updated_at,
    }


def document_detail(document, *, targets, transitions, editable, sha256, freshness=None):
    data = document_summary(document)
    content = document.typed_content
    data.update(
        {
            "period_name": document.period.name if document.period_id else None,
            "deadline": document.period.deadline if document.period_id else None,
            "plan": document.plan.code,
            **content_fields(content, targets),
            "previous": getattr(content, "previous", None),
            "compiled": getattr(content, "compiled", None),
            "compiled_at_display": datetime_vn(content.compiled.computed_at) if getattr(content, "compiled", None) else None,
            "out_of_date": freshness,
            "allowed_transitions": transitions,
            "editable": editable,
            "issued_on_display": date_vn(document.issued_on),
            "reviewer": display_name(document.reviewer),
            "signer": display_name(document.signer),
            "assignee": document.assignee.username if document.assignee_id else None,
            "submitted_at": document.submitted_at,
            "sha256": sha256,
        }
    )
    return data


def version_detail(version, targets):
    return {
        "number": version.number,
        "title": version.title,
        **content_fields(version.typed_content, targets),
        "created_at": version.created_at,
        "created_by": version.created_by.username if version.created_by_id else None,
    }


def audit_entry(entry):
    return {
        "transition": entry.transition,
        "label": entry.transition_label,
        "source": entry.source,
        "target": entry.target,
        "actor": entry.actor.username,
        "actor_name": display_name(entry.actor),
        "at": entry.at,
        "comment": entry.comment,
        "version": entry.version,
        "recipient": entry.recipient.username if entry.recipient_id else None,
        "recipient_unit": entry.recipient_unit.code if entry.recipient_unit_id else None,
    }
