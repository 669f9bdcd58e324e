"""Excel workbooks (.xlsx) the commune offices exchange: round status, compiled figures, evaluation.

Each function returns the file as bytes. Headers are bold on a shaded, frozen first row; dates are
real dates shown dd/mm/yyyy; percentages are stored as fractions with the 0.00% format. Every
cell is written through documents.spreadsheets, so user text (titles, unit names, notes) is
always text, never a formula.
"""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from documents.spreadsheets import append_row, set_cell
from plans.formatting import date_vn, datetime_vn, verdict_vn

from .compile import verdict_label
from .selectors import evaluation, round_status

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.00%"
NUMBER_FORMAT = "#,##0.00"


def _sheet(workbook, title, columns, first=False):
    """columns: [(header, width)]. Returns the sheet with its frozen, styled header row."""
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    for index, (header, width) in enumerate(columns, start=1):
        cell = set_cell(sheet, 1, index, header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet, values, formats=None):
    row = append_row(sheet, values)
    for index in range(1, len(values) + 1):
        cell = sheet.cell(row=row, column=index)
        cell.alignment = WRAP
        fmt = (formats or {}).get(index)
        if fmt:
            cell.number_format = fmt


def _bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def round_status_xlsx(period, today=None, rows=None):
    """The matrix of rounds.selectors.round_status (the rows the page shows, when given)."""
    rows = rows if rows is not None else round_status(period, today)
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        "Tình hình nộp báo cáo",
        [("STT", 6), ("Đơn vị", 40), ("Trạng thái", 16), ("Ngày trình", 13), ("Hạn nộp", 13),
         ("Đúng hạn", 11), ("Quá hạn", 10), ("Số lần bị trả lại", 11), ("Chỉ tiêu báo cáo", 28)],
        first=True,
    )
    for index, row in enumerate(rows, start=1):
        _append(
            sheet,
            [index, row.unit.name, row.state_label, row.submitted_on, period.deadline,
             "Có" if row.on_time else "Không", "Quá hạn" if row.overdue else "", row.returns, ", ".join(row.targets)],
            {4: DATE_FORMAT, 5: DATE_FORMAT},
        )
    info = workbook.create_sheet("Thông tin kỳ")
    for label, value in (
        ("Kỳ báo cáo", period.name),
        ("Mã kỳ", period.code),
        ("Số liệu từ ngày", date_vn(period.data_start)),
        ("Số liệu đến ngày", date_vn(period.data_end)),
        ("Hạn nộp", date_vn(period.deadline)),
    ):
        append_row(info, [label, value])
    info.column_dimensions["A"].width = 20
    info.column_dimensions["B"].width = 40
    return _bytes(workbook)


def compiled_xlsx(document):
    compiled = document.typed_content.compiled
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        "Số liệu tổng hợp",
        [("Mã", 7), ("Chỉ tiêu", 50), ("Chỉ tiêu đề ra", 18), ("Kết quả", 14), ("Kết quả (hiển thị)", 20),
         ("Đánh giá", 14), ("Đơn vị đóng góp", 50), ("Đơn vị chưa có báo cáo được duyệt", 40),
         ("Phạm vi số liệu", 26)],
        first=True,
    )
    for row in compiled.targets if compiled else []:
        value = row.value
        fmt = None
        if isinstance(value, bool):
            value = verdict_vn(value)
        elif isinstance(value, (int, float)) and row.is_percent:
            value, fmt = value / 100, PERCENT_FORMAT
        elif isinstance(value, (int, float)):
            fmt = "#,##0.##"
        contributions = "\n".join(f"{c.unit}: {c.value_label}" for c in row.contributions)
        _append(
            sheet,
            [row.code, row.text, row.target_label, value, row.value_label,
             verdict_label(row), contributions, "\n".join(row.missing_units),
             row.coverage_label if row.partial else ""],
            {4: fmt} if fmt else None,
        )
    meta = workbook.create_sheet("Thông tin")
    append_row(meta, ["Văn bản", document.title])
    if document.period_id:
        append_row(meta, ["Kỳ báo cáo", document.period.name])
        append_row(meta, ["Số liệu", f"Từ ngày {date_vn(document.period.data_start)} đến ngày {date_vn(document.period.data_end)}"])
    append_row(meta, ["Tổng hợp lúc", datetime_vn(compiled.computed_at) if compiled else ""])
    meta.column_dimensions["A"].width = 18
    meta.column_dimensions["B"].width = 80
    return _bytes(workbook)


def evaluation_xlsx(plan, year, rows=None):
    """The ranking of rounds.selectors.evaluation (the rows the page shows, when given)."""
    rows = rows if rows is not None else evaluation(plan, year).rows
    workbook = Workbook()
    sheet = _sheet(
        workbook,
        f"Đánh giá thi đua {year}",
        [("Xếp hạng", 9), ("Đơn vị", 40), ("Điểm", 10), ("Chỉ tiêu đạt", 11), ("Chỉ tiêu được đánh giá", 12),
         ("Tỷ lệ chỉ tiêu đạt", 12), ("Số báo cáo", 10), ("Nộp đúng hạn", 10), ("Số lần bị trả lại", 11),
         ("Số mô hình", 10), ("Căn cứ chấm điểm", 90)],
        first=True,
    )
    for row in rows:
        share = float(row.met_share) if row.targets_judged else None
        _append(
            sheet,
            [row.rank, row.unit, float(row.score), row.targets_met, row.targets_judged, share, row.reports, row.on_time,
             row.returns, row.initiatives, "\n".join(row.reasons)],
            {3: NUMBER_FORMAT, 6: PERCENT_FORMAT},
        )
    return _bytes(workbook)
