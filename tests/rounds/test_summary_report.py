"""The compiled report (báo cáo tổng hợp) of a period with approved, returned and missing unit
reports: created compiled alike by the web page, the API and the command; it reads like a report
Phòng VH-XH would write; issued and downloaded; never stale (issue 12)."""
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from documents.inspection import open_docx, text_lines
from tests.helpers.api import assert_error, login
from tests.helpers.summary import assert_reads_like_a_report, mixed_period, summary_of
from tests.helpers.web import client_for
from tests.helpers.workflow import approve, demo, fill, opened, report_of
from workflows.models import Document

pytestmark = pytest.mark.django_db


def create_by(surface, period):
    """Create the period's summary report the way each surface does; returns it from the database."""
    if surface == "web":
        response = client_for("vhxh").post(reverse("theo-doi:compile", args=[period.pk]))
        assert response.status_code == 302, response.content[:500]
    elif surface == "api":
        response = login("vhxh").post("/documents", {"kind": "summary_report", "period": period.code})
        assert response.status_code == 201, response.content
        assert response.json()["compiled"]["targets"], "created without figures"
    else:
        output = StringIO()
        call_command("compile_summary", period.code, "--user", "vhxh", stdout=output)
        assert "Đã tạo và tổng hợp" in output.getvalue()
        assert "1.2: 100% xóm / ≥ 100% xóm — Chưa đủ số liệu (số liệu của 3/12 xóm)" in output.getvalue()
    return summary_of(period)


@pytest.mark.parametrize("surface", ["web", "api", "command"])
def test_created_compiled_alike_by_the_web_page_the_api_and_the_command(surface):
    period, plan_document = mixed_period()
    document = create_by(surface, period)
    compiled = document.content["compiled"]
    assert len(compiled["targets"]) == 13 and document.version == 2  # created, then compiled once
    assert [s["unit_code"] for s in compiled["sources"]] == ["vhxh", "vanphong", "kinhte", "xom-01", "xom-02", "xom-10"]
    sections = document.content["sections"]
    lines = [line for key in ("preamble", "results", "shortcomings", "next_tasks", "proposals") for line in sections[key].split("\n")]
    assert_reads_like_a_report(lines, plan_document=plan_document)
    assert sections == compiled["drafts"]
    assert compiled["changes"] == []


