"""Issuing: the final file is rendered once with number and date, stored with its SHA-256 and
served unchanged forever; file names; the signer actually signing; PDF through LibreOffice."""
import hashlib
import io
import re
import sys
import threading

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from documents import dates, rendering
from documents.inspection import open_docx, text_lines
from documents.models import IssuedFile, NumberSequence, RegisterEntry, TemplateVersion
from documents.pdf import PdfUnavailable, docx_to_pdf
from scripts.build_docx_templates import build
from tests.helpers.workflow import (
    TO_SIGNED,
    demo,
    fill_unit_report,
    issue,
    issued_plan,
    new_plan_document,
    new_summary_report,
    new_unit_report,
    run,
    signed_plan_document,
    the_plan_document,
)
from tests.helpers.web import client_for
from workflows.errors import Unavailable
from workflows.models import Document

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded templates go to a temporary MEDIA_ROOT, not the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"

def test_draft_file_name_and_content_type():
    document = the_plan_document()
    name, data = rendering.document_file(document)
    assert name == f"Du-thao-KH-UBND-{document.pk}.docx"
    assert data[:2] == b"PK"
    assert rendering.DOCX_CONTENT_TYPE == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = client_for("vhxh").get(f"/van-ban/{document.pk}/tai-ve/word/")
    assert response.status_code == 200 and response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_issue_renders_once_with_number_and_date_and_serves_identical_bytes():
    document = issued_plan()
    assert document.state == "issued" and document.number_label == "01/KH-UBND"
    stored = IssuedFile.objects.get(document=document)
    content = bytes(stored.content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.filename == f"KH-01-UBND-{document.issued_on.year}.docx"

    first = rendering.document_file(Document.objects.get(pk=document.pk))
    second = rendering.document_file(Document.objects.get(pk=document.pk))
    assert first == second == (stored.filename, content)

    lines = text_lines(open_docx(content))
    assert "DỰ THẢO" not in lines
    assert "Số: 01/KH-UBND" in lines
    date_line = f"Diễn Châu, {dates.long_date(document.issued_on)}"
    assert date_line in lines
    assert re.match(r"^Diễn Châu, ngày (0[1-9]|[12]\d|3[01]) tháng (0[12]|[3-9]|1[0-2]) năm \d{4}$", date_line)
    # The actual signer: a Phó Chủ tịch signs on behalf of the Chủ tịch.
    assert lines[-4:] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", demo("pct").full_name]
    assert RegisterEntry.objects.get(document=document).symbol == "01/KH-UBND"


def retitled_template(kind, old, new):
    doc = open_docx(build(kind))
    paragraph = next(p for p in doc.paragraphs if p.text == old)
    paragraph.runs[0].text = new
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_issued_file_survives_a_new_template():
    document = issued_plan()
    before = rendering.document_file(document)
    changed = retitled_template("plan", "KẾ HOẠCH", "KẾ HOẠCH (MẪU MỚI)")
    TemplateVersion.objects.create(kind="plan", file=ContentFile(changed, name="moi.docx"), active=True)
    assert rendering.document_file(Document.objects.get(pk=document.pk)) == before
    # New drafts do use the new template.
    draft = new_plan_document("Kế hoạch soạn sau khi đổi mẫu")
    assert "KẾ HOẠCH (MẪU MỚI)" in text_lines(open_docx(rendering.render_docx(draft)))
    assert "KẾ HOẠCH (MẪU MỚI)" not in text_lines(open_docx(rendering.render_docx(new_summary_report())))


def test_issued_document_without_stored_file_gets_one_once():
    document = issued_plan()
    IssuedFile.objects.filter(document=document).delete()
    first = rendering.document_file(Document.objects.get(pk=document.pk))
    second = rendering.document_file(Document.objects.get(pk=document.pk))
    assert first == second
    assert IssuedFile.objects.filter(document=document).count() == 1


def test_chairman_signs_as_tm_chu_tich():
    chairman = User.objects.create(
        username="chutich",
        full_name="Nguyễn Văn Chủ",
        position="Chủ tịch",
        commune=the_plan_document().commune,
        roles=["signer"],
    )
    document = run(the_plan_document(), *TO_SIGNED[:3])
    from workflows.services import perform_transition

    perform_transition(document.pk, chairman, "sign")
    document = Document.objects.get(pk=document.pk)
    lines = text_lines(open_docx(rendering.render_docx(document)))
    assert lines[-3:] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Chủ"]
    assert "DỰ THẢO" in lines  # signed but not yet issued: still no number


def test_summary_report_issue_and_file_name():
    document = new_summary_report()
    assert rendering.file_name(document) == f"Du-thao-BC-UBND-{document.pk}.docx"
    document = run(document, *TO_SIGNED, ("vanthu", "issue"))
    name, data = rendering.document_file(document)
    assert name == f"BC-{document.number_label.split('/')[0]}-UBND-{document.issued_on.year}.docx"
    assert f"Số: {document.number_label}" in text_lines(open_docx(data))


def test_unit_report_file_names():
    document = fill_unit_report(new_unit_report())
    assert rendering.file_name(document) == f"Du-thao-BC-TYT-{document.pk}.docx"
    document = run(document, ("tramyte", "submit"))
    # Named after its number in the unit's register, like an issued document: 01/BC-TYT of the year.
    year = timezone.localdate(document.submitted_at).year
    assert rendering.file_name(document) == f"BC-01-TYT-{year}.docx"
    assert rendering.file_name(document, "pdf") == f"BC-01-TYT-{year}.pdf"
    assert rendering.ascii_slug("ĐTN Đoàn thanh niên") == "DTN-Doan-thanh-nien"


def test_issue_still_works_when_an_uploaded_template_is_broken():
    TemplateVersion.objects.create(kind="plan", file=ContentFile(b"not a docx", name="hong.docx"), active=True)
    document = issued_plan()
    name, data = rendering.document_file(document)
    assert "Số: 01/KH-UBND" in text_lines(open_docx(data))


# --- two phases: render before the transaction, number inside it ------------------------------------
def test_issued_file_is_rendered_before_the_transaction_and_only_gets_its_number_inside(monkeypatch):
    seen = []
    original = rendering.prepare_issued_file

    def prepare(document, **kwargs):
        # Before the number is taken, i.e. before the register's row is locked.
        seen.append((Document.objects.get(pk=document.pk).state, NumberSequence.objects.filter(last_number__gt=0).exists()))
        return original(document, **kwargs)

    monkeypatch.setattr(rendering, "prepare_issued_file", prepare)
    renders = []
    original_render = rendering.render_docx
    monkeypatch.setattr(rendering, "render_docx", lambda *a, **k: renders.append(1) or original_render(*a, **k))
    document = issued_plan()
    assert seen == [("signed", False)]  # rendered before the number was taken (no register lock held)
    assert len(renders) == 1  # and not rendered again inside the transaction
    data = bytes(IssuedFile.objects.get(document=document).content)
    assert b"SOVB" not in data
    lines = text_lines(open_docx(data))
    assert "Số: 01/KH-UBND" in lines
    assert f"Diễn Châu, {dates.long_date(document.issued_on)}" in lines


def test_failed_render_before_the_transaction_takes_no_number(monkeypatch):
    document = signed_plan_document("Kế hoạch có mẫu hỏng")

    def broken(*args, **kwargs):
        raise RuntimeError("Lỗi dựng tệp Word (giả lập)")

    monkeypatch.setattr(rendering, "render_docx", broken)
    with pytest.raises(Unavailable, match="chưa cấp số"):
        issue(document)
    document.refresh_from_db()
    assert document.state == "signed" and document.number is None
    assert not RegisterEntry.objects.exists() and not IssuedFile.objects.exists()
    assert not NumberSequence.objects.filter(last_number__gt=0).exists()
    monkeypatch.undo()
    assert issue(document).number_label == "01/KH-UBND"


def test_document_changed_after_the_render_is_rendered_again_inside(monkeypatch):
    document = signed_plan_document("Kế hoạch đổi trong lúc dựng")
    original = rendering.prepare_issued_file

    def prepare_then_change(doc, **kwargs):
        prepared = original(doc, **kwargs)
        # Someone changes the row meanwhile (the title, as the admin could): the prepared file is stale.
        Document.objects.filter(pk=doc.pk).update(title="Kế hoạch đã đổi trích yếu", updated_at=timezone.now())
        return prepared

    monkeypatch.setattr(rendering, "prepare_issued_file", prepare_then_change)
    issued = issue(document)
    lines = text_lines(open_docx(bytes(IssuedFile.objects.get(document=issued).content)))
    assert "Kế hoạch đã đổi trích yếu" in " ".join(lines)
    assert "Số: 01/KH-UBND" in lines


# --- PDF -------------------------------------------------------------------------------------------
def test_pdf_unavailable_explains_how_to_enable_it():
    with override_settings(SOFFICE_PATH="/nonexistent/soffice"):
        with pytest.raises(PdfUnavailable) as info:
            rendering.document_pdf(the_plan_document())
    assert "LibreOffice" in info.value.detail and "libreoffice-writer" in info.value.detail
    assert rendering.PdfUnavailable is PdfUnavailable


def test_pdf_conversion_failure_and_timeout_are_reported(tmp_path):
    failing = tmp_path / "soffice-fails"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    with override_settings(SOFFICE_PATH=str(failing)):
        with pytest.raises(PdfUnavailable, match="mã lỗi 3"):
            docx_to_pdf(b"PK")
    slow = tmp_path / "soffice-slow"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    started = timezone.now()
    with override_settings(SOFFICE_PATH=str(slow)):
        with pytest.raises(PdfUnavailable, match="1 giây"):
            docx_to_pdf(b"PK", timeout=1)
    assert (timezone.now() - started).total_seconds() < 10


FAKE_SOFFICE = """#!{python}
# Stands in for LibreOffice: notes whether it started with a profile, makes one, writes a PDF.
import sys, pathlib
args = sys.argv[1:]
profile = pathlib.Path([a for a in args if a.startswith("-env:UserInstallation=")][0].split("file://", 1)[1])
outdir = pathlib.Path(args[args.index("--outdir") + 1])
kept = (profile / "user" / "marker").exists()
with open({log!r}, "a") as log:
    log.write(("kept" if kept else "fresh") + "\\n")
if kept and (profile / "user" / "broken").exists():
    sys.exit(81)
(profile / "user").mkdir(parents=True, exist_ok=True)
(profile / "user" / "marker").write_text("x")
(outdir / "van-ban.pdf").write_bytes(b"%PDF-1.7 fake")
"""


def test_conversions_start_from_the_kept_profile_and_a_broken_one_is_replaced(tmp_path, settings):
    log = tmp_path / "runs.log"
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    settings.VAR_DIR = tmp_path / "var"
    settings.SOFFICE_PATH = str(fake)
    assert docx_to_pdf(b"PK") == b"%PDF-1.7 fake"
    assert docx_to_pdf(b"PK") == b"%PDF-1.7 fake"
    assert log.read_text().split() == ["fresh", "kept"]
    [kept] = (settings.VAR_DIR / "soffice-profiles").iterdir()
    # A kept profile that makes LibreOffice fail is dropped; the conversion runs again with a fresh one.
    (kept / "user" / "broken").write_text("x")
    assert docx_to_pdf(b"PK") == b"%PDF-1.7 fake"
    assert log.read_text().split() == ["fresh", "kept", "kept", "fresh"]
    assert not (kept / "user" / "broken").exists() and (kept / "user" / "marker").exists()


def _soffice():
    from documents.pdf import available

    return available()


@pytest.mark.skipif(not _soffice(), reason="LibreOffice (soffice) is not installed here")
def test_pdf_of_an_issued_plan_and_parallel_conversions():
    document = issued_plan()
    name, pdf = rendering.document_pdf(document)
    assert name == f"KH-01-UBND-{document.issued_on.year}.pdf"
    assert pdf.startswith(b"%PDF-")
    # Two conversions at the same time do not share a LibreOffice profile.
    _, docx = rendering.document_file(document)
    results = []
    threads = [threading.Thread(target=lambda: results.append(docx_to_pdf(docx))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2 and all(r.startswith(b"%PDF-") for r in results)
