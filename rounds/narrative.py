"""The narrative of the compiled report, written the way Phòng Văn hóa – Xã hội writes it.

    Thực hiện Kế hoạch số 01/KH-UBND ngày … của UBND xã … (căn cứ, then the data window)
    I.   Kết quả thực hiện: by the plan's areas, what the units did (merged) and one sentence per
         target with the commune figure and its verdict
    II.  Tồn tại, hạn chế và nguyên nhân
    III. Phương hướng, nhiệm vụ kỳ tới
    IV.  Đề xuất, kiến nghị

Units write freely, with their own numbering, bullets and headings. Their text is normalised here:
numbering and bullets stripped, their own headings dropped, the same sentence written by several
units said once with all their names, units in their natural order (xóm 1, 2, …, 12). Each
sentence goes under the area whose wording it shares most (its title, activities and targets),
else under the area of the first target the unit reports.

Everything here is a pure function of the figures and the reports: no database writes.
"""
import re
import unicodedata

from documents.dates import short_date
from organizations.ordering import unit_key
from plans.formatting import names_vn as join_names

# "1.", "2.3.", "II.", "a)", "-", "+", "•" … at the start of a unit's line, possibly repeated.
_MARKER = re.compile(r"^\s*(?:(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[a-zđ]\))\s+|[-+•*–—·▪●○]\s*)+", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVXLC]+\.|[a-zđ]\))\s+", re.IGNORECASE)
_END = ".;:!?…"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

VERDICT_WORDS = {True: "đạt", False: "chưa đạt"}
PARTIAL_VERDICT = "chưa đủ số liệu để đánh giá"
NO_BASIS_VERDICT = "chưa đủ cơ sở đánh giá"


# --- small text helpers -------------------------------------------------------------------------
def _fold(text):
    """Comparison key of a sentence: case, spacing and end punctuation do not make it different."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(_WORD.findall(text))


def _lower_first(text):
    """Lower-case the first letter of an ordinary word ("Tổ chức" → "tổ chức"), not of "VNeID"."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def quoted(text):
    return f"“{text}”"


def sentences(text):
    """A unit's section as clean sentences: numbering and bullets stripped, its own headings dropped."""
    result = []
    for raw in (text or "").split("\n"):
        line = raw.strip()
        if not line:
            continue
        numbered = bool(_NUMBERED.match(line))
        line = _MARKER.sub("", line).strip()
        if not line:
            continue
        # A unit's own heading ("2. Ứng dụng công nghệ thông tin", "Kết quả cụ thể:") is not a result.
        if numbered and line[-1] not in _END and len(line) < 100:
            continue
        if line.endswith(":") and len(line) < 80:
            continue
        result.append(line.rstrip(" ;.,"))
    return result


# --- grouping the units' text -----------------------------------------------------------------
def _bigrams(text):
    words = _WORD.findall(unicodedata.normalize("NFC", text).casefold())
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


