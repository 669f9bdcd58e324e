"""Reporting rounds: opening a round and the compiled commune report, with the Diễn Châu demo data.

Every aggregation rule of data/dien-chau-2026-2030.yaml is exercised through compile_summary:
single (1.1, 2.2), sum of a count per year (3.1), share of xóm (1.2), share of units (3.2),
mean over xóm (1.3), minimum over xóm (4.2), increase over the previous period (3.3) and
"đạt quy định" (4.3), each with units that did not report. The helpers live in
tests/helpers/workflow.py; `clock` is a fixture of tests/conftest.py.
"""
from datetime import datetime

import pytest

from plans.models import Target
from rounds.compile import aggregate, compile_summary, create_summary, is_met
from rounds.services import open_round
from workflows.errors import Conflict, Forbidden, Invalid, WrongState
from workflows.models import Document, DocumentVersion, State
from workflows.services import perform_transition, update_document
from tests.helpers.workflow import approve, demo, fill, opened, period, report_of, submit, the_plan


pytestmark = pytest.mark.django_db

XOMS = [f"xom-{n:02d}" for n in range(1, 13)]


def figures(document):
    return {row["code"]: row for row in document.content["compiled"]["targets"]}


# --- opening a round ---------------------------------------------------------------------

def test_open_round_creates_a_prefilled_draft_for_every_reporting_unit():
    period_obj = period("2026-H1")
    result = open_round(period_obj, demo("vhxh"))
    assert len(result.created) == 25 and result.existing == 0
    assert result.data_window == "Số liệu tính từ ngày 15/12/2025 đến ngày 14/6/2026."
    assert period("2026-H1").opened_at is not None
    xom = report_of(period_obj, "xom-01")
    assert xom.state == State.DRAFT
    assert xom.created_by.username == "vhxh"
    assert set(xom.content["values"]) == {"1.2", "1.3", "4.2"}
    assert all(entry["value"] is None for entry in xom.content["values"].values())
    assert xom.content["previous"] is None
    assert xom.title == "Kết quả thực hiện phong trào thi đua 6 tháng đầu năm 2026 của Ban cán sự xóm 1 (mẫu)"
    assert set(report_of(period_obj, "vanphong").content["values"]) == {"2.1", "2.2", "2.3", "2.4", "4.1"}
    assert DocumentVersion.objects.filter(document=xom, number=1).exists()
    # The unit can work on the draft it was given.
    fill(period_obj, "xom-01", {"1.2": True, "1.3": 91, "4.2": 2})


def test_opening_twice_creates_nothing_new_and_keeps_the_first_opening_time():
    first = open_round(period("2026-H1"), demo("vhxh"))
    opened_at = period("2026-H1").opened_at
    again = open_round(period("2026-H1"), demo("vhxh"))
    assert again.created == [] and again.existing == 25
    assert Document.objects.filter(kind="unit_report", period__code="2026-H1").count() == len(first.created) == 25
    assert period("2026-H1").opened_at == opened_at


def test_a_unit_that_created_its_own_report_first_keeps_it():
    from workflows.services import create_document

    own = create_document(demo("tramyte"), "unit_report", plan=the_plan(), period=period("2026-H1"))
    result = open_round(period("2026-H1"), demo("vhxh"))
    assert len(result.created) == 24 and result.existing == 1
    assert report_of(period("2026-H1"), "tramyte").pk == own.pk


def test_drafts_opened_in_bulk_are_found_by_the_unaccented_search_and_carry_their_first_version():
    from workflows import search

    result = open_round(period("2026-H1"), demo("vhxh"))
    found = search.search(Document.objects.filter(period__code="2026-H1"), "ban can su xom 1 (mau)")
    assert [d.pk for d in found] == [report_of(period("2026-H1"), "xom-01").pk]
    for document in Document.objects.filter(pk__in=[d.pk for d in result.created]):
        assert document.search_text == search.searchable_text(document)
        assert document.version == 1
        version = DocumentVersion.objects.get(document=document)
        assert (version.number, version.title, version.content, version.created_by.username) == (
            1, document.title, document.content, "vhxh"
        )


