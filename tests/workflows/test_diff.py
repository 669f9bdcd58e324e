"""The reviewer sees exactly what changed between versions, and since the version they returned."""
import pytest

from tests.helpers.workflow import RETURN_COMMENT, demo, fill_unit_report, new_unit_report, run
from plans.formatting import unit_value_label, value_label
from plans.models import Target
from workflows.diff import diff_since_return, diff_versions, last_returned_version
from workflows.errors import Invalid, NotFound
from workflows.services import perform_transition, update_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    """Phòng Kinh tế's report, filled in (v2) with three paragraphs of results and one model."""
    document = new_unit_report("kinhte")
    document = update_document(
        document.pk, demo("kinhte"), version=1,
        sections={"results": "Đoạn một.\nĐoạn hai.\nĐoạn ba.", "proposals": "Đề nghị hỗ trợ kinh phí."},
        values={
            "3.1": {"value": 1, "note": "Mô hình chợ 4.0"},
            "3.3": {"value": 40, "note": ""},
            "4.1": {"value": True},
            "4.3": {"value": False, "note": "Đạt 85%"},
        },
        initiatives=[{"name": "Chợ Diễn Châu", "kind": "Chợ không dùng tiền mặt"}],
    )
    assert document.version == 2
    return document


def test_identical_versions_have_no_changes(report):
    result = diff_versions(report, 2, 2)
    assert result == {
        "from": 2, "to": 2, "title": None, "sections": [], "values": [],
        "initiatives": {"added": [], "removed": []}, "has_changes": False,
    }


def test_diff_lists_only_what_changed(report):
    document = update_document(
        report.pk, demo("kinhte"), version=2,
        title="Báo cáo sửa đổi",
        sections={"results": "Đoạn một.\nĐoạn hai đã sửa.\nĐoạn ba.\nĐoạn bốn mới."},
        values={"3.3": {"value": 45.5, "note": "Tăng 5,5 điểm"}, "4.3": {"value": True, "note": "Đạt 92%"}},
        initiatives=[{"name": "Chợ Diễn Châu", "kind": "Chợ không dùng tiền mặt"}, {"name": "Xóm 3", "kind": "Xóm số"}],
    )
    result = diff_versions(document, 2, 3)

    assert result["from"] == 2 and result["to"] == 3
    assert result["has_changes"] is True
    assert result["title"]["new"] == "Báo cáo sửa đổi"
    assert result["title"]["old"] == report.title

    # Only "results" changed; "proposals" is not listed.
    assert [s["key"] for s in result["sections"]] == ["results"]
    section = result["sections"][0]
    assert section["label"] == "Kết quả thực hiện"
    assert section["changes"] == [
        {"op": "equal", "old": "Đoạn một.", "new": "Đoạn một."},
        {
            "op": "replace", "old": "Đoạn hai.", "new": "Đoạn hai đã sửa.",
            "words": [
                {"op": "equal", "text": "Đoạn "},
                {"op": "delete", "text": "hai."},
                {"op": "insert", "text": "hai đã sửa."},
            ],
        },
        {"op": "equal", "old": "Đoạn ba.", "new": "Đoạn ba."},
        {"op": "insert", "old": "", "new": "Đoạn bốn mới."},
    ]

    by_code = {v["code"]: v for v in result["values"]}
    assert list(by_code) == ["3.3", "4.3"]  # 3.1 and 4.1 did not change
    assert by_code["3.3"]["old"] == 40 and by_code["3.3"]["new"] == 45.5
    assert (by_code["3.3"]["old_note"], by_code["3.3"]["new_note"]) == ("", "Tăng 5,5 điểm")
    assert (by_code["3.3"]["old_text"], by_code["3.3"]["new_text"]) == ("40%", "45,5%")
    assert (by_code["4.3"]["old_text"], by_code["4.3"]["new_text"]) == ("Chưa đạt", "Đạt")
    assert by_code["4.3"]["target"].startswith("Tỷ lệ thu gom rác")

    assert result["initiatives"] == {"added": [{"name": "Xóm 3", "kind": "Xóm số", "note": ""}], "removed": []}


def test_deleted_lines_sections_and_initiatives(report):
    document = update_document(
        report.pk, demo("kinhte"), version=2,
        sections={"results": "Đoạn một.\nĐoạn ba.", "proposals": ""},
        initiatives=[],
    )
    result = diff_versions(document, 2, 3)
    sections = {s["key"]: s["changes"] for s in result["sections"]}
    assert {"op": "delete", "old": "Đoạn hai.", "new": ""} in sections["results"]
    assert sections["proposals"] == [{"op": "replace", "old": "Đề nghị hỗ trợ kinh phí.", "new": ""}]
    assert result["initiatives"]["removed"] == [{"name": "Chợ Diễn Châu", "kind": "Chợ không dùng tiền mặt", "note": ""}]
    assert result["values"] == []


