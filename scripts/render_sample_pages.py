"""Render one page of each Word template as a PNG for the README (docs/img/).

Runs the real path on a throw-away SQLite database: load the Diễn Châu data, open the 2026-H1
round, fill and approve a few unit reports, compile the summary report, and issue the plan.
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


def user(name):
    return User.objects.select_related("unit").get(username=name)


def fill(document, username):
    values = [{"code": t.code, "value": SAMPLE[t.input_kind], "note": ""} for t in targets_for(document)]
    sections = {
        "results": "1. Công tác tuyên truyền\n- Tổ chức 04 buổi tuyên truyền về chuyển đổi số.\n+ Phối hợp với các xóm.",
        "shortcomings": "- Một số hộ dân còn ngại sử dụng dịch vụ công trực tuyến.",
        "next_tasks": "- Tiếp tục tuyên truyền, hướng dẫn người dân.",
    }
    initiatives = [{"name": f"Mô hình số của {document.unit.name}", "kind": "Cơ quan xanh", "note": ""}]
    return update_document(document.pk, user(username), version=document.version, sections=sections, values=values, initiatives=initiatives)


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
    period = Period.objects.get(code="2026-H1")
    open_round(period, user("vhxh"))

    for username in ("tramyte", "vanphong", "xom-01", "xom-02"):
        report = Document.objects.get(kind="unit_report", period=period, unit__code=username)
        report = fill(report, username)
        perform_transition(report.pk, user(username), "submit")
        perform_transition(report.pk, user("vhxh"), "start_review")
        perform_transition(report.pk, user("vhxh"), "approve")
    to_png(Document.objects.get(kind="unit_report", period=period, unit__code="tramyte"), "bao-cao-don-vi")

    summary = create_summary(period, user("vhxh"))
    to_png(summary, "bao-cao-tong-hop")

    plan = Document.objects.get(kind="plan")
    for username, name in (("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue")):
        perform_transition(plan.pk, user(username), name)
    to_png(Document.objects.get(pk=plan.pk), "ke-hoach")
    print(f"Word and PDF files: {WORK}")


if __name__ == "__main__":
    main()
