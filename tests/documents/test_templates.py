"""The committed templates are what the build script makes; uploads are checked and versioned;
the register is read-only in the admin."""
import io
import zipfile
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as WordDocument
from docx.oxml.ns import qn

from accounts.models import User
from documents import dates, markup
from documents.template_files import FILES, TEMPLATE_DIR
from scripts.build_docx_templates import build, xml_parts
from documents.inspection import open_docx
from documents.models import RegisterEntry, TemplateVersion
from documents.templates import active_template, builtin_template, validate_template
from tests.helpers.workflow import run
from workflows.models import Document

KINDS = list(FILES)



@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded templates go to a temporary MEDIA_ROOT, not the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"

# --- the build script ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_committed_template_is_what_the_script_builds(kind):
    committed = (TEMPLATE_DIR / FILES[kind]).read_bytes()
    built = build(kind)
    assert xml_parts(committed) == xml_parts(built), "run: make docx-templates"
    assert build(kind) == built  # byte-for-byte reproducible


@pytest.mark.parametrize("kind", KINDS)
def test_templates_use_styles_not_direct_formatting(kind):
    doc = open_docx(builtin_template(kind))
    body = doc.element.body
    assert not list(body.iter(qn("w:rPr"))), "runs must take their look from styles"
    printed = 0
    for paragraph in body.iter(qn("w:p")):
        text = "".join(t.text for t in paragraph.iter(qn("w:t")))
        if text and not text.startswith("{%"):
            printed += 1
            assert paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}") is not None, text
    assert printed >= 15
    names = {s.name for s in doc.styles}
    for name in ["VB Quốc hiệu", "VB Tiêu ngữ", "VB Tên cơ quan", "VB Thân", "VB Nơi nhận", "VB Họ tên người ký"]:
        assert name in names
    # Nothing left over from python-docx's default file: no thumbnail, no theme-font styles.
    with zipfile.ZipFile(io.BytesIO(builtin_template(kind))) as archive:
        assert not any("thumbnail" in name or "stylesWithEffects" in name for name in archive.namelist())


# --- checking an uploaded template --------------------------------------------------------------
def with_paragraph(kind, text):
    doc = WordDocument(io.BytesIO(build(kind)))
    doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_builtin_templates_pass_the_upload_check(kind):
    used = validate_template(kind, builtin_template(kind))
    assert {"header", "title", "sections", "recipients", "signature", "draft"} <= set(used)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 not a word file", "không phải tệp Word"),
        (zipfile.ZipFile.__name__.encode() * 3, "không phải tệp Word"),
    ],
)
def test_upload_check_refuses_files_that_do_not_open(data, message):
    with pytest.raises(ValidationError, match=message):
        validate_template("plan", data)


@pytest.mark.django_db
def test_upload_check_refuses_a_zip_that_is_not_docx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(ValidationError, match="bị hỏng"):
        validate_template("plan", out.getvalue())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text, message",
    [
        ("{{ so_van_ban }}", "biến không có trong dữ liệu kế hoạch: so_van_ban"),
        ("{{ title ", "lỗi cú pháp"),
        ("{% for x in %}x{% endfor %}", "lỗi cú pháp"),
        ("{% if header.number == ‘x’ and %}x{% endif %}", "lỗi cú pháp"),
        ("{{ header.khong_co_truong_nay }}", "trường không có"),
        ("{{ signature.name|khong_co_bo_loc }}", "lỗi cú pháp"),
    ],
)
def test_upload_check_refuses_bad_tags_with_a_reason(text, message):
    with pytest.raises(ValidationError) as info:
        validate_template("plan", with_paragraph("plan", text))
    assert message in " ".join(info.value.messages)


@pytest.mark.django_db
def test_upload_check_accepts_an_edited_template():
    data = with_paragraph("unit_report", "Ghi chú cố định do văn thư thêm: {{ title }}")
    assert "title" in validate_template("unit_report", data)


# --- active version -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_newest_active_version_is_used_and_earlier_ones_stay():
    assert active_template("plan") == (None, builtin_template("plan"))
    first = TemplateVersion.objects.create(kind="plan", file=ContentFile(with_paragraph("plan", "Mẫu 1"), name="mau1.docx"))
    second = TemplateVersion.objects.create(kind="plan", file=ContentFile(with_paragraph("plan", "Mẫu 2"), name="mau2.docx"))
    assert active_template("plan")[0] == second
    assert active_template("unit_report")[0] is None
    second.active = False
    second.save()
    assert active_template("plan")[0] == first
    first.active = False
    first.save()
    assert active_template("plan")[0] is None
    assert TemplateVersion.objects.filter(kind="plan").count() == 2


