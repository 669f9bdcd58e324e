"""Year-end evaluation (ranking with weights and reasons), round status, Excel exports, query counts."""
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from rounds.compile import create_summary
from rounds.evaluation import Weights, evaluate_year
from rounds.exports import compiled_xlsx, evaluation_xlsx, round_status_xlsx
from rounds.models import RoundSettings
from rounds.selectors import round_status
from rounds.services import open_round
from workflows.services import perform_transition

from tests.helpers.workflow import add_xom, approve, demo, fill, opened, period, submit, the_plan

pytestmark = pytest.mark.django_db

GREEN = [{"name": "Xóm số", "kind": "Xóm số"}, {"name": "Đường hoa", "kind": "Đường hoa"}]


def by_code(rows):
    return {row.unit_code: row for row in rows}


def two_rounds_of_2026(clock):
    """xom-01: on time, all met, two models. xom-02: late, returned once, one target missed.
    xom-03: approved on time in H1, nothing in Y. The other units never submit."""
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    clock.set(2026, 6, 10, 8, 0)
    approve(h1, "xom-01", values={"1.3": 95, "4.2": 2}, initiatives=GREEN)
    approve(h1, "xom-03", values={"1.3": 95, "4.2": 1})
    clock.set(2026, 6, 25, 8, 0)  # after the deadline of 19/06
    document = submit(h1, "xom-02", values={"1.3": 85, "4.2": 1})
    perform_transition(document.pk, demo("vhxh"), "start_review")
    perform_transition(document.pk, demo("vhxh"), "return", "Số liệu chưa khớp.")
    fill(h1, "xom-02", values={"1.3": 85, "4.2": 1}, initiatives=[GREEN[0]])
    perform_transition(document.pk, demo("xom-02"), "submit")
    perform_transition(document.pk, demo("vhxh"), "start_review")
    perform_transition(document.pk, demo("vhxh"), "approve")
    clock.set(2026, 12, 1, 8, 0)
    year = opened("2026-Y")
    clock.set(2026, 12, 15, 8, 0)
    approve(year, "xom-01", values={"1.3": 96, "4.2": 3}, initiatives=GREEN)  # same models: counted once
    clock.set(2027, 1, 5, 8, 0)  # both deadlines have passed
    return h1, year


def test_ranking_with_reasons(clock):
    two_rounds_of_2026(clock)
    rows = evaluate_year(the_plan(), 2026)
    assert [r.unit_code for r in rows[:3]] == ["xom-01", "xom-03", "xom-02"]
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    first, third, second = by_code(rows)["xom-01"], by_code(rows)["xom-02"], by_code(rows)["xom-03"]
    # xom-01: 6/6 targets (1.2 yes, 1.3 > 90, 4.2 ≥ 1 in both reports), 2/2 on time, no return, 2 models.
    assert (first.targets_met, first.targets_judged, first.on_time, first.reports, first.returns, first.initiatives) == (6, 6, 2, 2, 0, 2)
    assert first.score == Decimal("50") + Decimal("30") + Decimal("10")
    assert first.reasons == [
        "Đạt 6/6 chỉ tiêu trong các báo cáo đã duyệt (100%): +50 điểm.",
        "Nộp đúng hạn 2/2 báo cáo: +30 điểm.",
        "Không bị trả lại lần nào.",
        "Xây dựng 2 mô hình (Xóm số, Đường hoa): +10 điểm.",
    ]
    # xom-02: 2/3 met (1.3 = 85 is not > 90), late in H1 and never submitted in Y, one return, one model.
    assert (third.targets_met, third.targets_judged, third.on_time, third.returns, third.initiatives) == (2, 3, 0, 1, 1)
    assert third.score == Decimal("33.33") + Decimal("0") - Decimal("5") + Decimal("5")
    assert "Bị trả lại 1 lần: −5 điểm." in third.reasons
    assert "Nộp đúng hạn 0/2 báo cáo: +0 điểm (chậm hoặc chưa nộp: 6 tháng đầu năm 2026, năm 2026)." in third.reasons
    assert second.score == Decimal("50") + Decimal("15")
    never = by_code(rows)["congan"]
    assert never.score == 0 and not never.reported
    assert never.reasons[:2] == [
        "Chưa báo cáo: đơn vị chưa trình báo cáo nào trong năm 2026; xếp cuối bảng.",
        "Chưa có báo cáo nào được duyệt trong năm: 0 điểm chỉ tiêu.",
    ]
    assert all(r.reported for r in rows[:3]) and not any(r.reported for r in rows[3:])


