"""Turn model objects into the plain dicts the response schemas describe."""
from plans import formatting
from plans.formatting import datetime_vn
from workflows.diff import format_value
from workflows import queries
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
    """[{"code", "value", "note", "evidence"}]: every target the unit reports, then anything else stored."""
    stored = (content or {}).get("values") or {}
    codes = [t.code for t in targets or []]
    codes += sorted((code for code in stored if code not in set(codes)), key=_code_key)
    result = []
    for code in codes:
        entry = stored.get(code) or {}
        if not isinstance(entry, dict):
            entry = {"value": entry}
        result.append(
            {
                "code": code,
                "value": entry.get("value"),
                "note": entry.get("note") or "",
                "evidence": entry.get("evidence") or "",
            }
        )
    return result


def models_list(content):
    return [
        {"name": m.get("name") or "", "kind": m.get("kind") or "", "note": m.get("note") or ""}
        for m in (content or {}).get("models") or []
        if isinstance(m, dict)
    ]


def sections_dict(content):
    return {key: text for key, text in ((content or {}).get("sections") or {}).items() if isinstance(text, str)}


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


def previous_values(content, targets=None):
    """The previous period's values the web form shows beside each target (unit reports), or None."""
    previous = (content or {}).get("previous")
    if not isinstance(previous, dict) or not previous.get("period"):
        return None
    stored = previous.get("values") or {}
    kinds = {t.code: t.input_kind for t in targets or []}
    return {
        "period": previous.get("period"),
        "period_name": previous.get("period_name") or "",
        "values": [
            {"code": code, "value": stored.get(code), "display": format_value(stored.get(code), kinds.get(code, ""))}
            for code in sorted(stored, key=_code_key)
        ],
    }


def document_detail(document, *, targets, transitions, editable, sha256, freshness=None):
    data = document_summary(document)
    content = document.content or {}
    compiled = content.get("compiled")
    data.update(
        {
            "period_name": document.period.name if document.period_id else None,
            "deadline": document.period.deadline if document.period_id else None,
            "plan": document.plan.code,
            "sections": sections_dict(content),
            "values": values_list(content, targets),
            "models": models_list(content),
            "compiled": compiled if isinstance(compiled, dict) else None,
            "compiled_at_display": datetime_vn(compiled.get("computed_at")) if isinstance(compiled, dict) else None,
            "out_of_date": freshness,
            "previous": previous_values(content, targets),
            "allowed_transitions": transitions,
            "editable": editable,
            "issued_on_display": date_vn(document.issued_on),
            "reviewer": display_name(document.reviewer),
            "signer": display_name(document.signer),
            "submitted_at": document.submitted_at,
            "sha256": sha256,
        }
    )
    return data


def version_detail(version, targets):
    content = version.content or {}
    return {
        "number": version.number,
        "title": version.title,
        "sections": sections_dict(content),
        "values": values_list(content, targets),
        "models": models_list(content),
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
    }
