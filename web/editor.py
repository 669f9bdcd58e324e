"""The report form: turns a document's typed content (or what the user typed) into rows of
inputs, and the posted form into the arguments of workflows.services.update_document. Validation
is the content model's (workflows.content); this module only places its messages next to the inputs."""
from plans.formatting import unit_value_label
from workflows import content as doc_content

EXTRA_INITIATIVE_ROWS = 3

INPUT_HINTS = {
    "percent": "Số phần trăm từ 0 đến 100, tối đa 2 chữ số thập phân, ví dụ 96,5",
    "count": "Số nguyên không âm, ví dụ 3",
    "boolean": "Chọn Đạt hoặc Chưa đạt",
    "text": "Đánh giá ngắn bằng lời",
}


def _value_to_input(value, kind):
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "percent":
        text = f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        return text.replace(".", ",")
    return str(value)


def _rows(document, content, targets, title, section_text, target_fields, initiatives):
    """The form's rows; section_text(key) and target_fields(target) say where the typed text comes from."""
    previous = {
        t.code: unit_value_label(t, content.previous_value(t.code))
        for t in targets
        if content.has_previous(t.code)
    }
    return {
        "title": title,
        "sections": [
            {
                "key": key,
                "label": doc_content.SECTION_LABELS.get(key, key),
                "required": required,
                "text": section_text(key),
            }
            for key, _, required in doc_content.SECTIONS.get(document.kind, [])
        ],
        "targets": [
            {"target": t, **target_fields(t), "hint": INPUT_HINTS.get(t.input_kind, ""), "previous": previous.get(t.code)}
            for t in targets
        ],
        "initiatives": initiatives,
    }


def rows_from_document(document, targets):
    content = document.typed_content

    def stored(t):
        entry = content.entry(t.code)
        return {"value": _value_to_input(entry.value, t.input_kind), "note": entry.note, "evidence": entry.evidence}

    initiatives = [i.model_dump() for i in getattr(content, "initiatives", [])]
    data = _rows(document, content, targets, document.title, content.section, stored, initiatives)
    _pad_initiatives(data)
    return data


def rows_from_post(document, targets, post):
    def typed(t):
        return {field: post.get(f"{field}-{t.code}", "") for field in ("value", "note", "evidence")}

    content = document.typed_content
    data = _rows(document, content, targets, post.get("title", ""), lambda key: post.get(f"section-{key}", ""), typed, [])
    most = doc_content.limit(doc_content.UnitReportContent, "initiatives") + EXTRA_INITIATIVE_ROWS
    try:
        total = min(int(post.get("initiatives-total", "0")), most)
    except ValueError:
        total = 0
    for i in range(total):
        data["initiatives"].append({field: post.get(f"initiative-{i}-{field}", "") for field in ("name", "kind", "note")})
    _pad_initiatives(data)
    return data


def _filled(initiatives):
    return [i for i in initiatives if (i.get("name") or "").strip() or (i.get("note") or "").strip()]


def _pad_initiatives(data):
    data["initiatives"] = _filled(data["initiatives"]) + [{"name": "", "kind": "", "note": ""} for _ in range(EXTRA_INITIATIVE_ROWS)]


def service_arguments(document, data):
    """(title, sections, values, initiatives) for update_document, from rows_from_post()."""
    sections = {row["key"]: row["text"] for row in data["sections"]}
    values = None
    if data["targets"]:
        values = {}
        for row in data["targets"]:
            raw = (row["value"] or "").strip()
            kind = row["target"].input_kind
            if raw == "":
                value = None
            elif kind == "boolean":
                value = {"true": True, "false": False}.get(raw, raw)
            else:
                value = raw
            values[row["target"].code] = {"value": value, "note": row["note"], "evidence": row["evidence"]}
    initiatives = None
    if document.kind == "unit_report":
        initiatives = [{"name": i["name"], "kind": i["kind"] or "Khác", "note": i["note"]} for i in _filled(data["initiatives"])]
    return data["title"], sections, values, initiatives


def attach_errors(data, errors):
    """Put {field: [messages]} from a service error next to the matching inputs.
    Returns the messages that belong to no input (shown at the top)."""
    errors = dict(errors or {})
    if "title" in errors:
        data["title_error"] = errors.pop("title")[0]
    for row in data["sections"]:
        key = f"sections.{row['key']}"
        if key in errors:
            row["error"] = errors.pop(key)[0]
    for row in data["targets"]:
        code = row["target"].code
        for field, name in ((f"values.{code}", "error"), (f"values.{code}.note", "note_error"), (f"values.{code}.evidence", "evidence_error")):
            if field in errors:
                row[name] = errors.pop(field)[0]
    for index, initiative in enumerate(_filled(data["initiatives"])):
        for field in ("name", "kind", "note"):
            key = f"initiatives[{index}].{field}"
            if key in errors:
                initiative["error"] = errors.pop(key)[0]
        if f"initiatives[{index}]" in errors:
            initiative["error"] = errors.pop(f"initiatives[{index}]")[0]
    if "file" in errors:
        data["file_error"] = errors.pop("file")[0]
    return [m for msgs in errors.values() for m in msgs]
