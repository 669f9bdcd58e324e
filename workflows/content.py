"""What a document contains, and how user input is cleaned and checked on the way in."""
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from .errors import Invalid

# Sections of each kind of document, in order: (key, heading in the document, required to submit).
# A heading of None means the section is printed without a numbered heading (opening paragraph).
SECTIONS = {
    "plan": [
        ("preamble", None, True),
        ("purposes", "MỤC ĐÍCH, YÊU CẦU", True),
        ("contents", "NỘI DUNG THI ĐUA", True),
        ("assignments", "PHÂN CÔNG NHIỆM VỤ", True),
        ("solutions", "GIẢI PHÁP THỰC HIỆN", True),
        ("timeline", "THỜI GIAN THỰC HIỆN", True),
        ("organisation", "TỔ CHỨC THỰC HIỆN", True),
    ],
    "unit_report": [
        ("preamble", None, False),
        ("results", "KẾT QUẢ THỰC HIỆN", True),
        ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", False),
        ("next_tasks", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", False),
        ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ", False),
    ],
    "summary_report": [
        ("preamble", None, False),
        ("results", "KẾT QUẢ THỰC HIỆN", True),
        ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", True),
        ("next_tasks", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", True),
        ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ", False),
    ],
}
SECTION_LABELS = {
    "preamble": "Phần mở đầu",
    "purposes": "Mục đích, yêu cầu",
    "contents": "Nội dung thi đua",
    "assignments": "Phân công nhiệm vụ",
    "solutions": "Giải pháp thực hiện",
    "timeline": "Thời gian thực hiện",
    "organisation": "Tổ chức thực hiện",
    "results": "Kết quả thực hiện",
    "shortcomings": "Tồn tại, hạn chế và nguyên nhân",
    "next_tasks": "Phương hướng, nhiệm vụ kỳ tới",
    "proposals": "Đề xuất, kiến nghị",
}

MODEL_KINDS = [
    "Xóm số",
    "Tuyến đường xanh",
    "Chợ không dùng tiền mặt",
    "Cơ quan xanh",
    "Đường hoa",
    "Nhà sạch - vườn đẹp",
    "Gia đình số",
    "Chi hội xanh",
    "Tuyến đường tự quản",
    "Khác",
]

MAX_TITLE = 500
MAX_SECTION = 30000
MAX_NOTE = 2000
MAX_TEXT_VALUE = 1000
MAX_EVIDENCE = 500
MAX_MODELS = 100
MAX_COMMENT = 5000
MAX_MODEL_NAME = 200
MAX_MODEL_KIND = 100

# Control characters, plus characters that are invisible but change how text reads: bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069; "Trojan Source"), zero-width
# space, non-joiner and joiner (U+200B–U+200D) and the byte order mark (U+FEFF). Line breaks and
# tabs are kept.
INVISIBLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{INVISIBLE}]")
# Half of a UTF-16 pair on its own (JSON "\udfff"): no character at all, and neither UTF-8 nor
# PostgreSQL can store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value, field, max_length, *, multiline=True):
    """Refuse lone surrogates; NFC-normalise, drop control and invisible characters, unify line
    breaks, enforce a length limit. Every text a user sends passes through here."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid("Dữ liệu không hợp lệ.", {field: ["Phải là một chuỗi văn bản."]})
    if _SURROGATE.search(value):
        raise Invalid(
            "Dữ liệu không hợp lệ.",
            {field: ["Chứa ký tự Unicode không hợp lệ (nửa cặp thay thế UTF-16 đứng riêng); hãy gõ lại hoặc dán lại đoạn văn bản."]},
        )
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ")
    # Stripping first: a removed character between a letter and its accent would leave text that is not NFC.
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()
    if len(text) > max_length:
        raise Invalid(
            "Dữ liệu không hợp lệ.",
            {field: [f"Dài {len(text)} ký tự, vượt quá giới hạn {max_length} ký tự."]},
        )
    return text


def section_keys(kind):
    return [key for key, _, _ in SECTIONS[kind]]


def clean_sections(kind, sections):
    if not isinstance(sections, dict):
        raise Invalid("Dữ liệu không hợp lệ.", {"sections": ["Phải là một đối tượng {mục: nội dung}."]})
    allowed = section_keys(kind)
    errors = {}
    cleaned = {}
    for key, value in sections.items():
        if key not in allowed:
            errors[f"sections.{key}"] = [f"Không có mục này. Các mục hợp lệ: {', '.join(allowed)}."]
            continue
        try:
            cleaned[key] = clean_text(value, f"sections.{key}", MAX_SECTION)
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Nội dung các mục không hợp lệ.", errors)
    return cleaned


def clean_value(target, raw):
    """Check one target value against the target's input kind; return the stored JSON value."""
    kind = target.input_kind
    if raw is None:
        return None
    if kind == "percent":
        if isinstance(raw, bool):
            raise ValueError("Phải là một số phần trăm từ 0 đến 100.")
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            raise ValueError("Phải là một số phần trăm từ 0 đến 100.") from None
        if not number.is_finite() or number < 0 or number > 100:
            raise ValueError("Tỷ lệ phải từ 0 đến 100.")
        if number != number.quantize(Decimal("0.01")):
            raise ValueError("Tỷ lệ chỉ được có tối đa 2 chữ số thập phân.")
        return float(number)
    if kind == "count":
        if isinstance(raw, bool):
            raise ValueError("Phải là một số nguyên không âm.")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int) or raw < 0:
            raise ValueError("Phải là một số nguyên không âm.")
        if raw > 1_000_000:
            raise ValueError("Số lượng quá lớn.")
        return raw
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"true", "dat", "đạt", "1", "co", "có"}:
            return True
        if isinstance(raw, str) and raw.strip().lower() in {"false", "khong dat", "không đạt", "0", "khong", "không"}:
            return False
        raise ValueError("Chọn «Đạt» hoặc «Không đạt».")
    if not isinstance(raw, str):
        raise ValueError("Phải là một đoạn văn bản.")
    text = clean_text(raw, "value", MAX_TEXT_VALUE)
    return text or None


