"""Render one page of each Word template as a PNG for the README (docs/img/).

Runs the real path on a throw-away SQLite database: load the Diễn Châu data, issue the plan, open
the 2026-H1 round, fill and approve a few unit reports (written each its own way), submit Trạm Y
tế's report, and compile the summary report.
Needs LibreOffice (soffice) and poppler (pdftoppm).

    .venv/bin/python scripts/render_sample_pages.py
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = Path(tempfile.mkdtemp(prefix="congvan-samples-"))
os.environ["VAR_DIR"] = str(WORK)
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from accounts.models import User  # noqa: E402
from documents.rendering import document_file, document_pdf  # noqa: E402
from plans.models import Period  # noqa: E402
from rounds.compile import create_summary  # noqa: E402
from rounds.services import open_round  # noqa: E402
from workflows.models import Document  # noqa: E402
from workflows.services import perform_transition, targets_for, update_document  # noqa: E402

SAMPLE = {"percent": 96.5, "count": 1, "boolean": True, "text": "Tăng so với cùng kỳ"}

# What a few units wrote, their own way (numbering, bullets, headings): the compiled report merges it.
WRITTEN = {
    "tramyte": {
        "results": "1. Ứng dụng công nghệ thông tin\n- Triển khai hồ sơ sức khỏe điện tử cho 85% người dân trên địa bàn.\n"
        "- Tuyên truyền phân loại, xử lý rác thải y tế đúng quy định.",
        "shortcomings": "- Trang thiết bị công nghệ thông tin còn thiếu.",
        "next_tasks": "- Tiếp tục cập nhật hồ sơ sức khỏe điện tử.",
    },
    "vhxh": {
        "results": "1. Công tác tuyên truyền\n- Tổ chức 12 buổi tuyên truyền về chuyển đổi số trên hệ thống truyền thanh xã.\n"
        "2. Tập huấn\n- Phối hợp tổ chức 02 lớp tập huấn kỹ năng số cho cán bộ, công chức.",
        "shortcomings": "- Kinh phí cho hoạt động tuyên truyền còn hạn chế.",
        "next_tasks": "1. Tiếp tục tập huấn kỹ năng số cho cán bộ, công chức.",
        "proposals": "Đề nghị bố trí kinh phí mua sắm loa truyền thanh.",
    },
    "vanphong": {
        "results": "a) Số hóa 100% hồ sơ thủ tục hành chính tiếp nhận tại Trung tâm phục vụ hành chính công.\n"
        "b) Sử dụng chữ ký số trong xử lý văn bản điện tử.",
    },
    "xom-01": {"results": "- Tổ chức tuyên truyền phân loại rác tại nguồn đến từng hộ dân.\n+ Ra quân vệ sinh môi trường, trồng 200 cây xanh."},
    "xom-02": {
        "results": "• Tổ chức tuyên truyền phân loại rác tại nguồn đến từng hộ dân.",
        "shortcomings": "Kinh phí cho hoạt động tuyên truyền còn hạn chế.",
    },
}
INITIATIVES = {"xom-02": [{"name": "Xóm số Diễn Châu", "kind": "Xóm số", "note": "cài đặt VNeID cho 90% người dân"}]}


def user(name):
    return User.objects.select_related("unit").get(username=name)


def fill(document, username):
    values = [{"code": t.code, "value": SAMPLE[t.input_kind], "note": ""} for t in targets_for(document)]
    initiatives = INITIATIVES.get(username, [{"name": f"Cơ quan xanh tại {document.unit.name}", "kind": "Cơ quan xanh", "note": ""}])
    return update_document(
        document.pk, user(username), version=document.version, sections=WRITTEN[username], values=values, initiatives=initiatives
    )


def to_png(document, stem):
    _, pdf = document_pdf(document)
    pdf_path = WORK / f"{stem}.pdf"
    pdf_path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(ROOT / "docs" / "img" / stem)], check=True)
    _, docx = document_file(document)
    (WORK / f"{stem}.docx").write_bytes(docx)
    print(f"docs/img/{stem}.png")


def main():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_demo", verbosity=0)

    # The plan is issued first: the compiled report cites it by number and date.
    plan = Document.objects.get(kind="plan")
    for username, name in (("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue")):
        perform_transition(plan.pk, user(username), name)
    to_png(Document.objects.get(pk=plan.pk), "ke-hoach")

    period = Period.objects.get(code="2026-H1")
    open_round(period, user("vhxh"))
    for username in ("vhxh", "vanphong", "xom-01", "xom-02"):
        report = fill(Document.objects.get(kind="unit_report", period=period, unit__code=username), username)
        reviewer = "vanphong" if username == "vhxh" else "vhxh"  # Phòng VH-XH does not review its own report
        perform_transition(report.pk, user(username), "submit")
        perform_transition(report.pk, user(reviewer), "start_review")
        perform_transition(report.pk, user(reviewer), "approve")
    # Trạm Y tế's report, submitted: numbered in the unit's own register, signed by its head.
    report = fill(Document.objects.get(kind="unit_report", period=period, unit__code="tramyte"), "tramyte")
    to_png(perform_transition(report.pk, user("tramyte"), "submit"), "bao-cao-don-vi")

    # The compiled report: 4 approved, 1 waiting for review, the others missing.
    summary = create_summary(period, user("vhxh"))
    to_png(summary, "bao-cao-tong-hop")
    print(f"Word and PDF files: {WORK}")


if __name__ == "__main__":
    main()
