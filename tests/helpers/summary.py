"""A reporting period as the commune lives it, for the compiled report (báo cáo tổng hợp): the plan
issued, the round opened, some units approved with text written their own way (their numbering,
bullets, headings, the same sentence twice), one report returned, one waiting, the rest missing.

`assert_reads_like_a_report` states what the compiled report must read like (issue 12)."""
import re
from datetime import datetime

from django.utils import timezone

from documents.dates import short_date
from plans.formatting import datetime_vn
from tests.helpers.workflow import RETURN_COMMENT, approve, issued_plan, opened, reviewer_for, run, submit
from workflows.models import Document

AREA_HEADINGS = [
    "1. Thi đua nâng cao nhận thức về đổi mới sáng tạo, chuyển đổi số và chuyển đổi xanh",
    "2. Thi đua đẩy mạnh cải cách hành chính, xây dựng chính quyền số",
    "3. Thi đua ứng dụng khoa học công nghệ vào phát triển kinh tế - xã hội",
    "4. Thi đua xây dựng môi trường xanh, bền vững",
]
SHARED = "Tổ chức tuyên truyền phân loại rác tại nguồn đến từng hộ dân."

# In the order they are approved: xóm 10 before xóm 2, so that natural order is the system's work.
APPROVED = {
    "xom-10": {
        "values": {"1.2": True, "1.3": 93, "4.2": 1},
        "sections": {
            "results": f"1. Công tác tuyên truyền\n- {SHARED}\n- Ra quân vệ sinh môi trường, trồng cây xanh trên các tuyến đường của xóm.",
            "shortcomings": "- Kinh phí cho hoạt động tuyên truyền còn hạn chế.",
        },
    },
    "vhxh": {
        "values": {"1.1": 100, "3.1": 1, "4.1": True},
        "sections": {
            "results": (
                "1. Công tác tuyên truyền\n"
                "- Tổ chức 12 buổi tuyên truyền về chuyển đổi số trên hệ thống truyền thanh xã.\n"
                "2. Ứng dụng công nghệ thông tin\n"
                "- Một số hộ dân đã được hướng dẫn sử dụng dịch vụ công trực tuyến.\n"
                "- Tổ chức 12 buổi tuyên truyền về chuyển đổi số trên hệ thống truyền thanh xã."
            ),
            "shortcomings": "Kinh phí cho hoạt động tuyên truyền còn hạn chế.",
            "next_tasks": "1. Tiếp tục tập huấn kỹ năng số cho cán bộ, công chức.",
            "proposals": "Đề nghị bố trí kinh phí mua sắm loa truyền thanh.",
        },
    },
    "vanphong": {
        "values": {"2.1": 100, "2.2": 96, "2.3": 97, "2.4": 100, "4.1": True},
        "sections": {
            "results": "a) Số hóa 100% hồ sơ thủ tục hành chính tiếp nhận tại Trung tâm phục vụ hành chính công.\nb) Sử dụng chữ ký số trong xử lý văn bản điện tử."
        },
    },
    "kinhte": {
        "values": {"3.1": 1, "3.3": 45, "4.1": True, "4.3": True},
        "sections": {"results": "+ Hướng dẫn các cơ sở kinh doanh áp dụng thanh toán không dùng tiền mặt."},
        "initiatives": [{"name": "Chợ không dùng tiền mặt", "kind": "Chợ không dùng tiền mặt", "note": "chợ Diễn Châu"}],
    },
    "xom-02": {
        "values": {"1.2": True, "1.3": 95, "4.2": 1},
        "sections": {"results": f"• {SHARED}"},
        "initiatives": [{"name": "Xóm số Diễn Châu", "kind": "Xóm số", "note": ""}],
    },
    "xom-01": {
        "values": {"1.2": True, "1.3": 88, "4.2": 2},
        "sections": {"results": "Phối hợp Đoàn Thanh niên hướng dẫn người dân cài đặt VNeID."},
    },
}


def mixed_period(code="2026-H1"):
    """The plan issued (01/KH-UBND), the round of `code` opened; six units approved, Trạm Y tế's
    report returned, Trường Tiểu học's submitted and waiting, every other unit without a report."""
    plan_document = issued_plan()
    period = opened(code)
    for unit_code, data in APPROVED.items():
        approve(period, unit_code, **data)
    returned = submit(period, "tramyte", sections={"results": "Triển khai hồ sơ sức khỏe điện tử."})
    reviewer = reviewer_for(returned)
    run(returned, (reviewer.username, "start_review"), (reviewer.username, "return", RETURN_COMMENT))
    submit(period, "truong-th")
    return period, plan_document


def summary_of(period):
    return Document.objects.get(kind="summary_report", period=period)


