"""Search without diacritics, filters, dashboards (units × state, targets with charts), rounds."""
import re

import pytest

from accounts.models import User
from plans.models import Period
from workflows.search import fold
from tests.helpers.web import client_for, filled_report, opened_report
from workflows.models import Document, Kind

pytestmark = pytest.mark.django_db


def result_count(html):
    return int(re.search(r"Kết quả: (\d+) văn bản", html).group(1))


def test_fold_removes_vietnamese_marks_and_d_bar():
    assert fold("Chuyển Đổi SỐ") == "chuyen doi so"
    assert fold("Đường  hoa\n") == "duong hoa"


@pytest.mark.parametrize("query", ["chuyen doi so", "CHUYỂN ĐỔI SỐ", "chuyển đổi số", "doi moi sang tao", "Diễn Châu"])
def test_search_without_diacritics_finds_the_plan(query):
    plan = Document.objects.get(kind=Kind.PLAN)
    html = client_for("vhxh").get("/van-ban/tra-cuu/", {"q": query}).content.decode()
    assert f"/van-ban/{plan.pk}/" in html and result_count(html) >= 1


def test_search_finds_words_in_report_sections_and_respects_visibility():
    report = opened_report()
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, **{"section-results": "Thí điểm mô hình Bến Thủy xanh"}))
    assert result_count(unit.get("/van-ban/tra-cuu/", {"q": "ben thuy xanh"}).content.decode()) == 1
    assert result_count(client_for("vhxh").get("/van-ban/tra-cuu/", {"q": "ben thuy xanh"}).content.decode()) == 1
    # Another unit never finds it, and does not see the plan either.
    assert result_count(client_for("kinhte").get("/van-ban/tra-cuu/", {"q": "ben thuy xanh"}).content.decode()) == 0
    assert result_count(client_for("kinhte").get("/van-ban/tra-cuu/", {"q": "chuyen doi so"}).content.decode()) == 0
    assert result_count(unit.get("/van-ban/tra-cuu/", {"q": "khong co tu nay"}).content.decode()) == 0


def test_filters_by_kind_period_unit_state():
    opened_report()
    client = client_for("vhxh")
    total_reports = Document.objects.filter(kind=Kind.UNIT_REPORT).count()
    assert result_count(client.get("/van-ban/tra-cuu/", {"kind": "unit_report"}).content.decode()) == total_reports
    assert result_count(client.get("/van-ban/tra-cuu/", {"kind": "plan"}).content.decode()) == 1
    assert result_count(client.get("/van-ban/tra-cuu/", {"period": "2026-H1", "unit": "tramyte"}).content.decode()) == 1
    assert result_count(client.get("/van-ban/tra-cuu/", {"period": "2026-Y"}).content.decode()) == 0
    assert result_count(client.get("/van-ban/tra-cuu/", {"state": "approved"}).content.decode()) == 0
    html = client.get("/van-ban/tra-cuu/", {"kind": "unit_report", "q": "tram y te", "state": "draft"}).content.decode()
    assert result_count(html) == 1
    # Nonsense filters are ignored, not errors.
    assert client.get("/van-ban/tra-cuu/", {"kind": "x", "state": "y", "trang": "-1"}).status_code == 200


def test_status_matrix_shows_every_reporting_unit_with_state_lateness_and_returns():
    report = opened_report()
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit"))
    reviewer = client_for("vhxh")
    reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review"})
    reviewer.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "return", "comment": "Thiếu minh chứng"})
    Period.objects.filter(code="2026-H1").update(deadline="2020-01-01")
    html = client_for("pct").get("/theo-doi/", {"ky": "2026-H1"}).content.decode()
    for name in ("Trạm Y tế xã", "Phòng Kinh tế", "Ban cán sự xóm 1 (mẫu)"):
        assert name in html
    # The unit cell may also hold the «Đôn đốc» button of a late unit (issue 14).
    row = re.search(r"Trạm Y tế xã</a>.*?</th>(.*?)</tr>", html, re.S).group(1)
    assert "Quá hạn" in row and re.search(r'class="web-num">1</td>', row)
    assert "Bị trả lại: 1" in html


def test_targets_page_draws_a_chart_per_numeric_target():
    html = client_for("vhxh").get("/theo-doi/chi-tieu/", {"ky": "2026-H1"}).content.decode()
    assert html.count('class="web-chart"') >= 10
    assert "1.1. " in html and "4.3. " in html
    assert "Chỉ tiêu 100" in html  # the target line
    assert "2030" in html


