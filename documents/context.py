"""What a Word template receives: one plain dict per document, the same keys for every kind.

    draft        bool: print the "DỰ THẢO" mark
    header       {parent_lines, body_lines, number, place_date}
    title        trích yếu
    addressee    "Kính gửi" line (unit reports)
    sections     [{key, heading, intro, table, after, lines}] in order; lines are {text, bold}
    targets      table rows (unit report: code, text, value, note;
                 summary: code, text, target, result, details, assessment)
    recipients   Nơi nhận lines, already punctuated ("- ...;", last "- Lưu: VT, ....")
    signature    {lines, name}

Everything here is data, read from the document's typed content (workflows.content) and
formatted by plans.formatting: templates only place it. User text is cleaned (NFC, no control
characters) and later printed literally by the renderer.
"""
import unicodedata

from django.utils import timezone

from plans.formatting import MISSING, assessment_vn, datetime_vn, names_vn, unit_value_label
from workflows.content import SECTIONS
from workflows.services import targets_for

from . import dates
from .markup import clean, clean_data, parse_lines, punctuated_recipients, with_end_mark
from .register import TYPE_ABBREVIATIONS

KNOWN_VARIABLES = frozenset(
    {"draft", "header", "title", "addressee", "sections", "targets", "recipients", "signature"}
)
BLANK_NUMBER = "     "  # "Số:" + 6 spaces + "/KH-UBND", as in the seed
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]
UNIT_REPORT_DRAFT_STATES = ("draft", "returned")


def roman(number):
    return ROMAN[number - 1] if number <= len(ROMAN) else str(number)


def _lower(text):
    return unicodedata.normalize("NFC", text or "").strip().lower()


# --- header ---------------------------------------------------------------------------------
def _is_final(document, final):
    return bool(final or (document.state == "issued" and document.number_label))


def _commune_header(document, final, today):
    commune = document.commune
    abbreviation = TYPE_ABBREVIATIONS[document.kind]
    if _is_final(document, final):
        number = document.number_label
        place_date = dates.place_and_date(commune.place_name, document.issued_on or today)
    else:
        number = f"{BLANK_NUMBER}/{abbreviation}-{commune.abbreviation}"
        place_date = dates.place_and_date(commune.place_name, month=today.month, year=today.year)
    return {
        "parent_lines": [],
        "body_lines": list(commune.header_lines) or [commune.collective_title, commune.place_name.upper()],
        "number": number,
        "place_date": place_date,
    }


def unit_number(document):
    """The number of the unit's own register (given on submit), blank before."""
    if document.number_label:
        return document.number_label
    return f"{BLANK_NUMBER}/BC-{document.unit.abbreviation}"


def _unit_header(document, today):
    commune = document.commune
    if document.state in UNIT_REPORT_DRAFT_STATES or document.submitted_at is None:
        place_date = dates.place_and_date(commune.place_name, month=today.month, year=today.year)
    else:
        place_date = dates.place_and_date(commune.place_name, timezone.localdate(document.submitted_at))
    return {
        "parent_lines": [commune.short_name.upper()],
        "body_lines": [document.unit.name.upper()],
        "number": unit_number(document),
        "place_date": place_date,
    }


# --- signature and recipients ----------------------------------------------------------
def commune_signature(document):
    """The actual signer once signed; before that, the signer the plan names."""
    commune = document.commune
    collective = f"TM. {commune.collective_title}"
    signer = document.signer
    if signer is not None:
        position = _lower(signer.position)
        name = signer.full_name or signer.get_full_name() or signer.username
        if "phó chủ tịch" in position:
            return {"lines": [collective, f"KT. {commune.chairman_title}", commune.vice_chairman_title], "name": name}
        if "chủ tịch" in position:
            return {"lines": [collective, commune.chairman_title], "name": name}
        if signer.position:
            return {"lines": [collective, signer.position.upper()], "name": name}
    planned = document.plan.signer or {}
    lines = list(planned.get("lines") or [collective, commune.chairman_title])
    return {"lines": lines, "name": planned.get("name", "")}


def unit_signature(document):
    unit = document.unit
    return {"lines": [(unit.head_title or "Thủ trưởng đơn vị").upper()], "name": unit.head_name}


def recipients(document):
    plan = document.plan
    if document.kind == "plan":
        return punctuated_recipients(plan.recipients, plan.archive_line)
    if document.kind == "summary_report":
        return punctuated_recipients(plan.recipients, f"VT, {document.unit.abbreviation}")
    items = ["Như trên"]
    coordinator = plan.coordinator
    if coordinator is not None and coordinator.pk != document.unit_id:
        items.append(f"{coordinator.name} (để tổng hợp)")
    return punctuated_recipients(items, f"VT, {document.unit.abbreviation}")


# --- body -----------------------------------------------------------------------------------
def period_line(period):
    if period is None:
        return None
    return f"Số liệu tính từ ngày {dates.short_date(period.data_start)} đến ngày {dates.short_date(period.data_end)}."


def _line(text):
    return {"text": text, "kind": "plain", "bold": False}