def test_a_draft_created_while_the_round_opens_is_kept_and_the_others_are_written_one_by_one(monkeypatch):
    """The unique constraint is the last defence: a report that appears after the round read the
    existing ones (here the unit creates its own in between) fails the bulk insert, and the round
    writes the other drafts one at a time."""
    from rounds import services
    from workflows.services import create_document

    own = []
    real_previous_values = services.previous_values

    def a_unit_is_quicker(period_obj, unit_ids):
        own.append(create_document(demo("tramyte"), "unit_report", plan=the_plan(), period=period_obj))
        return real_previous_values(period_obj, unit_ids)

    monkeypatch.setattr(services, "previous_values", a_unit_is_quicker)
    result = open_round(period("2026-H1"), demo("vhxh"))
    assert len(result.created) == 24 and all(d.pk for d in result.created)
    assert report_of(period("2026-H1"), "tramyte").pk == own[0].pk
    assert Document.objects.filter(kind="unit_report", period__code="2026-H1").count() == 25
    assert DocumentVersion.objects.filter(document__period__code="2026-H1", number=1).count() == 25


def test_without_ids_from_a_bulk_insert_the_drafts_are_written_one_by_one(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    result = open_round(period("2026-H1"), demo("vhxh"))
    assert len(result.created) == 25 and all(d.pk for d in result.created)
    assert DocumentVersion.objects.filter(document__period__code="2026-H1", number=1).count() == 25


@pytest.mark.parametrize("username", ["tramyte", "vanphong", "pct", "vanthu", "admin"])
def test_only_coordinator_staff_open_a_round(username):
    with pytest.raises(Forbidden) as caught:
        open_round(period("2026-H1"), demo(username))
    assert "Phòng Văn hóa – Xã hội" in caught.value.detail
    assert not Document.objects.filter(kind="unit_report", period__code="2026-H1").exists()
    assert period("2026-H1").opened_at is None


def test_previous_values_come_from_the_same_kind_of_period_when_there_is_one():
    h1 = opened("2026-H1")
    approve(h1, "xom-01", values={"1.3": 80, "4.2": 1})
    year = opened("2026-Y")
    previous = report_of(year, "xom-01").content["previous"]
    assert previous["period"] == "2026-H1"  # no earlier annual report: the latest earlier one
    assert previous["values"] == {"1.2": True, "1.3": 80.0, "4.2": 1}
    assert report_of(year, "xom-02").content["previous"] is None
    approve(year, "xom-01", values={"1.3": 85, "4.2": 2})
    h1_2027 = opened("2027-H1")
    approve(h1_2027, "xom-01", values={"1.3": 90, "4.2": 3})
    # 2027-Y: 2027-H1 is later, but the annual report of 2026 is the same kind of period.
    previous = report_of(opened("2027-Y"), "xom-01").content["previous"]
    assert previous["period"] == "2026-Y" and previous["values"]["1.3"] == 85.0


# --- compiling the summary report ----------------------------------------------------------

def test_single_rule_takes_the_one_reporting_unit_and_judges_it():
    h1 = opened()
    approve(h1, "vhxh", values={"1.1": 96.5})
    approve(h1, "vanphong", values={"2.2": 96.5, "2.3": 97})
    rows = figures(create_summary(h1, demo("vhxh")))
    assert rows["1.1"]["value"] == 96.5 and rows["1.1"]["value_label"] == "96,5%"
    assert rows["1.1"]["target_label"] == "≥ 100%" and rows["1.1"]["met"] is False
    assert rows["2.2"]["met"] is True and rows["2.2"]["target_label"] == "≥ 95%"
    assert rows["2.3"]["value_label"] == "97%" and rows["2.3"]["met"] is False
    assert rows["2.2"]["contributions"] == [
        {"unit": "Văn phòng HĐND-UBND và Trung tâm phục vụ hành chính công", "value_label": "96,5%"}
    ]
    assert rows["2.2"]["missing_units"] == []


def test_sum_of_models_per_year_lists_the_units_that_have_not_reported():
    h1 = opened()
    approve(h1, "vhxh", values={"3.1": 1})
    approve(h1, "kinhte", values={"3.1": 0})
    approve(h1, "mttq", values={"3.1": 2})
    submit(h1, "hoiphunu", values={"3.1": 5})  # submitted, not approved: not counted
    row = figures(create_summary(h1, demo("vhxh")))["3.1"]
    assert row["value"] == 3 and row["value_label"] == "3 mô hình"
    # 3 of the 7 units that report models: partial data is flagged and never judged.
    assert row["target_label"] == "≥ 1 mô hình/năm" and row["met"] is None and row["partial"] is True
    assert row["coverage_label"] == "số liệu của 3/7 đơn vị" and row["verdict"] == "Chưa đủ số liệu"
    assert [c["unit"] for c in row["contributions"]] == ["Phòng Văn hóa – Xã hội", "Phòng Kinh tế", "Ủy ban Mặt trận Tổ quốc Việt Nam xã"]
    assert row["missing_units"] == [
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh xã",
        "Hội Liên hiệp Phụ nữ xã",
        "Hội Nông dân xã",
        "Hội Cựu chiến binh xã",
    ]


def test_share_of_xom_is_over_the_xom_that_reported_and_partial_data_is_not_judged():
    h1 = opened()
    for code in XOMS[:3]:
        approve(h1, code, values={"1.2": True})
    approve(h1, "xom-04", values={"1.2": False})
    row = figures(create_summary(h1, demo("vhxh")))["1.2"]
    assert row["value"] == 75 and row["value_label"] == "75% xóm"  # 3 of the 4 xóm that reported
    assert row["coverage_label"] == "số liệu của 4/12 xóm" and row["partial"] is True
    assert row["target_label"] == "≥ 100% xóm" and row["met"] is None  # neither «Đạt» nor «Chưa đạt»
    assert {c["value_label"] for c in row["contributions"]} == {"Đạt", "Chưa đạt"}
    assert len(row["missing_units"]) == 8


def test_share_of_xom_reaches_the_target_when_every_xom_says_yes():
    h1 = opened()
    for code in XOMS:
        approve(h1, code, values={"1.2": True})
    row = figures(create_summary(h1, demo("vhxh")))["1.2"]
    assert row["value"] == 100 and row["met"] is True and row["missing_units"] == []


def test_share_of_schools_and_health_station():
    h1 = opened()
    approve(h1, "tramyte", values={"3.2": True})
    approve(h1, "truong-th", values={"3.2": True})
    approve(h1, "truong-thcs", values={"3.2": False})
    row = figures(create_summary(h1, demo("vhxh")))["3.2"]
    assert row["value"] == 66.67 and row["met"] is None and row["coverage_label"] == "số liệu của 3/4 đơn vị"
    assert row["missing_units"] == ["Trường Mầm non Diễn Châu (mẫu)"]
    approve(h1, "truong-mn", values={"3.2": True})
    row = figures(compile_summary(Document.objects.get(kind="summary_report", period=h1), demo("vhxh")))["3.2"]
    assert row["value"] == 75 and row["value_label"] == "75% đơn vị" and row["met"] is False and row["partial"] is False


def test_mean_and_minimum_over_several_xom():
    h1 = opened()
    approve(h1, "xom-01", values={"1.3": 92.5, "4.2": 2})
    approve(h1, "xom-02", values={"1.3": 88, "4.2": 1})
    approve(h1, "xom-03", values={"1.3": 90.33, "4.2": 1})
    rows = figures(create_summary(h1, demo("vhxh")))
    assert rows["1.3"]["value"] == 90.28 and rows["1.3"]["value_label"] == "90,28%"
    assert rows["1.3"]["target_label"] == "> 90%" and rows["1.3"]["met"] is None  # 3 of 12 xóm
    assert rows["4.2"]["value"] == 1 and rows["4.2"]["value_label"] == "1 mô hình/xóm" and rows["4.2"]["met"] is None
    assert len(rows["4.2"]["missing_units"]) == 9 and rows["4.2"]["coverage_label"] == "số liệu của 3/12 xóm"


def test_minimum_misses_the_target_when_one_xom_has_no_model():
    h1 = opened()
    for code in XOMS:
        approve(h1, code, values={"4.2": 0 if code == "xom-02" else 3})
    row = figures(create_summary(h1, demo("vhxh")))["4.2"]
    assert row["value"] == 0 and row["met"] is False and row["partial"] is False


def test_over_is_strict():
    h1 = opened()
    for code in XOMS:
        approve(h1, code, values={"1.3": 90})
    assert figures(create_summary(h1, demo("vhxh")))["1.3"]["met"] is False


def test_increase_compares_with_the_previous_compiled_report():
    h1 = opened("2026-H1")
    approve(h1, "kinhte", values={"3.3": 40})
    first = figures(create_summary(h1, demo("vhxh")))["3.3"]
    assert first["target_label"] == "Tăng" and first["value"] == 40 and first["met"] is None  # nothing to compare with
    year = opened("2026-Y")
    approve(year, "kinhte", values={"3.3": 45.5})
    row = figures(create_summary(year, demo("vhxh")))["3.3"]
    assert row["previous_value"] == 40 and row["met"] is True
    year_2027 = opened("2027-H1")
    approve(year_2027, "kinhte", values={"3.3": 39})
    assert figures(create_summary(year_2027, demo("vhxh")))["3.3"]["met"] is False  # 2026-H1 (same kind): 40


@pytest.mark.parametrize("answer, met", [(True, True), (False, False)])
def test_as_required_follows_the_units_answer(answer, met):
    h1 = opened()
    approve(h1, "kinhte", values={"4.3": answer})
    row = figures(create_summary(h1, demo("vhxh")))["4.3"]
    assert row["target_label"] == "Theo quy định" and row["met"] is met
    assert row["value_label"] == ("Đạt" if answer else "Chưa đạt")


def test_as_required_without_a_report_is_not_judged():
    h1 = opened()
    row = figures(create_summary(h1, demo("vhxh")))["4.3"]
    assert row["value"] is None and row["met"] is None and row["value_label"] == "Chưa có số liệu"
    assert row["missing_units"] == ["Phòng Kinh tế"]


def test_qualitative_rule_joins_the_answers_with_unit_names():
    target = Target(code="9.9", text="Đánh giá chung", input_kind="text", comparison="as_required", aggregation="qualitative")
    units = list(the_plan().commune.units.order_by("order")[:2])
    value = aggregate(target, {units[0]: "Tốt", units[1]: None}, 2)
    assert value == f"{units[0].name}: Tốt"
    assert is_met(target, value, unit_values={units[0]: "Tốt"}) is None
    assert is_met(target, value, unit_values={units[0]: True, units[1]: True}) is True


def test_every_target_of_the_data_file_is_compiled():
    h1 = opened()
    document = create_summary(h1, demo("vhxh"))
    rows = document.content["compiled"]["targets"]
    assert [r["code"] for r in rows] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]
    assert all(r["value"] is None and r["met"] is None and r["missing_units"] for r in rows)
    assert datetime.fromisoformat(document.content["compiled"]["computed_at"])


