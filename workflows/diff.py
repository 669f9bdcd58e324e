"""What changed between two saved versions of a document, in a form a reviewer can read.

Both versions are read through the kind's content model (workflows.content). Sections are compared
line by line (difflib); target values and initiatives field by field. Only what changed is listed, so "since the version I returned" shows exactly the unit's corrections.
"""
import difflib
import re

from plans.formatting import unit_value_label
from plans.models import Target

from .content import SECTION_LABELS, SECTIONS
from .errors import Invalid, NotFound
from .models import AuditEntry
from .queries import RETURN_TRANSITIONS



def _version_number(raw, field):
    if isinstance(raw, bool):
        raise Invalid("Số phiên bản không hợp lệ.", {field: ["Phải là một số nguyên dương."]})
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        raise Invalid("Số phiên bản không hợp lệ.", {field: ["Phải là một số nguyên dương."]}) from None
    if number < 1:
        raise Invalid("Số phiên bản không hợp lệ.", {field: ["Phải là một số nguyên dương."]})
    return number


def _word_changes(old, new):
    """Within a replaced paragraph, which words went and came: [{"op": equal|delete|insert, "text"}]."""
    old_words = re.split(r"(\s+)", old)
    new_words = re.split(r"(\s+)", new)
    segments = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": "".join(old_words[i1:i2])})
            continue
        if i2 > i1:
            segments.append({"op": "delete", "text": "".join(old_words[i1:i2])})
        if j2 > j1:
            segments.append({"op": "insert", "text": "".join(new_words[j1:j2])})
    return segments


def _line_changes(old, new):
    """difflib opcodes over lines, merged into readable chunks of text. A replaced chunk also
    carries `words`, so a one-word correction in a long paragraph is easy to spot."""
    old_lines = (old or "").split("\n")
    new_lines = (new or "").split("\n")
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    changes = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        change = {"op": op, "old": "\n".join(old_lines[i1:i2]), "new": "\n".join(new_lines[j1:j2])}
        if op == "replace" and change["old"] and change["new"]:
            change["words"] = _word_changes(change["old"], change["new"])
        changes.append(change)
    return changes


def _section_order(kind, old_sections, new_sections):
    known = [key for key, _, _ in SECTIONS.get(kind, [])]
    extra = sorted((set(old_sections) | set(new_sections)) - set(known))
    return known + extra


def _code_key(code):
    # "1.10" sorts after "1.9".
    return tuple(int(part) if part.isdigit() else 0 for part in str(code).split(".")), str(code)


def _initiative_key(initiative):
    return (initiative.name, initiative.kind, initiative.note)


def diff_versions(document, from_number, to_number):
    """Compare two versions of `document`. Raises NotFound when a version does not exist."""
    from_number = _version_number(from_number, "from")
    to_number = _version_number(to_number, "to")
    versions = {v.number: v for v in document.versions.filter(number__in={from_number, to_number})}
    missing = [n for n in (from_number, to_number) if n not in versions]
    if missing:
        raise NotFound(f"Không có phiên bản {missing[0]} của văn bản này.")
    old, new = versions[from_number], versions[to_number]
    old.document = new.document = document
    old_content, new_content = old.typed_content, new.typed_content

    title = None if old.title == new.title else {"old": old.title, "new": new.title}

    sections = []
    for key in _section_order(document.kind, old_content.sections, new_content.sections):
        before, after = old_content.section(key), new_content.section(key)
        if before != after:
            sections.append({"key": key, "label": SECTION_LABELS.get(key, key), "changes": _line_changes(before, after)})

    old_values = getattr(old_content, "values", {})
    new_values = getattr(new_content, "values", {})
    codes = sorted(set(old_values) | set(new_values), key=_code_key)
    targets = {t.code: t for t in Target.objects.filter(plan_id=document.plan_id, code__in=codes)} if codes else {}
    values = []
    for code in codes:
        before, after = old_content.entry(code), new_content.entry(code)
        if before == after:
            continue
        target = targets.get(code)
        values.append(
            {
                "code": code,
                "target": target.text if target else "",
                "old": before.value,
                "new": after.value,
                "old_text": unit_value_label(target, before.value),
                "new_text": unit_value_label(target, after.value),
                "old_note": before.note,
                "new_note": after.note,
                "old_evidence": before.evidence,
                "new_evidence": after.evidence,
            }
        )

    old_initiatives = getattr(old_content, "initiatives", [])
    new_initiatives = getattr(new_content, "initiatives", [])
    old_keys = [_initiative_key(i) for i in old_initiatives]
    new_keys = [_initiative_key(i) for i in new_initiatives]
    added = [i.model_dump() for i in new_initiatives if _initiative_key(i) not in old_keys]
    removed = [i.model_dump() for i in old_initiatives if _initiative_key(i) not in new_keys]

    return {
        "from": from_number,
        "to": to_number,
        "title": title,
        "sections": sections,
        "values": values,
        "initiatives": {"added": added, "removed": removed},
        "has_changes": bool(title or sections or values or added or removed),
    }


def last_returned_version(document):
    """The version the document was at when last returned (by the reviewer or the signer), or None."""
    entry = (
        AuditEntry.objects.filter(document_id=document.pk, transition__in=RETURN_TRANSITIONS)
        .order_by("-at", "-id")
        .only("version")
        .first()
    )
    return entry.version if entry else None


def diff_since_return(document):
    """What the unit changed since the document was last returned, up to its current version,
    with the evidence files attached since the return (`attachments_added`: evidence is not part
    of a version, so the time of the return tells which files are new).

    None when the document was never returned. When nothing was saved or attached since, the
    result has `has_changes` False (from == to).
    """
    entry = (
        AuditEntry.objects.filter(document_id=document.pk, transition__in=RETURN_TRANSITIONS)
        .order_by("-at", "-id")
        .only("version", "at")
        .first()
    )
    if entry is None:
        return None
    result = diff_versions(document, entry.version, document.version)
    added = document.attachments.filter(uploaded_at__gt=entry.at).order_by("uploaded_at", "id")
    result["attachments_added"] = [
        {"id": a.pk, "name": a.original_name, "target_code": a.target_code, "size": a.size, "uploaded_at": a.uploaded_at}
        for a in added
    ]
    result["has_changes"] = result["has_changes"] or bool(result["attachments_added"])
    return result
