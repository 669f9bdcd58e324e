"""Sentences the reporting rounds print; value and date formatting lives in plans.formatting."""
from documents.dates import short_date


def data_window_sentence(period):
    """The Nghị định 09/2019 data window, as printed in the reports (dates in the ND30 numeric form)."""
    return f"Số liệu tính từ ngày {short_date(period.data_start)} đến ngày {short_date(period.data_end)}."