def test_compiling_drafts_the_sections_by_area_and_keeps_staff_text():
    h1 = opened()
    approve(h1, "xom-01", values={"1.2": True}, sections={"results": "Xóm tổ chức 5 buổi tuyên truyền.", "shortcomings": "Thiếu loa."})
    approve(h1, "vanphong", sections={"results": "Số hóa 100% hồ sơ.", "proposals": "Cấp thêm máy quét."})
    document = create_summary(h1, demo("vhxh"))
    sections = document.content["sections"]
    results = sections["results"]
    assert results.index("1. Thi đua nâng cao nhận thức") < results.index("- Ban cán sự xóm 1 (mẫu): xóm tổ chức 5 buổi tuyên truyền.") < results.index("2. Thi đua đẩy mạnh cải cách")
    assert results.index("2. Thi đua đẩy mạnh cải cách") < results.index("số hóa 100% hồ sơ.")
    assert "- Chỉ tiêu 1.2" in results and "100% xóm (số liệu của 1/12 xóm)" in results
    assert "- Ban cán sự xóm 1 (mẫu): thiếu loa." in sections["shortcomings"]
    assert "chưa có báo cáo được duyệt" in sections["shortcomings"]
    assert "- Văn phòng HĐND-UBND và Trung tâm phục vụ hành chính công: cấp thêm máy quét." in sections["proposals"]
    assert "15/12/2025" in sections["preamble"] and "2/25" in sections["preamble"]
    # Staff edit a section; recompiling after a late approval updates figures, not their text.
    vhxh = demo("vhxh")
    edited = update_document(document.pk, vhxh, version=document.version, sections={"results": "Nội dung do cán bộ viết."})
    approve(h1, "xom-02", values={"1.2": True})
    again = compile_summary(edited, vhxh)
    assert again.content["sections"]["results"] == "Nội dung do cán bộ viết."
    assert figures(again)["1.2"]["value"] == 100 and figures(again)["1.2"]["coverage_label"] == "số liệu của 2/12 xóm"
    assert "100% xóm (số liệu của 2/12 xóm)" in again.content["compiled"]["drafts"]["results"]
    assert again.version == edited.version + 1
    assert DocumentVersion.objects.get(document=again, number=again.version).content["compiled"]["targets"][1]["coverage_label"] == "số liệu của 2/12 xóm"
    # The drafter is told that their text was kept where the new draft would have changed it.
    assert any("giữ đoạn do người soạn thảo sửa «Nội dung do cán bộ viết.»" in c for c in again.content["compiled"]["changes"])
    replaced = compile_summary(again, vhxh, replace_sections=True)
    assert replaced.content["sections"]["results"].startswith("1. Thi đua nâng cao nhận thức")


