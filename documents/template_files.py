"""Where the built-in Word templates are: one file per kind of document in templates_docx/.

The files are built by scripts/build_docx_templates.py (`make docx-templates`), a development tool
that is not part of the running application; this module is the part the application reads.
"""
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates_docx"
FILES = {
    "plan": "ke_hoach.docx",
    "unit_report": "bao_cao_don_vi.docx",
    "summary_report": "bao_cao_tong_hop.docx",
}