def test_a_value_entered_for_the_first_time_shows_as_empty_before():
    document = new_unit_report("tramyte")
    document = fill_unit_report(document)
    result = diff_versions(document, 1, 2)
    assert [v["code"] for v in result["values"]] == ["3.2", "4.1"]
    assert all(v["old"] is None and v["old_text"] == "Chưa có số liệu" and v["new_text"] == "Đạt" for v in result["values"])
    assert [s["key"] for s in result["sections"]] == ["results"]
    assert result["sections"][0]["changes"] == [{"op": "replace", "old": "", "new": "Kết quả nổi bật trong kỳ."}]


def test_unknown_versions_are_not_found(report):
    with pytest.raises(NotFound) as caught:
        diff_versions(report, 1, 7)
    assert caught.value.status == 404
    assert "7" in caught.value.detail
    with pytest.raises(NotFound):
        diff_versions(report, 99, 2)


@pytest.mark.parametrize("bad", ["abc", "", None, -1, 0, True, "1.5"])
def test_bad_version_numbers_are_invalid(report, bad):
    with pytest.raises(Invalid) as caught:
        diff_versions(report, bad, 2)
    assert "from" in caught.value.errors


def test_version_numbers_given_as_text_work(report):
    assert diff_versions(report, "1", " 2 ")["from"] == 1


def test_diff_since_the_version_the_reviewer_returned(report):
    assert last_returned_version(report) is None
    assert diff_since_return(report) is None

    document = run(report, ("kinhte", "submit"), ("vhxh", "start_review"), ("vhxh", "return", RETURN_COMMENT))
    assert last_returned_version(document) == 2
    unchanged = diff_since_return(document)
    assert (unchanged["from"], unchanged["to"], unchanged["has_changes"]) == (2, 2, False)

    document = update_document(document.pk, demo("kinhte"), version=2, values={"3.1": {"value": 2, "note": "Thêm mô hình"}})
    document = update_document(document.pk, demo("kinhte"), version=3, sections={"shortcomings": "Thiếu kinh phí."})
    result = diff_since_return(document)
    assert (result["from"], result["to"]) == (2, 4)
    assert [v["code"] for v in result["values"]] == ["3.1"]
    assert result["values"][0]["old_note"] == "Mô hình chợ 4.0"
    assert [s["key"] for s in result["sections"]] == ["shortcomings"]
    assert result["sections"][0]["label"] == "Tồn tại, hạn chế và nguyên nhân"

    # After a second round the reference point moves to the latest return.
    document = run(document, ("kinhte", "submit"), ("vhxh", "start_review"))
    document = perform_transition(document.pk, demo("vhxh"), "return", "Còn thiếu nguyên nhân.")
    assert last_returned_version(document) == 4
    assert diff_since_return(document)["has_changes"] is False


def test_one_formatter_per_value_kind():
    percent = Target(code="1.1", input_kind="percent", comparison="at_least", measure_unit="%", aggregation="single")
    count = Target(code="3.1", input_kind="count", comparison="at_least", measure_unit="mô hình/năm", aggregation="sum")
    share = Target(code="1.2", input_kind="boolean", comparison="at_least", measure_unit="% xóm", aggregation="share_yes")
    for label in (unit_value_label, value_label):
        assert label(percent, None) == "Chưa có số liệu"
        assert label(percent, 96.5) == "96,5%"
        assert label(percent, 100.0) == "100%"
        assert label(share, True) == "Đạt"
        assert label(share, False) == "Chưa đạt"
        assert label(count, 3) == "3 mô hình"
        assert label(percent, "Tăng") == "Tăng"
    assert value_label(share, 91.67) == "91,67% xóm"
    # A target since removed from the plan: the value still reads.
    assert unit_value_label(None, 1234.5) == "1.234,5"
    assert unit_value_label(None, None) == "Chưa có số liệu"


def test_a_one_word_correction_in_a_long_paragraph_is_pointed_out(report):
    paragraph = "Trong kỳ, đơn vị đã triển khai 12 lớp tập huấn kỹ năng số cho 340 hộ kinh doanh tại chợ Diễn Châu."
    document = update_document(report.pk, demo("kinhte"), version=2, sections={"results": paragraph})
    corrected = paragraph.replace("340", "430")
    document = update_document(document.pk, demo("kinhte"), version=3, sections={"results": corrected})
    (change,) = diff_versions(document, 3, 4)["sections"][0]["changes"]
    assert change["op"] == "replace"
    changed = [(w["op"], w["text"]) for w in change["words"] if w["op"] != "equal"]
    assert changed == [("delete", "340"), ("insert", "430")]
    assert "".join(w["text"] for w in change["words"] if w["op"] != "insert") == paragraph
    assert "".join(w["text"] for w in change["words"] if w["op"] != "delete") == corrected
