"""Uploaded Word templates are untrusted: no Python through the tags, bounded time and memory,
bounded size before unzipping, no DOCTYPE. Malicious templates are built from the built-in ones
by injecting tags into word/document.xml, and go through validate_template and the real admin
add view; templates stored before these checks existed must not run when a document is made."""
import io
import logging
import os
import time
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from jinja2.sandbox import SecurityError

from accounts.models import User
from documents.docx_package import check_package
from documents.inspection import open_docx, text_lines
from documents.models import IssuedFile, TemplateVersion
from documents import rendering
from documents.rendering import render_template
from documents.templates import builtin_template, package_limits, sample_context, validate_template
from tests.helpers.workflow import fill_unit_report, new_summary_report, new_unit_report, run
from workflows.models import Document

pytestmark = pytest.mark.django_db

NS_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded templates go to a temporary MEDIA_ROOT, not the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def marker(tmp_path):
    """A path a template would create if it could run Python; it must never exist."""
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a template ran Python code on the server"


# --- building templates -------------------------------------------------------------------------
def rezip(data, replace=None, add=None):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data, name):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def with_tag(kind, text):
    """The built-in template with one more paragraph, holding `text`, at the top of the body."""
    data = builtin_template(kind)
    paragraph = f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    xml = part(data, "word/document.xml").replace("<w:body>", "<w:body>" + paragraph, 1)
    return rezip(data, replace={"word/document.xml": xml.encode("utf-8")})


def with_media(kind, name, content, content_type="image/png"):
    """The built-in template with one more part, referenced from the document like a picture."""
    data = builtin_template(kind)
    rels = part(data, "word/_rels/document.xml.rels").replace(
        "</Relationships>", f'<Relationship Id="rId99" Type="{IMAGE_REL}" Target="{name[len("word/"):]}"/></Relationships>'
    )
    types = part(data, "[Content_Types].xml").replace(
        "</Types>", f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'
    )
    return rezip(
        data,
        replace={"word/_rels/document.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()},
        add={name: content},
    )


def with_doctype(kind, part_name, doctype):
    data = builtin_template(kind)
    xml = part(data, part_name)
    declaration_end = xml.index("?>") + 2
    return rezip(data, replace={part_name: (xml[:declaration_end] + "\n" + doctype + xml[declaration_end:]).encode()})


def refusal(kind, data):
    with pytest.raises(ValidationError) as info:
        validate_template(kind, data)
    return " ".join(info.value.messages)


def run_python(marker):
    """The server-side template injection the issue reports, aimed at os.mkdir instead of Popen."""
    return (
        "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == '_wrap_close' %}"
        f"{{{{ c.__init__.__globals__['mkdir']('{marker}') }}}}{{% endif %}}{{% endfor %}}"
    )


BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY a "hahahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    + "]>"
)
XXE = '<!DOCTYPE w:hdr [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


# --- 1. the sandbox -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, text, tag, name",
    [
        ("plan", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__"),
        ("plan", "{{ cycler.__init__.__globals__.os.getcwd() }}", "{{ cycler.__init__.__globals__.os.getcwd() }}", "__init__"),
        ("plan", "{{ self._TemplateReference__context }}", "{{ self._TemplateReference__context }}", "_TemplateReference__context"),
        ("plan", "{{ range.__self__ }}", "{{ range.__self__ }}", "__self__"),
        ("unit_report", "Trích yếu: {{ title|attr('__class__') }}", "{{ title|attr('__class__') }}", "attr"),
        ("summary_report", "{{ header['__class__'] }}", "{{ header['__class__'] }}", "__class__"),
        (
            "plan",
            "{% for c in title.__class__.__mro__ %}{{ c }}{% endfor %}",
            "{% for c in title.__class__.__mro__ %}",
            "__class__",
        ),
        ("plan", "{% include 'khac.xml' %}", "{% include 'khac.xml' %}", "include"),
    ],
)
def test_upload_check_refuses_tags_that_reach_python_internals_naming_the_tag(kind, text, tag, name):
    message = refusal(kind, with_tag(kind, text))
    assert "Mẫu bị từ chối vì lý do an toàn" in message
    assert tag in message and name in message


@pytest.mark.parametrize(
    "part_name, old, new, where",
    [
        ("word/header1.xml", "<w:t>2</w:t>", "<w:t>{{ range.__self__ }}</w:t>", "đầu trang"),
        ("docProps/core.xml", "<dc:title>Mẫu Kế hoạch</dc:title>", "<dc:title>{{ cycler.__init__ }}</dc:title>", "thuộc tính tệp"),
    ],
)
def test_tags_outside_the_body_are_checked_too(part_name, old, new, where):
    """docxtpl renders headers, footers and the file's properties as templates as well."""
    data = builtin_template("plan")
    xml = part(data, part_name)
    assert old in xml
    message = refusal("plan", rezip(data, replace={part_name: xml.replace(old, new).encode("utf-8")}))
    assert f"lý do an toàn ({where})" in message and new[new.index("{{"): new.index("}}") + 2] in message