def test_a_report_not_yet_due_is_neither_on_time_nor_late(clock):
    two_rounds_of_2026(clock)
    clock.set(2026, 12, 16, 8, 0)  # the annual deadline (19/12) has not passed yet
    rows = by_code(evaluate_year(the_plan(), 2026))
    assert (rows["xom-03"].on_time, rows["xom-03"].reports) == (1, 1)
    assert "Nộp đúng hạn 1/1 báo cáo: +30 điểm." in rows["xom-03"].reasons
    assert rows["congan"].reasons[2] == "Nộp đúng hạn 0/1 báo cáo: +0 điểm (chậm hoặc chưa nộp: 6 tháng đầu năm 2026)."
    assert rows["xom-01"].reports == 2  # submitted early: counted
    clock.set(2026, 6, 15, 8, 0)  # before the first deadline
    assert by_code(evaluate_year(the_plan(), 2026))["congan"].reasons[2] == "Chưa có báo cáo nào đến hạn nộp: 0 điểm đúng hạn."


def test_weights_change_the_ranking(clock):
    two_rounds_of_2026(clock)
    RoundSettings.objects.create(
        commune=the_plan().commune, weight_targets=0, weight_on_time=0, weight_return=0, weight_initiative=10, max_initiative_points=100
    )
    rows = by_code(evaluate_year(the_plan(), 2026))
    assert rows["xom-02"].rank < rows["xom-03"].rank  # one model beats none when only models count
    assert rows["xom-01"].score == 20 and rows["xom-02"].score == 10
    capped = evaluate_year(the_plan(), 2026, Weights(targets=Decimal(0), on_time=Decimal(0), per_initiative=Decimal(10), max_initiatives=Decimal(15)))
    assert by_code(capped)["xom-01"].score == 15
    assert "(tối đa 15 điểm)" in by_code(capped)["xom-01"].reasons[-1]


def test_ties_are_broken_by_unit_order_every_time(clock):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    for code in ("xom-05", "xom-04"):
        approve(h1, code, values={"1.3": 95, "4.2": 1})
    for _ in range(3):
        rows = evaluate_year(the_plan(), 2026)
        assert [r.unit_code for r in rows[:2]] == ["xom-04", "xom-05"]
        assert rows[0].score == rows[1].score


def test_round_status_shows_state_submission_overdue_and_returns(clock):
    h1, _ = two_rounds_of_2026(clock)
    clock.set(2026, 6, 30, 8, 0)
    rows = {row.unit.code: row for row in round_status(h1)}
    assert len(rows) == 25
    assert rows["xom-01"].state_label == "Đã duyệt" and rows["xom-01"].on_time is True
    assert rows["xom-02"].returns == 1 and rows["xom-02"].on_time is False and rows["xom-02"].overdue is False
    assert rows["xom-02"].submitted_late is True and rows["xom-01"].submitted_late is False
    assert rows["congan"].overdue is True and rows["congan"].state_label == "Dự thảo"
    assert str(rows["xom-02"].submitted_on) == "2026-06-25"


def test_round_status_of_a_round_not_yet_opened():
    rows = round_status(period("2027-H1"))
    assert len(rows) == 25 and {row.state_label for row in rows} == {"Chưa mở kỳ"}