def unit_rows(content, targets):
    rows = []
    for target in targets:
        entry = content.entry(target.code)
        rows.append(
            {
                "code": target.code,
                "text": target.text,
                "value": unit_value_label(target, entry.value),
                "note": entry.note,
            }
        )
    return rows


def initiative_name(name):
    """The initiative's own name, without a leading "Mô hình" the line already says."""
    name = (name or "").strip()
    if name[:8].casefold() == "mô hình " and len(name) > 8:
        return name[8:].strip()
    return name


def initiative_lines(initiatives):
    """The models (mô hình) built in the period: “quoted” names, each item ending with ";", the last with "."."""
    if not initiatives:
        return [_line("Mô hình đã xây dựng trong kỳ: chưa có.")]
    lines = [_line("Các mô hình đã xây dựng trong kỳ:")]
    for index, initiative in enumerate(initiatives):
        text = f"- Mô hình “{initiative_name(initiative.name)}”"
        if initiative.kind and initiative.kind != "Khác":
            text += f" (loại mô hình “{initiative.kind}”)"
        if initiative.note:
            text += f": {initiative.note.rstrip(' .;')}"
        lines.append(_line(text.rstrip(" .;") + ("." if index == len(initiatives) - 1 else ";")))
    return lines


def _result(item):
    result = item.value_label or MISSING
    if item.partial and item.coverage_label:
        result += f" ({item.coverage_label})"
    return result


def summary_rows(compiled):
    rows = []
    for item in compiled.targets:
        details = []
        if len(item.contributions) > 1 or item.missing_units:
            details = [f"{c.unit}: {c.value_label}" for c in item.contributions]
        if item.missing_units:
            details.append("Chưa báo cáo: " + names_vn(item.missing_units))
        rows.append(
            {
                "code": item.code,
                "text": item.text,
                "target": item.target_label,
                "result": _result(item),
                "details": "\n".join(details),
                "assessment": assessment_vn(item.met, item.partial),
            }
        )
    return rows


def _compiled_at(compiled):
    """" (số liệu tổng hợp lúc 01/12/2026 21:34)": the commune's local time, as on every screen."""
    moment = datetime_vn(compiled.computed_at)
    return f" (số liệu tổng hợp lúc {moment})" if moment else ""


def build_sections(kind, texts, *, opening_extra=None, results=None):
    """Number the printed sections I., II., ... and put "./." after the last sentence."""
    sections = []
    number = 0
    for key, heading, _required in SECTIONS[kind]:
        section = {"key": key, "heading": "", "intro": [], "table": False, "after": [], "lines": parse_lines(texts.get(key))}
        if heading is None and opening_extra:
            section["lines"].append(_line(opening_extra))
        if key == "results" and results is not None:
            section.update(results)
        if not (section["lines"] or section["intro"] or section["after"] or section["table"]):
            continue
        if heading is not None:
            number += 1
            section["heading"] = f"{roman(number)}. {heading.upper()}"
        sections.append(section)
    for section in reversed(sections):
        group = next((section[name] for name in ("lines", "after", "intro") if section[name]), None)
        if group:
            group[-1]["text"] = with_end_mark(group[-1]["text"])
            break
    return sections


def build_context(document, *, final=False, today=None):
    today = today or timezone.localdate()
    kind = document.kind
    content = document.typed_content
    texts = content.sections
    context = {
        "draft": False,
        "title": document.title,
        "addressee": "",
        "targets": [],
        "recipients": recipients(document),
    }
    if kind == "unit_report":
        targets = targets_for(document)
        rows = unit_rows(content, targets)
        results = {
            "intro": [_line("Kết quả thực hiện các chỉ tiêu được giao:" if rows else "Đơn vị không được giao báo cáo chỉ tiêu nào trong kỳ.")],
            "table": bool(rows),
            "after": initiative_lines(content.initiatives),
        }
        context.update(
            draft=document.state in UNIT_REPORT_DRAFT_STATES,
            header=_unit_header(document, today),
            addressee=document.commune.name,
            sections=build_sections(kind, texts, opening_extra=period_line(document.period), results=results),
            targets=rows,
            signature=unit_signature(document),
        )
    else:
        results = None
        if kind == "summary_report":
            compiled = content.compiled
            rows = summary_rows(compiled) if compiled else []
            if rows:
                intro = f"Kết quả thực hiện các chỉ tiêu của Kế hoạch{_compiled_at(compiled)}:"
            else:
                intro = "Số liệu các chỉ tiêu chưa được tổng hợp từ báo cáo của các đơn vị."
            results = {"intro": [_line(intro)], "table": bool(rows), "after": []}
            context["targets"] = rows
        opening = None
        if kind == "summary_report" and "số liệu" not in clean(texts.get("preamble")).lower():
            # The compiled draft states the data window in its opening; say it when nobody did.
            opening = period_line(document.period)
        context.update(
            draft=not _is_final(document, final),
            header=_commune_header(document, final, today),
            sections=build_sections(kind, texts, opening_extra=opening, results=results),
            signature=commune_signature(document),
        )
    return clean_data(context)