def test_upload_check_refuses_the_reported_code_execution_and_runs_nothing(marker):
    message = refusal("plan", with_tag("plan", run_python(marker)))
    assert "lý do an toàn" in message and "__class__" in message


def test_builtin_templates_render_in_the_sandbox_too():
    """Rendering in-process (the path of our own templates) is sandboxed as well."""
    with pytest.raises(SecurityError):
        render_template(with_tag("plan", "{{ ''.__class__.__mro__[1].__subclasses__() }}"), sample_context("plan"))
    # The data cannot be changed by a template either (ImmutableSandboxedEnvironment).
    with pytest.raises(SecurityError):
        render_template(with_tag("plan", "{{ recipients.append('x') }}"), sample_context("plan"))


def test_admin_upload_refuses_the_code_execution_template(marker):
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    upload = SimpleUploadedFile("mau-doc-hai.docx", with_tag("plan", run_python(marker)))
    response = client.post(reverse("admin:documents_templateversion_add"), {"kind": "plan", "file": upload, "active": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mẫu bị từ chối vì lý do an toàn" in page and "__subclasses__" in page
    assert not TemplateVersion.objects.exists()


# --- stored before the checks existed: never run, the document still comes out -------------------
def stored(data, name="cu.docx"):
    return TemplateVersion.objects.create(kind="plan", file=ContentFile(data, name=name), active=True)


def vhxh_client():
    client = Client()
    client.force_login(User.objects.get(username="vhxh"))
    return client


@pytest.mark.parametrize(
    "build",
    [
        lambda marker: with_tag("plan", run_python(marker)),
        lambda marker: with_tag("plan", "{{ cycler.__init__.__globals__.os.mkdir('%s') }}" % marker),
        lambda marker: with_doctype("plan", "word/document.xml", BILLION_LAUGHS),
        lambda marker: with_media("plan", "word/media/image1.png", b"\0" * (12 * 1024 * 1024)),
    ],
    ids=["subclasses", "cycler-globals", "billion-laughs", "zip-bomb"],
)
def test_a_stored_malicious_template_never_runs_and_the_download_falls_back(build, marker, caplog):
    stored(build(marker))
    plan = Document.objects.get(kind="plan")
    with caplog.at_level(logging.ERROR, logger="documents.rendering"):
        response = vhxh_client().get(f"/van-ban/{plan.pk}/tai-ve/word/")
    data = response.getvalue()  # a FileResponse streams: read it once
    assert response.status_code == 200 and data[:2] == b"PK"
    lines = text_lines(open_docx(data))
    assert "KẾ HOẠCH" in lines and plan.title in " ".join(lines)
    assert "using the built-in template" in caplog.text


def test_issue_with_a_stored_malicious_template_issues_from_the_builtin_one(marker):
    stored(with_tag("plan", run_python(marker)))
    document = run(
        Document.objects.get(kind="plan"),
        ("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue"),
    )
    assert document.state == "issued"
    issued = IssuedFile.objects.get(document=document)
    assert f"Số: {document.number_label}" in text_lines(open_docx(bytes(issued.content)))


# --- 2. bounded time and memory -------------------------------------------------------------------
# 206 characters of sample title, 70 times, squared: about 2·10⁸ iterations, half a minute of a
# worker's time without a budget.
SLOW = "{% for a in title * 70 %}{% for b in title * 70 %}{% endfor %}{% endfor %}"


def test_a_slow_template_is_stopped_at_upload_within_the_budget(settings):
    settings.TEMPLATE_RENDER_TIMEOUT_SECONDS = 1
    started = time.monotonic()
    message = refusal("plan", with_tag("plan", SLOW))
    assert time.monotonic() - started < 8
    assert "quá thời gian cho phép (1 giây)" in message


def test_a_slow_stored_template_does_not_hold_the_download(settings, caplog):
    settings.TEMPLATE_RENDER_TIMEOUT_SECONDS = 1
    stored(with_tag("plan", SLOW))
    plan = Document.objects.get(kind="plan")
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="documents.rendering"):
        response = vhxh_client().get(f"/van-ban/{plan.pk}/tai-ve/word/")
    assert time.monotonic() - started < 8
    assert response.status_code == 200 and "KẾ HOẠCH" in text_lines(open_docx(response.getvalue()))
    assert "Timeout" in caplog.text


def test_a_template_that_eats_memory_is_stopped_at_upload(settings):
    settings.TEMPLATE_RENDER_MEMORY_MB = 100
    message = refusal("plan", with_tag("plan", "{{ title * 300000 }}"))
    assert "quá nhiều bộ nhớ" in message and "100 MB" in message


def test_an_ordinary_uploaded_template_still_renders_through_the_child():
    stored(with_tag("plan", "Mẫu của văn phòng: {{ title }}"))
    plan = Document.objects.get(kind="plan")
    response = vhxh_client().get(f"/van-ban/{plan.pk}/tai-ve/word/")
    assert f"Mẫu của văn phòng: {plan.title}" in text_lines(open_docx(response.getvalue()))


@pytest.mark.parametrize("kind", ["unit_report", "summary_report"])
def test_every_kind_of_real_context_reaches_the_child(kind, caplog):
    """The child has no Django: the real context of each kind must travel as plain data."""
    TemplateVersion.objects.create(kind=kind, file=ContentFile(with_tag(kind, "Mẫu riêng: {{ title }}"), name="r.docx"))
    document = fill_unit_report(new_unit_report()) if kind == "unit_report" else new_summary_report()
    with caplog.at_level(logging.ERROR, logger="documents.rendering"):
        lines = text_lines(open_docx(rendering.render_docx(document)))
    assert f"Mẫu riêng: {document.title}" in lines
    assert "built-in" not in caplog.text


# --- 3. bounded size, before unzipping ------------------------------------------------------------
def test_a_part_too_big_when_unzipped_is_refused_naming_it():
    bomb = with_media("plan", "word/media/image1.png", b"\0" * (12 * 1024 * 1024))
    assert len(bomb) < 100 * 1024  # a small upload...
    message = refusal("plan", bomb)  # ...refused from the zip directory, before anything is unzipped
    assert "“word/media/image1.png”" in message and "quá lớn khi giải nén (12 MB)" in message and "tối đa 10 MB" in message


def test_a_zip_bomb_ratio_is_refused_naming_the_part():
    message = refusal("plan", with_media("plan", "word/media/image1.png", b"\0" * (2 * 1024 * 1024)))
    assert "“word/media/image1.png”" in message and "tỷ lệ nén" in message and "tối đa 100:1" in message


def test_total_uncompressed_size_and_part_count_are_bounded(settings):
    settings.TEMPLATE_MAX_UNCOMPRESSED_BYTES = 200 * 1024
    noise = os.urandom(150 * 1024)  # incompressible: only the total is wrong
    message = refusal("plan", with_media("plan", "word/media/image1.png", noise))
    assert "Tệp mẫu quá lớn khi giải nén" in message and "tối đa 200 KB" in message

    settings.TEMPLATE_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
    settings.TEMPLATE_MAX_PARTS = 20
    many = rezip(builtin_template("plan"), add={f"word/them{i}.xml": b"<a/>" for i in range(10)})
    assert "quá nhiều phần (23); tối đa 20 phần" in refusal("plan", many)


def test_a_part_the_document_does_not_reference_is_refused_naming_it():
    hidden = rezip(builtin_template("plan"), add={"word/an.xml": b"<?xml version='1.0'?><a/>"})
    message = refusal("plan", hidden)
    assert "“word/an.xml”" in message and "không được tài liệu tham chiếu tới" in message

    untyped = rezip(builtin_template("plan"), add={"word/an.bin": b"x"})
    assert "“word/an.bin”" in refusal("plan", untyped) and "kiểu nội dung" in refusal("plan", untyped)

    # A referenced part with a type is fine: the same file with the picture wired in passes.
    picture = with_media("plan", "word/media/image1.png", os.urandom(2048))
    check_package(picture, package_limits())


def test_admin_upload_refuses_a_zip_bomb_quickly():
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    bomb = with_media("plan", "word/media/image1.png", b"\0" * (100 * 1024 * 1024))
    assert len(bomb) < 200 * 1024
    started = time.monotonic()
    response = client.post(
        reverse("admin:documents_templateversion_add"),
        {"kind": "plan", "file": SimpleUploadedFile("bom.docx", bomb), "active": "on"},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    page = response.content.decode()
    assert "word/media/image1.png" in page and "quá lớn khi giải nén (100 MB)" in page
    assert not TemplateVersion.objects.exists()


# --- 4. DOCTYPE and ENTITY ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "part_name, doctype",
    [
        ("word/document.xml", BILLION_LAUGHS),
        ("word/header1.xml", XXE),
        ("word/_rels/document.xml.rels", '<!DOCTYPE Relationships SYSTEM "http://example.invalid/x.dtd">'),
        ("[Content_Types].xml", "<!doctype Types>"),
    ],
)
def test_a_doctype_in_any_part_is_refused_naming_the_part(part_name, doctype):
    message = refusal("plan", with_doctype("plan", part_name, doctype))
    assert f"“{part_name}”" in message and "DOCTYPE" in message


def test_admin_upload_refuses_xxe_with_a_reason():
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    data = with_doctype("plan", "word/header1.xml", XXE)
    response = client.post(
        reverse("admin:documents_templateversion_add"),
        {"kind": "plan", "file": SimpleUploadedFile("xxe.docx", data), "active": "on"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "word/header1.xml" in page and "khai báo DOCTYPE" in page
    assert not TemplateVersion.objects.exists()
