"""Reporting periods and their data windows (Nghị định 09/2019/NĐ-CP, Điều 12).

6 tháng đầu năm: 15/12 of the previous year to 14/6; cả năm: 15/12 of the previous year to 14/12.
A phase review (sơ kết / tổng kết) covers the phase, from 15/12 before its first year to 14/12
of its last year (the tổng kết covers the whole plan).
"""
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodSpec:
    code: str
    kind: str
    year: int
    name: str
    data_start: dt.date
    data_end: dt.date
    deadline: dt.date


def half_year_window(year):
    return dt.date(year - 1, 12, 15), dt.date(year, 6, 14)


def year_window(year):
    return dt.date(year - 1, 12, 15), dt.date(year, 12, 14)


def period_specs(start_year, end_year, phases, deadline_days):
    """All periods of a plan: YYYY-H1 and YYYY-Y each year, plus one review per phase."""
    delta = dt.timedelta(days=deadline_days)
    specs = []
    for year in range(start_year, end_year + 1):
        start, end = half_year_window(year)
        specs.append(PeriodSpec(f"{year}-H1", "H1", year, f"6 tháng đầu năm {year}", start, end, end + delta))
        start, end = year_window(year)
        specs.append(PeriodSpec(f"{year}-Y", "Y", year, f"năm {year}", start, end, end + delta))
    for phase in phases:
        kind = phase["review"]
        first = start_year if kind == "TK" else phase["start_year"]
        last = phase["end_year"]
        start, end = year_window(first)[0], year_window(last)[1]
        label = "Sơ kết" if kind == "SK" else "Tổng kết"
        name = f"{label} giai đoạn {first} – {last}"
        specs.append(PeriodSpec(f"{last}-{kind}", kind, last, name, start, end, end + delta))
    return specs
