"""Vietnamese display of target values, figures and dates: decimal comma, dd/mm/yyyy.

One formatter per kind of value, used by the Word documents, the compiled report, the diff, the
API, the web pages and the spreadsheets alike, so a value reads the same everywhere:

    percent   "96,5%"  (decimal comma, no space before %, as in the plan: "≥ 95%")
    verdict   "Đạt" / "Chưa đạt" (a boolean value, and whether a target is met)
    missing   "Chưa có số liệu"

Dates inside official documents use documents.dates (ND30).
"""
import re
from datetime import datetime
from decimal import Decimal

from django.utils import timezone


def date_vn(value):
    """dd/mm/yyyy for screens, spreadsheets and e-mails; documents use documents.dates."""
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_vn(value):
    """A moment in the commune's local time (settings.TIME_ZONE) as dd/mm/yyyy hh:mm; accepts an
    ISO 8601 string as stored in JSON content. '' when there is none or it does not parse."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, datetime):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


_NUMBERED_NAME = re.compile(r"^(.*?\D)(\d+)(\s*\(mẫu\))?$")


def _and(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" và {items[-1]}"


def names_vn(names):
    """"A, B và C"; neighbours numbered alike ("Ban cán sự xóm 1 (mẫu)", "… xóm 2 (mẫu)") said
    once: "Ban cán sự xóm 1, 2 và 3 (mẫu)"."""
    groups = []  # [(head, tail, [numbers]) or (name, None, None)]
    for name in names:
        match = _NUMBERED_NAME.match(name)
        if match:
            head, number, tail = match.group(1), match.group(2), match.group(3) or ""
            if groups and groups[-1][1] is not None and groups[-1][:2] == (head, tail):
                groups[-1][2].append(number)
                continue
            groups.append((head, tail, [number]))
        else:
            groups.append((name, None, None))
    parts = [head if numbers is None else f"{head}{_and(numbers)}{tail}" for head, tail, numbers in groups]
    if not parts:
        return ""
    return _and(parts)


def number_vn(value, decimals=2):
    """12.5 -> '12,5'; 1234.0 -> '1.234'; at most `decimals` decimals, trailing zeros dropped."""
    if value is None:
        return ""
    quantized = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals))
    sign = "-" if quantized < 0 else ""
    integer, _, fraction = f"{abs(quantized):f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = ".".join(groups)
    fraction = fraction.rstrip("0")
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


MISSING = "Chưa có số liệu"
ACHIEVED = "Đạt"
NOT_ACHIEVED = "Chưa đạt"
NOT_JUDGED = "Chưa đánh giá"


def percent_vn(value):
    """96.5 -> '96,5%'."""
    return f"{number_vn(value)}%"


def verdict_vn(met):
    """True -> 'Đạt', False -> 'Chưa đạt', None -> 'Chưa đánh giá'."""
    if met is None:
        return NOT_JUDGED
    return ACHIEVED if met else NOT_ACHIEVED


def assessment_vn(met, partial):
    """The assessment printed in tables: like verdict_vn, but a figure resting on part of the units'
    data, which is never judged, reads 'Chưa đủ số liệu'."""
    if met is None and partial:
        return "Chưa đủ số liệu"
    return verdict_vn(met)


def count_unit(measure_unit):
    """'mô hình/năm' -> 'mô hình' (what is counted), '%' -> ''."""
    unit = (measure_unit or "").strip()
    if unit == "%":
        return ""
    return unit.split("/")[0].strip()


def _with_unit(number, unit):
    unit = (unit or "").strip()
    if unit.startswith("%"):
        return f"{number}{unit}"  # "96,5%", "100% xóm"
    return f"{number} {unit}".strip()


def unit_value_label(target, value):
    """How one unit's reported value reads: 'Đạt', '96,5%', '2 mô hình', the text, or
    'Chưa có số liệu'. `target` may be None (a target since removed from the plan)."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return verdict_vn(value)
    if isinstance(value, str):
        return value
    if target is None:
        return number_vn(value)
    if target.input_kind == "percent":
        return percent_vn(value)
    return _with_unit(number_vn(value), count_unit(target.measure_unit))


def value_label(target, value):
    """How the commune-level (compiled) value reads: '91,67% xóm', '3 mô hình', 'Đạt'."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return verdict_vn(value)
    if isinstance(value, str):
        return value
    if target.aggregation == "share_yes":
        unit = (target.measure_unit or "").strip()
        return _with_unit(number_vn(value), unit if unit.startswith("%") else "%")
    if target.input_kind == "percent":
        return percent_vn(value)
    if target.aggregation == "sum":
        return _with_unit(number_vn(value), count_unit(target.measure_unit))
    return _with_unit(number_vn(value), target.measure_unit)


def target_label(target):
    """'≥ 95%', '> 90%', '≥ 1 mô hình/năm', 'Tăng', 'Theo quy định'."""
    comparison = target.comparison
    if comparison == "achieved":
        return "Đạt"
    if comparison == "increase":
        return "Tăng"
    if comparison == "as_required":
        return "Theo quy định"
    if target.target_value is None:
        return ""
    unit = (target.measure_unit or "").strip() or ("%" if target.input_kind == "percent" else "")
    figure = _with_unit(number_vn(target.target_value), unit)
    return f"> {figure}" if comparison == "over" else f"≥ {figure}"