def test_rounds_page_open_round_and_compile_for_the_coordinator_only():
    period = Period.objects.get(code="2026-H1")
    page = client_for("vanphong").get("/theo-doi/ky-bao-cao/").content.decode()
    assert "Mở kỳ báo cáo" not in page
    response = client_for("vanphong").post(f"/theo-doi/ky-bao-cao/{period.pk}/mo-ky/")
    assert response.status_code == 403 and "Chỉ cán bộ soạn thảo của cơ quan thường trực" in response.content.decode()

    vhxh = client_for("vhxh")
    assert "Mở kỳ báo cáo" in vhxh.get("/theo-doi/ky-bao-cao/").content.decode()
    response = vhxh.post(f"/theo-doi/ky-bao-cao/{period.pk}/mo-ky/", follow=True)
    assert "Đã mở kỳ «6 tháng đầu năm 2026»" in response.content.decode()
    assert Document.objects.filter(kind=Kind.UNIT_REPORT, period=period).count() > 20
    response = vhxh.post(f"/theo-doi/ky-bao-cao/{period.pk}/mo-ky/", follow=True)
    assert "tạo 0 dự thảo báo cáo mới" in response.content.decode()

    # Approve one report, then compile: the summary shows the figures.
    report = Document.objects.get(kind=Kind.UNIT_REPORT, period=period, unit__code="tramyte")
    unit = client_for("tramyte")
    unit.post(f"/van-ban/{report.pk}/sua/", filled_report(unit, report, action="submit"))
    vhxh.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "start_review"})
    vhxh.post(f"/van-ban/{report.pk}/thao-tac/", {"transition": "approve"})
    response = vhxh.post(f"/theo-doi/ky-bao-cao/{period.pk}/tong-hop/")
    summary = Document.objects.get(kind=Kind.SUMMARY_REPORT, period=period)
    assert response.status_code == 302 and response["Location"] == f"/van-ban/{summary.pk}/"
    html = vhxh.get(f"/van-ban/{summary.pk}/").content.decode()
    assert "Số liệu tổng hợp 13 chỉ tiêu" in html and "Trạm Y tế xã" in html
    assert f'action="/theo-doi/ky-bao-cao/{period.pk}/tong-hop/"' in html  # recompile from the report itself
    assert "/tong-hop/" not in client_for("vanphong").get(f"/van-ban/{summary.pk}/").content.decode()
    response = vhxh.post(f"/theo-doi/ky-bao-cao/{period.pk}/tong-hop/", follow=True)
    assert "Đã tổng hợp lại số liệu" in response.content.decode()
    assert client_for("vanphong").post(f"/theo-doi/ky-bao-cao/{period.pk}/tong-hop/").status_code == 403
    assert vhxh.post("/theo-doi/ky-bao-cao/999999/tong-hop/").status_code == 404


def test_signer_reads_the_compiled_figures_and_signs_the_summary():
    vhxh_user = User.objects.get(username="vhxh")
    period = Period.objects.get(code="2026-H1")
    from rounds.compile import create_summary

    from rounds.services import open_round

    open_round(period, vhxh_user)
    summary = create_summary(period, vhxh_user)
    vhxh = client_for("vhxh")
    data = {k: "Nội dung" for k in ("section-results", "section-shortcomings", "section-next_tasks")}
    html = vhxh.get(f"/van-ban/{summary.pk}/sua/").content.decode()
    from tests.helpers.web import form_data

    assert vhxh.post(f"/van-ban/{summary.pk}/sua/", {**form_data(html), **data, "action": "submit"}).status_code == 302
    vanphong = client_for("vanphong")
    vanphong.post(f"/van-ban/{summary.pk}/thao-tac/", {"transition": "start_review"})
    vanphong.post(f"/van-ban/{summary.pk}/thao-tac/", {"transition": "approve"})
    pct = client_for("pct")
    page = pct.get(f"/ky-duyet/{summary.pk}/").content.decode()
    assert "Số liệu tổng hợp 13 chỉ tiêu" in page and 'value="sign"' in page
    assert pct.post(f"/van-ban/{summary.pk}/thao-tac/", {"transition": "sign", "expected_state": "approved"}).status_code == 302
    summary.refresh_from_db()
    assert summary.state == "signed"


def test_evaluation_ranks_units_with_reasons_and_exports(django_assert_max_num_queries):
    from openpyxl import load_workbook
    import io

    from tests.helpers.web import approved_reports

    approved_reports("2026-H1", ["tramyte", "kinhte", "xom-01"])
    client = client_for("pct")
    with django_assert_max_num_queries(20):
        response = client.get("/theo-doi/danh-gia/", {"nam": "2026"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đánh giá thi đua năm 2026" in html and "Trạm Y tế xã" in html and "Nộp đúng hạn" in html
    assert re.search(r'data-label="Hạng" class="web-num"><strong>1</strong>', html)
    xlsx = client.get("/theo-doi/danh-gia/", {"nam": "2026", "dinh-dang": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
    assert load_workbook(io.BytesIO(xlsx.getvalue())).active.max_row > 1
    assert client.get("/theo-doi/danh-gia/", {"nam": "abc"}).status_code == 200
    assert client_for("tramyte").get("/theo-doi/danh-gia/").status_code == 403


def test_status_matrix_exports_to_excel():
    from openpyxl import load_workbook
    import io

    opened_report()
    response = client_for("vhxh").get("/theo-doi/tai-ve/", {"ky": "2026-H1"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert any(row and "Trạm Y tế xã" in row for row in rows)
    assert "/theo-doi/tai-ve/?ky=2026-H1" in client_for("vhxh").get("/theo-doi/", {"ky": "2026-H1"}).content.decode()