class AreaClassifier:
    """Which area of the plan a sentence speaks of, from the words it shares with each area."""

    def __init__(self, areas, targets):
        texts = {area.number: [area.title, *area.activities] for area in areas}
        for target in targets:
            texts.setdefault(target.area.number, []).append(target.text)
        grams = {number: set().union(*(_bigrams(t) for t in lines)) for number, lines in texts.items()}
        # A pair of words every second area uses says nothing about which one is meant.
        counts = {}
        for found in grams.values():
            for gram in found:
                counts[gram] = counts.get(gram, 0) + 1
        limit = max(2, len(grams) // 2)
        self.grams = {number: {g for g in found if counts[g] < limit} for number, found in grams.items()}

    def area_of(self, sentence, default):
        found = _bigrams(sentence)
        scores = {number: len(found & grams) for number, grams in self.grams.items()}
        best = max(scores, key=lambda n: (scores[n], n == default), default=default)
        if scores.get(best, 0) >= 2 and scores[best] > scores.get(default, 0):
            return best
        return default


def grouped_lines(items):
    """items: [(unit, sentence)] in unit order -> "- Unit: s1; s2." lines, the same sentence of
    several units said once with all their names, no sentence twice."""
    by_key = {}
    order = []
    for unit, sentence in items:
        key = _fold(sentence)
        if not key:
            continue
        if key not in by_key:
            by_key[key] = [sentence, []]
            order.append(key)
        if unit not in by_key[key][1]:
            by_key[key][1].append(unit)
    lines = []
    by_units = {}
    for key in order:
        sentence, units = by_key[key]
        units_key = tuple(u.pk for u in units)
        if units_key not in by_units:
            by_units[units_key] = (units, [])
            lines.append(units_key)
        by_units[units_key][1].append(sentence)
    result = []
    for units_key in lines:
        units, said = by_units[units_key]
        body = "; ".join(_lower_first(s) if i else s for i, s in enumerate(said))
        names = join_names([u.name for u in sorted(units, key=unit_key)])
        result.append(f"- {names}: {_lower_first(body)}.")
    return result


# --- the target sentences -------------------------------------------------------------------------
def coverage_noun(units):
    return "xóm" if units and all(u.kind == "hamlet" for u in units) else "đơn vị"


def verdict_phrase(row):
    if row["met"] in VERDICT_WORDS:
        return VERDICT_WORDS[row["met"]]
    return PARTIAL_VERDICT if row["partial"] else NO_BASIS_VERDICT


def plan_phrase(target, row, number_vn, previous_label):
    comparison = target.comparison
    unit = (target.measure_unit or "").strip() or ("%" if target.input_kind == "percent" else "")
    if comparison in ("at_least", "over") and target.target_value is not None:
        figure = number_vn(target.target_value)
        figure = f"{figure}{unit}" if unit.startswith("%") else f"{figure} {unit}".strip()
        return f"kế hoạch từ {figure} trở lên" if comparison == "at_least" else f"kế hoạch trên {figure}"
    if comparison == "increase":
        before = f" (kỳ trước {previous_label})" if row.get("previous_value") is not None else " (chưa có số liệu kỳ trước để so sánh)"
        return f"kế hoạch tăng so với kỳ trước{before}"
    if comparison == "as_required":
        return "kế hoạch đạt theo quy định"
    return ""


def target_sentence(target, row, *, number_vn, previous_label):
    text = target.text.rstrip(" .")
    if isinstance(row["value"], bool):
        result = f"kết quả {row['value_label'].lower()}"
    elif row["value"] is not None:
        result = f"kết quả {row['value_label']}"
        if row["partial"]:
            result += f" ({row['coverage_label']})"
    else:
        result = "chưa có số liệu"
        if row["expected"]:
            result += f" ({row['coverage_label']})"
    parts = [result]
    phrase = plan_phrase(target, row, number_vn, previous_label)
    if phrase:
        parts.append(phrase)
    parts.append(verdict_phrase(row))
    return f"- Chỉ tiêu {row['code']} {quoted(text)}: {'; '.join(parts)}."


# --- the sections -------------------------------------------------------------------------------
def plan_citation(plan, plan_document):
    """"Kế hoạch số 01/KH-UBND ngày 20/5/2026 của UBND xã Diễn Châu về triển khai …"."""
    subject = plan.title[:1].lower() + plan.title[1:]
    if plan_document is not None and plan_document.number_label and plan_document.issued_on:
        return (
            f"Kế hoạch số {plan_document.number_label} ngày {short_date(plan_document.issued_on)} "
            f"của {plan.commune.short_name} về {subject}"
        )
    return f"Kế hoạch của {plan.commune.short_name} về {subject}"


def opening(period, plan, plan_document, received, expected):
    return (
        f"Thực hiện {plan_citation(plan, plan_document)}; trên cơ sở báo cáo của {received}/{expected} cơ quan, đơn vị, "
        f"{plan.commune.short_name} báo cáo kết quả thực hiện {period.name.lower()} như sau (số liệu tính từ ngày "
        f"{short_date(period.data_start)} đến ngày {short_date(period.data_end)}):"
    )


def initiative_lines(reports, areas_text):
    """[(area number or None, unit, sentence)] for the models/initiatives units built in the period."""
    found = []
    for doc in reports:
        for item in doc.typed_content.initiatives:
            kind = (item.kind or "").strip()
            name = item.name.strip()
            if name[:8].casefold() == "mô hình " and len(name) > 8:
                name = name[8:].strip()
            sentence = f"xây dựng mô hình {quoted(name)}"
            if kind and kind != "Khác" and _fold(kind) != _fold(item.name):
                sentence += f" (loại mô hình {quoted(kind)})"
            if item.note:
                sentence += f": {item.note.rstrip(' .;')}"
            area = next((number for number, text in areas_text.items() if kind and _fold(kind) in text), None)
            found.append((area, doc.unit, sentence))
    return found


def missing_line(missing_units, returned_units):
    if not missing_units:
        return None
    names = join_names([u.name for u in missing_units])
    line = f"- Còn {len(missing_units)} cơ quan, đơn vị chưa có báo cáo được duyệt: {names}"
    if returned_units:
        line += f"; trong đó báo cáo của {join_names([u.name for u in returned_units])} bị trả lại để bổ sung, hoàn thiện"
    return line + "; các chỉ tiêu do các đơn vị này báo cáo mới có số liệu một phần."