def clean_values(targets_by_code, values):
    """values: a list of {"code", "value", "note", "evidence"} (API form) or a dict keyed by code."""
    if isinstance(values, dict):
        values = [{"code": code, **(item if isinstance(item, dict) else {"value": item})} for code, item in values.items()]
    if not isinstance(values, list):
        raise Invalid("Dữ liệu không hợp lệ.", {"values": ["Phải là danh sách các chỉ tiêu."]})
    errors = {}
    cleaned = {}
    for index, item in enumerate(values):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            errors[f"values[{index}]"] = ["Mỗi phần tử cần có «code» là mã chỉ tiêu."]
            continue
        code = item["code"].strip()
        target = targets_by_code.get(code)
        if target is None:
            errors[f"values.{code}"] = ["Đơn vị không báo cáo chỉ tiêu này."]
            continue
        try:
            value = clean_value(target, item.get("value"))
        except (ValueError, Invalid) as exc:
            errors[f"values.{code}"] = [exc.errors.get("value", [str(exc)])[0] if isinstance(exc, Invalid) else str(exc)]
            continue
        try:
            note = clean_text(item.get("note") or "", f"values.{code}.note", MAX_NOTE)
            evidence = clean_text(item.get("evidence") or "", f"values.{code}.evidence", MAX_EVIDENCE)
        except Invalid as exc:
            errors.update(exc.errors)
            continue
        cleaned[code] = {"value": value, "note": note, "evidence": evidence}
    if errors:
        raise Invalid("Số liệu chỉ tiêu không hợp lệ.", errors)
    return cleaned


def clean_models(models):
    if not isinstance(models, list):
        raise Invalid("Dữ liệu không hợp lệ.", {"models": ["Phải là danh sách mô hình."]})
    if len(models) > MAX_MODELS:
        raise Invalid("Dữ liệu không hợp lệ.", {"models": [f"Tối đa {MAX_MODELS} mô hình."]})
    errors = {}
    cleaned = []
    for index, item in enumerate(models):
        if not isinstance(item, dict):
            errors[f"models[{index}]"] = ["Mỗi mô hình là một đối tượng có «name» và «kind»."]
            continue
        try:
            name = clean_text(item.get("name"), f"models[{index}].name", MAX_MODEL_NAME, multiline=False)
            kind = clean_text(item.get("kind") or "Khác", f"models[{index}].kind", MAX_MODEL_KIND, multiline=False)
            note = clean_text(item.get("note") or "", f"models[{index}].note", MAX_NOTE)
        except Invalid as exc:
            errors.update(exc.errors)
            continue
        if not name:
            errors[f"models[{index}].name"] = ["Nhập tên mô hình."]
            continue
        cleaned.append({"name": name, "kind": kind, "note": note})
    if errors:
        raise Invalid("Danh sách mô hình không hợp lệ.", errors)
    return cleaned


def missing_for_submit(document, targets):
    """What must still be filled in before the document can be submitted: {field: [message]}."""
    missing = {}
    sections = document.content.get("sections", {})
    for key, heading, required in SECTIONS[document.kind]:
        if required and not (sections.get(key) or "").strip():
            missing[f"sections.{key}"] = [f"Chưa viết mục «{SECTION_LABELS[key]}»."]
    if document.kind == "unit_report":
        values = document.content.get("values", {})
        for target in targets:
            entry = values.get(target.code) or {}
            if entry.get("value") is None:
                missing[f"values.{target.code}"] = [f"Chưa nhập kết quả chỉ tiêu {target.code}."]
    return missing