def test_issued_and_downloaded_word_file_reads_like_a_report():
    period, plan_document = mixed_period()
    vhxh, vanphong, pct, vanthu = (login(name) for name in ("vhxh", "vanphong", "pct", "vanthu"))
    created = vhxh.post("/documents", {"kind": "summary_report", "period": period.code}).json()
    summary_id = created["id"]
    assert created["out_of_date"] == {"out_of_date": False, "changes": []}
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", created["compiled_at_display"])
    for client, name in ((vhxh, "submit"), (vanphong, "start_review"), (vanphong, "approve"), (pct, "sign"), (vanthu, "issue")):
        response = client.transition(summary_id, name)
        assert response.status_code == 200, (name, response.content)
    document = Document.objects.get(pk=summary_id)
    assert document.state == "issued" and document.number_label == "02/BC-UBND"

    response = vanthu.get(f"/documents/{summary_id}/docx")
    assert response.status_code == 200
    doc = open_docx(b"".join(response.streaming_content) if response.streaming else response.content)
    lines = text_lines(doc)
    assert "Số: 02/BC-UBND" in lines and "DỰ THẢO" not in lines
    computed_at = document.content["compiled"]["computed_at"]
    body = [line for line in lines if line]
    assert_reads_like_a_report(body, plan_document=plan_document, computed_at=computed_at)
    assert [line for line in lines if re.match(r"^[IVX]+\. ", line)] == [
        "I. KẾT QUẢ THỰC HIỆN",
        "II. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    # The table: partial figures say so and are never «Đạt».
    table = doc.tables[1]
    rows = {row.cells[0].text: row for row in table.rows[1:]}
    assert rows["1.2"].cells[3].text == "100% xóm (số liệu của 3/12 xóm)" and rows["1.2"].cells[5].text == "Chưa đủ số liệu"
    assert rows["2.2"].cells[5].text == "Đạt" and rows["2.3"].cells[5].text == "Chưa đạt"
    assert rows["4.3"].cells[3].text == "Đạt" and rows["4.3"].cells[5].text == "Đạt"
    # Downloaded again: the same bytes.
    again = vanthu.get(f"/documents/{summary_id}/docx")
    assert b"".join(again.streaming_content) == b"".join(vanthu.get(f"/documents/{summary_id}/docx").streaming_content)


def test_a_unit_report_approved_after_compiling_blocks_sign_and_issue_until_recompiled():
    period, _ = mixed_period()
    vhxh, vanphong, pct, vanthu = (login(name) for name in ("vhxh", "vanphong", "pct", "vanthu"))
    summary_id = vhxh.post("/documents", {"kind": "summary_report", "period": period.code}).json()["id"]
    for client, name in ((vhxh, "submit"), (vanphong, "start_review"), (vanphong, "approve")):
        assert client.transition(summary_id, name).status_code == 200

    approve(period, "congan", sections={"results": "Hướng dẫn kích hoạt VNeID cho 500 người dân."})

    detail = pct.get(f"/documents/{summary_id}").json()
    assert detail["out_of_date"]["out_of_date"] is True
    assert detail["out_of_date"]["changes"] == ["Báo cáo của Công an xã được duyệt sau lần tổng hợp (phiên bản 2)."]
    assert "sign" in detail["allowed_transitions"]  # the role allows it; the figures do not
    body = assert_error(pct.transition(summary_id, "sign"), 409)
    assert "Công an xã" in body["detail"] and "tổng hợp lại" in body["detail"]
    assert Document.objects.get(pk=summary_id).state == "approved"
    page = client_for("pct").get(reverse("van-ban:detail", args=[summary_id])).content.decode()
    assert 'data-testid="out-of-date"' in page and "Báo cáo của Công an xã được duyệt sau lần tổng hợp" in html.unescape(page)
    rounds_page = client_for("vhxh").get(reverse("theo-doi:ky-bao-cao:index")).content.decode()
    assert 'data-testid="summary-out-of-date"' in rounds_page
    sign_queue = client_for("pct").get("/ky-duyet/", follow=True).content.decode()
    assert 'data-testid="doc-out-of-date"' in sign_queue
    home = client_for("pct").get("/", follow=True).content.decode()
    assert 'data-testid="doc-out-of-date"' in home

    # Sent back, compiled again (keeping what the drafter wrote), and on through the workflow.
    assert pct.transition(summary_id, "send_back", "Số liệu chưa gồm báo cáo của Công an xã.").status_code == 200
    document = Document.objects.get(pk=summary_id)
    own_line = "- Phòng Văn hóa – Xã hội nhận xét: phong trào được các xóm hưởng ứng tích cực."
    results = document.content["sections"]["results"].replace(
        "2. Thi đua đẩy mạnh cải cách hành chính", f"{own_line}\n2. Thi đua đẩy mạnh cải cách hành chính"
    )
    assert vhxh.patch(f"/documents/{summary_id}", {"version": document.version, "sections": {"results": results}}).status_code == 200
    assert_error(vhxh.transition(summary_id, "submit"), 409)
    recompiled = vhxh.post(f"/documents/{summary_id}/compile")
    assert recompiled.status_code == 200, recompiled.content
    assert recompiled.json()["out_of_date"] == {"out_of_date": False, "changes": []}
    changes = recompiled.json()["changes"]
    assert any(change.startswith("Chỉ tiêu 4.1: ") for change in changes), changes  # Công an xã reports 4.1
    assert any(change.startswith("Mục «Kết quả thực hiện»: cập nhật") for change in changes), changes
    document = Document.objects.get(pk=summary_id)
    results = document.content["sections"]["results"]
    assert own_line in results  # the drafter's line is kept where it was written
    assert results.index(own_line) < results.index("2. Thi đua đẩy mạnh cải cách hành chính")
    assert "Công an xã: hướng dẫn kích hoạt VNeID cho 500 người dân." in results  # the computed part regenerated
    assert "trên cơ sở báo cáo của 7/25 cơ quan, đơn vị" in document.content["sections"]["preamble"]
    page = client_for("vhxh").get(reverse("van-ban:detail", args=[summary_id])).content.decode()
    assert 'data-testid="recompile-changes"' in page and 'data-testid="out-of-date"' not in page

    for client, name in ((vhxh, "submit"), (vanphong, "start_review"), (vanphong, "approve"), (pct, "sign")):
        assert client.transition(summary_id, name).status_code == 200, name
    # Signed; another report approved before the văn thư issues it: issue is refused too.
    approve(period, "xom-03", values={"1.2": True, "1.3": 91, "4.2": 1})
    assert 'data-testid="doc-out-of-date"' in client_for("vanthu").get("/van-thu/", follow=True).content.decode()
    body = assert_error(vanthu.transition(summary_id, "issue"), 409)
    assert "Ban cán sự xóm 3 (mẫu)" in body["detail"]
    assert Document.objects.get(pk=summary_id).number is None
    assert pct.transition(summary_id, "send_back", "Bổ sung số liệu xóm 3.").status_code == 200
    assert vhxh.post(f"/documents/{summary_id}/compile").status_code == 200
    for client, name in ((vhxh, "submit"), (vanphong, "start_review"), (vanphong, "approve"), (pct, "sign"), (vanthu, "issue")):
        assert client.transition(summary_id, name).status_code == 200, name
    issued = Document.objects.get(pk=summary_id)
    assert issued.state == "issued" and issued.number_label
    assert "số liệu của 4/12 xóm" in issued.content["sections"]["results"]
    assert pct.get(f"/documents/{summary_id}").json()["out_of_date"] == {"out_of_date": False, "changes": []}


def test_a_never_compiled_summary_cannot_go_forward():
    from workflows.services import create_document

    from tests.helpers.workflow import fill_required_sections, period as period_of, the_plan

    document = fill_required_sections(create_document(demo("vhxh"), "summary_report", plan=the_plan(), period=period_of()))
    body = assert_error(login("vhxh").transition(document.pk, "submit"), 409)
    assert "chưa được tổng hợp số liệu" in body["detail"]


def test_the_web_page_shows_the_compile_time_in_local_time():
    period, _ = mixed_period()
    document = create_by("web", period)
    page = client_for("vhxh").get(reverse("van-ban:detail", args=[document.pk])).content.decode()
    from plans.formatting import datetime_vn

    shown = datetime_vn(document.content["compiled"]["computed_at"])
    assert f'data-testid="compiled-at">(tổng hợp lúc {shown})' in page
    assert "T" not in shown and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown)


def test_previous_period_values_of_the_web_form_are_in_the_api():
    h1 = opened("2026-H1")
    approve(h1, "xom-01", values={"1.2": False, "1.3": 80, "4.2": 1})
    year = opened("2026-Y")
    document = fill(year, "xom-01", values={"1.3": 85})
    body = login("xom-01").get(f"/documents/{document.pk}").json()
    assert body["previous"]["period"] == "2026-H1" and body["previous"]["period_name"]
    assert body["previous"]["values"]["1.3"] == 80 and body["previous"]["values"]["1.2"] is False
    form = html.unescape(client_for("xom-01").get(reverse("van-ban:edit", args=[document.pk])).content.decode())
    assert "Kỳ trước: 80%" in form and "Kỳ trước: Chưa đạt" in form
    assert report_of(year, "xom-01").pk == document.pk