@pytest.mark.django_db
def test_missing_uploaded_file_falls_back_to_the_builtin_template():
    version = TemplateVersion.objects.create(kind="plan", file=ContentFile(build("plan"), name="mat.docx"))
    version.file.storage.delete(version.file.name)
    assert active_template("plan") == (None, builtin_template("plan"))


# --- admin ----------------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.django_db
def test_admin_upload_checks_the_file_and_records_the_uploader(admin_client):
    url = reverse("admin:documents_templateversion_add")
    assert admin_client.get(url).status_code == 200
    bad = SimpleUploadedFile("mau.docx", with_paragraph("plan", "{{ bien_la }}"), content_type="application/octet-stream")
    response = admin_client.post(url, {"kind": "plan", "file": bad, "note": "", "active": "on"})
    assert response.status_code == 200
    assert "bien_la" in response.content.decode()
    assert not TemplateVersion.objects.exists()

    wrong_type = SimpleUploadedFile("mau.doc", build("plan"))
    response = admin_client.post(url, {"kind": "plan", "file": wrong_type, "active": "on"})
    assert "Chỉ nhận tệp Word có đuôi .docx." in response.content.decode()

    good = SimpleUploadedFile("mau-moi.docx", with_paragraph("plan", "Dòng cố định mới"))
    response = admin_client.post(url, {"kind": "plan", "file": good, "note": "Thêm dòng", "active": "on"})
    assert response.status_code == 302
    version = TemplateVersion.objects.get()
    assert version.uploaded_by.username == "admin" and version.original_name == "mau-moi.docx"
    assert len(version.sha256) == 64
    assert active_template("plan")[0] == version

    change = reverse("admin:documents_templateversion_change", args=[version.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(reverse("admin:documents_templateversion_delete", args=[version.pk])).status_code == 403
    builtin = admin_client.get(reverse("admin:documents_templateversion_builtin", args=["plan"]))
    assert builtin.status_code == 200 and builtin.getvalue() == builtin_template("plan")
    assert admin_client.get(reverse("admin:documents_templateversion_builtin", args=["khac"])).status_code == 404


@pytest.mark.django_db
def test_register_is_read_only_in_the_admin(admin_client):
    document = run(
        Document.objects.get(kind="plan"),
        ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue"),
    )
    entry = RegisterEntry.objects.get(document=document)
    changelist = admin_client.get(reverse("admin:documents_registerentry_changelist"))
    page = changelist.content.decode()
    assert changelist.status_code == 200
    assert "01/KH-UBND" in page and dates.short_date(entry.issued_on) in page and "Đào Hồng Thanh" in page
    assert "Đảng ủy (để b/c)" in page
    assert admin_client.get(reverse("admin:documents_registerentry_add")).status_code == 403
    assert admin_client.post(reverse("admin:documents_registerentry_delete", args=[entry.pk])).status_code == 403
    view = admin_client.get(reverse("admin:documents_registerentry_change", args=[entry.pk]))
    assert view.status_code == 200 and 'name="_save"' not in view.content.decode()


# --- dates and lines ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, long, short",
    [
        (date(2026, 5, 6), "ngày 06 tháng 5 năm 2026", "06/5/2026"),
        (date(2027, 1, 5), "ngày 05 tháng 01 năm 2027", "05/01/2027"),
        (date(2026, 2, 28), "ngày 28 tháng 02 năm 2026", "28/02/2026"),
        (date(2026, 12, 14), "ngày 14 tháng 12 năm 2026", "14/12/2026"),
        (date(2026, 3, 10), "ngày 10 tháng 3 năm 2026", "10/3/2026"),
    ],
)
def test_dates_follow_the_leading_zero_rule(value, long, short):
    assert dates.long_date(value) == long
    assert dates.short_date(value) == short
    assert dates.place_and_date("Diễn Châu", month=11, year=2026) == "Diễn Châu, ngày    tháng 11 năm 2026"


def test_line_kinds_and_recipient_punctuation():
    lines = markup.parse_lines("1. Khoản\n\n a) điểm \n- gạch\n+ cộng\nđoạn thường\n10. Mười")
    assert [(l["text"], l["kind"], l["bold"]) for l in lines] == [
        ("1. Khoản", "khoan", True),
        ("a) điểm", "diem", False),
        ("- gạch", "dash", False),
        ("+ cộng", "plus", False),
        ("đoạn thường", "plain", False),
        ("10. Mười", "khoan", True),
    ]
    assert markup.punctuated_recipients(["Như trên", "- Đảng ủy (để b/c);", "UBMTTQ."], "Lưu: VT, VHXH.") == [
        "- Như trên;",
        "- Đảng ủy (để b/c);",
        "- UBMTTQ;",
        "- Lưu: VT, VHXH.",
    ]
    assert markup.with_end_mark("Kết thúc.") == "Kết thúc./."
    assert markup.with_end_mark("Kết thúc") == "Kết thúc./."
