"""Dates as Nghị định 30/2020 writes them.

Days 01–09 and months 01–02 take a leading zero; months 3–12 do not
("ngày 06 tháng 5 năm 2026", "ngày 05 tháng 01 năm 2027").
"""

BLANK_DAY = "    "


def day_part(day):
    return f"{day:02d}"


def month_part(month):
    return f"{month:02d}" if month < 3 else str(month)


def long_date(value):
    """`ngày 06 tháng 5 năm 2026`."""
    return f"ngày {day_part(value.day)} tháng {month_part(value.month)} năm {value.year}"


def blank_long_date(month, year):
    """The date of a draft: the day is left blank for the văn thư, as in the seed plan."""
    return f"ngày{BLANK_DAY}tháng {month_part(month)} năm {year}"


def short_date(value):
    """`14/6/2026`, `05/01/2027`: the same zero rule in numeric form."""
    return f"{day_part(value.day)}/{month_part(value.month)}/{value.year}"


def place_and_date(place, value=None, *, month=None, year=None):
    """`Diễn Châu, ngày 06 tháng 5 năm 2026`, or the blank-day form when `value` is None."""
    if value is not None:
        return f"{place}, {long_date(value)}"
    return f"{place}, {blank_long_date(month, year)}"