def _queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def test_round_status_and_evaluation_run_a_constant_number_of_queries(clock):
    h1, _ = two_rounds_of_2026(clock)
    plan = the_plan()
    status_small = _queries(lambda: round_status(h1))
    evaluation_small = _queries(lambda: evaluate_year(plan, 2026))
    export_small = _queries(lambda: round_status_xlsx(h1))
    add_xom(7)
    open_round(period("2026-H1"), demo("vhxh"))
    for code in ("xom-moi-0", "xom-moi-1"):
        approve(period("2026-H1"), code, values={"1.2": True, "1.3": 99, "4.2": 1})
    h1 = period("2026-H1")
    assert len(round_status(h1)) == 32
    assert _queries(lambda: round_status(h1)) == status_small <= 5
    assert _queries(lambda: evaluate_year(plan, 2026)) == evaluation_small <= 6
    assert _queries(lambda: round_status_xlsx(h1)) == export_small


def _sheet(content):
    workbook = load_workbook(BytesIO(content))
    return workbook, workbook.worksheets[0]


def test_round_status_workbook(clock):
    h1, _ = two_rounds_of_2026(clock)
    clock.set(2026, 6, 30, 8, 0)
    workbook, sheet = _sheet(round_status_xlsx(h1))
    headers = [c.value for c in sheet[1]]
    assert headers == ["STT", "Đơn vị", "Trạng thái", "Ngày trình", "Hạn nộp", "Đúng hạn", "Quá hạn", "Số lần bị trả lại", "Chỉ tiêu báo cáo"]
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 40
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(rows) == 25
    xom2 = rows["Ban cán sự xóm 2 (mẫu)"]
    assert xom2[2] == "Đã duyệt" and xom2[3].date().isoformat() == "2026-06-25" and xom2[5] == "Không" and xom2[7] == 1
    assert rows["Công an xã"][6] == "Quá hạn"
    assert sheet.cell(row=2, column=4).number_format == "dd/mm/yyyy"
    assert workbook["Thông tin kỳ"]["B3"].value == "15/12/2025"


def test_compiled_workbook_has_percent_formats(clock):
    clock.set(2026, 6, 1, 8, 0)
    h1 = opened("2026-H1")
    approve(h1, "xom-01", values={"1.2": True, "1.3": 92.5})
    approve(h1, "vhxh", values={"3.1": 2})
    workbook, sheet = _sheet(compiled_xlsx(create_summary(h1, demo("vhxh"))))
    assert [c.value for c in sheet[1]][:6] == ["Mã", "Chỉ tiêu", "Chỉ tiêu đề ra", "Kết quả", "Kết quả (hiển thị)", "Đánh giá"]
    rows = {r[0]: (r, i) for i, r in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2)}
    assert len(rows) == 13
    row, index = rows["1.3"]
    assert row[3] == pytest.approx(0.925) and row[4] == "92,5%" and row[5] == "Chưa đủ số liệu"  # 1 of 12 xóm
    assert sheet.cell(row=index, column=4).number_format == "0.00%"
    row, _ = rows["1.2"]
    assert row[4] == "100% xóm" and "Ban cán sự xóm 2 (mẫu)" in row[7]
    assert rows["3.1"][0][3] == 2 and rows["3.1"][0][4] == "2 mô hình"
    assert rows["1.1"][0][5] == "Chưa đạt" and rows["2.1"][0][5] == "Chưa đủ số liệu"
    assert sheet.freeze_panes == "A2"


def test_evaluation_workbook(clock):
    two_rounds_of_2026(clock)
    _, sheet = _sheet(evaluation_xlsx(the_plan(), 2026))
    assert sheet.title == "Đánh giá thi đua 2026"
    assert [c.value for c in sheet[1]][:3] == ["Xếp hạng", "Đơn vị", "Điểm"]
    first = [c.value for c in sheet[2]]
    assert first[0] == 1 and first[1] == "Ban cán sự xóm 1 (mẫu)" and first[2] == 90
    assert first[5] == 1 and sheet.cell(row=2, column=6).number_format == "0.00%"
    assert "Nộp đúng hạn 2/2 báo cáo" in first[10]