def test_only_coordinator_staff_compile_and_only_before_signing():
    h1 = opened()
    document = create_summary(h1, demo("vhxh"))
    for username in ("vanphong", "tramyte", "pct"):
        with pytest.raises(Forbidden):
            compile_summary(document, demo(username))
    with pytest.raises(Conflict):
        compile_summary(document, demo("vhxh"), version=document.version - 1)
    document = update_document(document.pk, demo("vhxh"), version=document.version, sections={"next_tasks": "Tiếp tục triển khai."})
    document = perform_transition(document.pk, demo("vhxh"), "submit")
    with pytest.raises(WrongState) as caught:
        compile_summary(document, demo("vhxh"))
    assert "Đã trình" in caught.value.detail
    for username, step in (("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign")):
        document = perform_transition(document.pk, demo(username), step)
    before = Document.objects.get(pk=document.pk).content
    with pytest.raises(WrongState):
        compile_summary(document, demo("vhxh"))
    assert Document.objects.get(pk=document.pk).content == before


def test_a_unit_report_is_not_compiled():
    h1 = opened()
    with pytest.raises(Invalid):
        compile_summary(report_of(h1, "vhxh"), demo("vhxh"))


def test_create_summary_twice_is_a_conflict():
    h1 = opened()
    create_summary(h1, demo("vhxh"))
    with pytest.raises(Conflict):
        create_summary(h1, demo("vhxh"))
    with pytest.raises(Forbidden):
        create_summary(period("2026-Y"), demo("kinhte"))
