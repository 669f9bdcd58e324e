"""The pure text work behind the compiled report: normalising a unit's text, naming units, and the
three-way merge that keeps what the drafter wrote when the figures are compiled again."""
from plans.formatting import names_vn
from rounds.merge import merge_section
from organizations.ordering import natural_key
from rounds.narrative import sentences


def test_a_units_numbering_bullets_and_headings_are_stripped():
    text = "1. Công tác tuyên truyền\n- Tổ chức 5 buổi.\n  + Phối hợp các xóm;\nII. Tồn tại\na) Thiếu loa.\n• VNeID cho 90% người dân.\nKết quả cụ thể:\n"
    assert sentences(text) == ["Tổ chức 5 buổi", "Phối hợp các xóm", "Thiếu loa", "VNeID cho 90% người dân"]


def test_units_numbered_alike_are_named_once_in_natural_order():
    xom = [f"Ban cán sự xóm {n} (mẫu)" for n in (1, 2, 10)]
    assert sorted(reversed(xom), key=natural_key) == xom
    assert names_vn(xom) == "Ban cán sự xóm 1, 2 và 10 (mẫu)"
    assert names_vn(["Công an xã", *xom[:2], "Hội Nông dân xã"]) == "Công an xã, Ban cán sự xóm 1 và 2 (mẫu) và Hội Nông dân xã"
    assert names_vn(["Trạm Y tế xã"]) == "Trạm Y tế xã"
    assert names_vn([]) == ""


def test_recompiling_regenerates_computed_lines_and_keeps_the_drafters():
    base = "1. Lĩnh vực\n- Chỉ tiêu 1.1: kết quả 80%.\n- Chỉ tiêu 1.2: chưa có số liệu."
    theirs = "1. Lĩnh vực\n- Chỉ tiêu 1.1: kết quả 90%.\n- Chỉ tiêu 1.2: kết quả 50%."
    ours = "1. Lĩnh vực\nNhận xét riêng của Phòng.\n- Chỉ tiêu 1.1: kết quả 80%.\n- Chỉ tiêu 1.2: chưa có số liệu."
    merged, conflicts = merge_section(base, ours, theirs)
    assert merged == "1. Lĩnh vực\nNhận xét riêng của Phòng.\n- Chỉ tiêu 1.1: kết quả 90%.\n- Chỉ tiêu 1.2: kết quả 50%."
    assert conflicts == []


def test_a_line_both_changed_keeps_the_drafters_text_and_reports_it():
    base = "- Chỉ tiêu 1.1: kết quả 80%."
    ours = "- Chỉ tiêu 1.1: kết quả 80%, vượt kế hoạch quý."
    theirs = "- Chỉ tiêu 1.1: kết quả 90%."
    merged, conflicts = merge_section(base, ours, theirs)
    assert merged == ours
    assert conflicts == [([ours], [theirs])]


def test_untouched_or_empty_sections_take_the_new_draft_and_unknown_bases_keep_the_text():
    assert merge_section("cũ", "cũ", "mới") == ("mới", [])
    assert merge_section("cũ", "", "mới") == ("mới", [])
    assert merge_section(None, "do cán bộ viết", "mới") == ("do cán bộ viết", [])
    assert merge_section(None, "", "mới") == ("mới", [])
