"""The report form: turns a document (or what the user typed) into rows of inputs, and the
posted form into the arguments of workflows.services.update_document. Validation is the
services' (workflows.content); this module only places their messages next to the inputs."""
from workflows import content as doc_content
from workflows import diff as doc_diff

EXTRA_MODEL_ROWS = 3

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


def _rows(document, targets, title, section_text, target_fields, models):
    """The form's rows; section_text(key) and target_fields(target) say where the typed text comes from."""
    previous = (document.content.get("previous") or {}).get("values") or {}
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
            {
                "target": t,
                **target_fields(t),
                "hint": INPUT_HINTS.get(t.input_kind, ""),
                # As the document page and the API print it ("80 %", "Chưa đạt"), not the stored JSON.
                "previous": doc_diff.format_value(previous[t.code], t.input_kind) if t.code in previous else None,
            }
            for t in targets
        ],
        "models": models,
    }


def rows_from_document(document, targets):
    sections = document.content.get("sections") or {}
    values = document.content.get("values") or {}

    def stored(t):
        entry = values.get(t.code) or {}
        return {
            "value": _value_to_input(entry.get("value"), t.input_kind),
            "note": entry.get("note") or "",
            "evidence": entry.get("evidence") or "",
        }

    models = [dict(m) for m in document.content.get("models") or [] if isinstance(m, dict)]
    data = _rows(document, targets, document.title, lambda key: sections.get(key) or "", stored, models)
    _pad_models(data)
    return data


def rows_from_post(document, targets, post):
    def typed(t):
        return {field: post.get(f"{field}-{t.code}", "") for field in ("value", "note", "evidence")}

    data = _rows(document, targets, post.get("title", ""), lambda key: post.get(f"section-{key}", ""), typed, [])
    try:
        total = min(int(post.get("models-total", "0")), doc_content.MAX_MODELS + EXTRA_MODEL_ROWS)
    except ValueError:
        total = 0
    for i in range(total):
        data["models"].append(
            {
                "name": post.get(f"model-{i}-name", ""),
                "kind": post.get(f"model-{i}-kind", ""),
                "note": post.get(f"model-{i}-note", ""),
            }
        )
    _pad_models(data)
    return data


def _pad_models(data):
    filled = [m for m in data["models"] if (m.get("name") or "").strip() or (m.get("note") or "").strip()]
    data["models"] = filled + [{"name": "", "kind": "", "note": ""} for _ in range(EXTRA_MODEL_ROWS)]


def service_arguments(document, data):
    """(title, sections, values, models) for update_document, from rows_from_post()."""
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
    models = [
        {"name": m["name"], "kind": m["kind"] or "Khác", "note": m["note"]}
        for m in data["models"]
        if (m["name"] or "").strip() or (m["note"] or "").strip()
    ]
    return data["title"], sections, values, models


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
    filled = [m for m in data["models"] if (m["name"] or "").strip() or (m["note"] or "").strip()]
    for index, model in enumerate(filled):
        for field in ("name", "kind", "note"):
            key = f"models[{index}].{field}"
            if key in errors:
                model["error"] = errors.pop(key)[0]
        if f"models[{index}]" in errors:
            model["error"] = errors.pop(f"models[{index}]")[0]
    if "file" in errors:
        data["file_error"] = errors.pop("file")[0]
    return [m for msgs in errors.values() for m in msgs]