def assert_reads_like_a_report(lines, *, plan_document, computed_at=None):
    """What the compiled report reads like, on its text lines (sections as stored, or the .docx)."""
    text = "\n".join(lines)
    # The căn cứ: the plan with its number and date.
    assert (
        f"Thực hiện Kế hoạch số {plan_document.number_label} ngày {short_date(plan_document.issued_on)} "
        "của UBND xã Diễn Châu về triển khai phong trào thi đua"
    ) in text
    assert "trên cơ sở báo cáo của 6/25 cơ quan, đơn vị" in text
    # No unit's bullet pasted after a name ("- X: - …"), no unit heading among the areas.
    assert not re.search(r": [-+•] ", text), text
    assert "Công tác tuyên truyền" not in text and "Ứng dụng công nghệ thông tin" not in text
    for heading in AREA_HEADINGS:
        assert lines.count(heading) == 1, heading
    numbered = [line for line in lines if re.match(r"^\d+\. ", line)]
    assert numbered == AREA_HEADINGS, numbered
    # No repeats: the duplicate sentence once; one sentence of two xóm said once, naturally ordered.
    assert text.count("tuyên truyền về chuyển đổi số trên hệ thống truyền thanh xã") == 1
    assert "- Ban cán sự xóm 2 và 10 (mẫu): tổ chức tuyên truyền phân loại rác tại nguồn đến từng hộ dân." in lines
    assert text.count("phân loại rác tại nguồn đến từng hộ dân") == 1
    assert "- Phòng Văn hóa – Xã hội và Ban cán sự xóm 10 (mẫu): kinh phí cho hoạt động tuyên truyền còn hạn chế." in lines
    assert "Ban cán sự xóm 3, 4, 5, 6, 7, 8, 9, 11 và 12 (mẫu)" in text
    assert "báo cáo của Trạm Y tế xã bị trả lại để bổ sung, hoàn thiện" in text
    # Areas in order, each area's text under it.
    at = [text.index(heading) for heading in AREA_HEADINGS]
    assert at == sorted(at)
    assert at[1] < text.index("số hóa 100% hồ sơ thủ tục hành chính") < at[2]
    assert at[2] < text.index("xây dựng mô hình “Chợ không dùng tiền mặt”: chợ Diễn Châu") < at[3]
    assert at[3] < text.index("ra quân vệ sinh môi trường, trồng cây xanh")
    # One sentence per target: the commune figure, the plan, the verdict; partial data flagged, never judged.
    for code in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"):
        assert sum(1 for line in lines if line.startswith(f"- Chỉ tiêu {code} “")) == 1, code
    assert (
        "- Chỉ tiêu 1.2 “100% xóm có hoạt động tuyên truyền về chuyển đổi số và chuyển đổi xanh”: "
        "kết quả 100% xóm (số liệu của 3/12 xóm); kế hoạch từ 100% xóm trở lên; chưa đủ số liệu để đánh giá."
    ) in lines
    assert "kết quả 92% (số liệu của 3/12 xóm); kế hoạch trên 90%; chưa đủ số liệu để đánh giá." in text
    assert "- Chỉ tiêu 1.1 “100% cán bộ, công chức được tập huấn kỹ năng số hằng năm”: kết quả 100%; kế hoạch từ 100% trở lên; đạt." in lines
    assert "- Chỉ tiêu 2.2 “Tỷ lệ hồ sơ trực tuyến đạt 95%”: kết quả 96%; kế hoạch từ 95% trở lên; đạt." in lines
    assert "- Chỉ tiêu 2.3 “Tỷ lệ thanh toán trực tuyến đạt 98%”: kết quả 97%; kế hoạch từ 98% trở lên; chưa đạt." in lines
    assert "- Chỉ tiêu 4.3 “Tỷ lệ thu gom rác thải sinh hoạt đạt quy định”: kết quả đạt; kế hoạch đạt theo quy định; đạt." in lines
    for line in lines:
        if "(số liệu của" in line and line.startswith("- Chỉ tiêu"):
            assert line.endswith("chưa đủ số liệu để đánh giá."), line
    assert "chỉ tiêu Tăng" not in text and "chỉ tiêu Theo quy định" not in text
    # The sections every such report has.
    assert "- Phòng Văn hóa – Xã hội: tiếp tục tập huấn kỹ năng số cho cán bộ, công chức." in lines
    assert "- Phòng Văn hóa – Xã hội: đề nghị bố trí kinh phí mua sắm loa truyền thanh." in lines or (
        "- Phòng Văn hóa – Xã hội: đề nghị bố trí kinh phí mua sắm loa truyền thanh./." in lines
    )
    if computed_at is not None:
        moment = timezone.localtime(datetime.fromisoformat(computed_at))
        assert f"(số liệu tổng hợp lúc {datetime_vn(computed_at)})" in text
        assert datetime_vn(computed_at) == moment.strftime("%d/%m/%Y %H:%M")
