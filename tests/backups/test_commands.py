"""`manage.py backup` and `manage.py restore`: issued documents come back byte-identical, the
register unchanged and every stored file identical, in an empty database of a separate process."""
import io
import json
import os
import subprocess
import sys
import tarfile

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from tests.helpers.production import ROOT, manage, production_env, python
from tests.helpers.workflow import issued_plan, demo, fill_unit_report, new_unit_report, run, signed_plan_document
from workflows.attachments import add_attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# What a restored installation shows; run in the restored process and in this one alike.
STATE = """
import hashlib, json
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from backups.archive import storage_files
from documents.models import RegisterEntry
from documents.rendering import document_file
from workflows.models import Document

def sha(data):
    return hashlib.sha256(data).hexdigest()

def state():
    issued = {}
    for document in Document.objects.filter(state="issued").order_by("pk"):
        name, data = document_file(document)
        issued[str(document.pk)] = [name, sha(data)]
    files = {}
    for name in storage_files(default_storage):
        with default_storage.open(name, "rb") as handle:
            files[name] = sha(handle.read())
    register = list(RegisterEntry.objects.order_by("pk").values())
    return json.loads(json.dumps({"issued": issued, "files": files, "register": register}, cls=DjangoJSONEncoder))
"""


def current_state():
    namespace = {}
    exec(STATE, namespace)
    return namespace["state"]()


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def empty_database(tmp_path):
    """The environment of a fresh installation: its own empty database (same engine as the tests)."""
    env = production_env(tmp_path / "restored", MEDIA_ROOT=tmp_path / "restored-media")
    if connection.vendor != "postgresql":
        yield env
        return
    import psycopg

    name = f"{settings.DATABASES['default']['NAME']}_restore"
    admin = psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**env, "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"}
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_restore_into_an_empty_database_gives_back_every_issued_file_and_the_register(tmp_path, empty_database):
    first = issued_plan()
    second = run(signed_plan_document("Kế hoạch ứng dụng chuyển đổi số"), ("vanthu", "issue"))
    report = fill_unit_report(new_unit_report())
    add_attachment(report.pk, demo("tramyte"), SimpleUploadedFile("biên bản kiểm tra.pdf", PDF), "1.1")
    before = current_state()
    assert set(before["issued"]) == {str(first.pk), str(second.pk)}
    # The evidence file and both issued Word files live in the file storage.
    assert len(before["register"]) == 2 and len(before["files"]) == 3
    assert sum(name.startswith("issued/") for name in before["files"]) == 2

    archive = tmp_path / "backups" / "2026-12-01.tar.gz"
    call_command("backup", str(archive), stdout=open(os.devnull, "w"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "database.json" in names and "manifest.json" in names
    assert all(f"files/{name}" in names for name in before["files"])

    out = manage(empty_database, "restore", str(archive))
    assert "Đã khôi phục" in out
    after = json.loads(python(empty_database, "import django, json; django.setup()\n" + STATE + "\nprint(json.dumps(state()))"))
    assert after == before

    # A second restore would mix two installations: refused with the reason, nothing changed.
    again = subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=empty_database, capture_output=True, text=True
    )
    assert again.returncode != 0 and "Chỉ khôi phục vào một cơ sở dữ liệu trống" in again.stderr


def test_a_corrupted_archive_is_refused_before_anything_is_restored(tmp_path, empty_database):
    archive = tmp_path / "sao-luu.tar.gz"
    default_storage.save("evidence/1/anh.png", SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\nabc"))
    call_command("backup", str(archive), stdout=open(os.devnull, "w"))
    # Flip the stored file's content but keep the manifest: the restore must notice.
    tampered = tmp_path / "hong.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "files/evidence/1/anh.png":
                data = data[:-1] + b"x"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    failed = subprocess.run(
        [sys.executable, "manage.py", "restore", str(tampered)], cwd=ROOT, env=empty_database, capture_output=True, text=True
    )
    assert failed.returncode != 0 and "bị hỏng (SHA-256 không khớp)" in failed.stderr
    # Refused before the database was touched: not even migrated.
    tables = python(
        empty_database, "import django; django.setup()\nfrom django.db import connection\nprint(len(connection.introspection.table_names()))"
    )
    assert tables.split() == ["0"]
    assert not (tmp_path / "restored-media" / "evidence").exists()
