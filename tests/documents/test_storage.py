"""Files go through Django's storage API: issued files, PDFs and evidence are kept by
default_storage (var/media with `make run`, S3-compatible storage by environment), never in
the database; stored files are never overwritten and their SHA-256 is checked on download;
the migration moves issued files out of the database byte for byte."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import DocumentPdf, IssuedFile
from tests.helpers.api import login
from tests.helpers.soffice import Soffice
from tests.helpers.production import scratch_env
from tests.helpers.workflow import TO_SIGNED, demo, run
from tests.helpers.web import client_for, opened_report
from workflows.attachments import add_attachment
from workflows.models import Document

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def issue_the_plan():
    return run(Document.objects.get(kind="plan"), *TO_SIGNED, ("vanthu", "issue"))


def test_issued_files_pdfs_and_evidence_go_through_the_storage_api(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    settings.SOFFICE_PATH = str(Soffice(tmp_path).path)

    document = issue_the_plan()
    issued = IssuedFile.objects.get(document=document)
    assert issued.file.name.startswith(f"issued/{document.pk}/") and default_storage.exists(issued.file.name)
    with default_storage.open(issued.file.name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    word = client_for("vanthu").get(f"/van-ban/{document.pk}/tai-ve/word/")
    assert word.status_code == 200 and word.getvalue() == data
    assert f'filename="KH-01-UBND-{document.issued_on.year}.docx"' in word["Content-Disposition"]

    assert client_for("vanthu").get(f"/van-ban/{document.pk}/tai-ve/pdf/").status_code == 200
    assert default_storage.exists(DocumentPdf.objects.get(document=document).file.name)

    report = opened_report()
    evidence = add_attachment(report.pk, demo("tramyte"), SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minh chung"), "3.2")
    assert default_storage.exists(evidence.file.name)
    download = client_for("tramyte").get(f"/van-ban/{report.pk}/minh-chung/{evidence.pk}/")
    assert download.status_code == 200 and download.getvalue() == b"%PDF-1.4 minh chung"
    assert 'attachment; filename="bien-ban.pdf"' == download["Content-Disposition"]

    assert not (tmp_path / "media").exists()  # nothing went around the storage API


def test_an_issued_file_is_never_overwritten(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = Document.objects.get(kind="plan")
    # Left behind by an earlier issue that rolled back, under the name the issued file will want.
    leftover = default_storage.save(f"issued/{plan.pk}/KH-01-UBND-{plan.created_at.year}.docx", ContentFile(b"old"))
    document = issue_the_plan()
    issued = IssuedFile.objects.get(document=document)
    assert issued.file.name != leftover
    with default_storage.open(leftover, "rb") as handle:
        assert handle.read() == b"old"
    assert hashlib.sha256(issued.content).hexdigest() == issued.sha256
    with pytest.raises(ValueError):
        issued.save()


def test_a_stored_file_that_no_longer_matches_its_hash_is_not_served(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    document = issue_the_plan()
    issued = IssuedFile.objects.get(document=document)
    Path(default_storage.path(issued.file.name)).write_bytes(b"PK changed on disk")
    page = client_for("vanthu").get(f"/van-ban/{document.pk}/tai-ve/word/")
    assert page.status_code == 503 and "SHA-256" in page.content.decode()
    api = login("vanthu").get(f"/documents/{document.pk}/docx")
    assert api.status_code == 503 and "SHA-256" in api.json()["detail"]


MIGRATION_ROUND_TRIP = """
import hashlib
import shutil
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # demo accounts, fast
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
from documents.models import IssuedFile
from documents.rendering import store_issued_file
from workflows.models import Document
issued = store_issued_file(Document.objects.get(kind="plan"))
original, sha = issued.content, issued.sha256
# Back to the schema where issued files were kept in the database ...
call_command("migrate", "documents", "0002", verbosity=0)
with connection.cursor() as cursor:
    cursor.execute("SELECT content, sha256 FROM documents_issuedfile WHERE id = %s", [issued.pk])
    content, stored_sha = cursor.fetchone()
assert bytes(content) == original and stored_sha == sha, "reverse migration"
shutil.rmtree(settings.MEDIA_ROOT / "issued")  # the database holds the only copy now
# ... and forward: the bytes move out of the database into storage.
call_command("migrate", verbosity=0)
moved = IssuedFile.objects.get(pk=issued.pk)
assert moved.file.name.startswith("issued/"), moved.file.name
assert moved.sha256 == sha and moved.content == original
assert hashlib.sha256(open(moved.file.path, "rb").read()).hexdigest() == sha
print("MOVED", moved.file.name)
"""


def test_migration_moves_issued_files_from_the_database_into_storage(tmp_path):
    env = scratch_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", MIGRATION_ROUND_TRIP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "MOVED issued/" in result.stdout


def settings_under(**environ):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "STORAGE_BACKEND", "DEBUG")}
    env.update(environ)
    code = (
        "import json, django; django.setup(); from django.conf import settings; from config.celery import app; "
        "print(json.dumps({'storage': settings.STORAGES['default'], 'eager': app.conf.task_always_eager, "
        "'broker': app.conf.broker_url, 'cache': settings.CACHES['default']['BACKEND']}))"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
                          capture_output=True, text=True, timeout=60)


def test_storage_and_task_queue_are_chosen_by_environment_only():
    import json

    local = settings_under()
    assert local.returncode == 0, local.stderr
    assert json.loads(local.stdout) == {
        "storage": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "eager": True,
        "broker": "memory://",
        "cache": "django.core.cache.backends.db.DatabaseCache",
    }
    secret = "x" * 60
    production = settings_under(
        DEBUG="0", SECRET_KEY=secret, REDIS_URL="redis://127.0.0.1:6379/3", STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="congvan-files", AWS_S3_ENDPOINT_URL="https://s3.example.invalid", AWS_S3_REGION_NAME="hn",
    )
    assert production.returncode == 0, production.stderr
    chosen = json.loads(production.stdout)
    assert chosen["eager"] is False and chosen["broker"] == "redis://127.0.0.1:6379/3"
    assert chosen["cache"] == "django.core.cache.backends.redis.RedisCache"
    storage = chosen["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "congvan-files" and storage["OPTIONS"]["endpoint_url"] == "https://s3.example.invalid"
    assert storage["OPTIONS"]["file_overwrite"] is False and storage["OPTIONS"]["default_acl"] == "private"

    missing = settings_under(STORAGE_BACKEND="s3")
    assert missing.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in missing.stderr
    unknown = settings_under(STORAGE_BACKEND="ftp")
    assert unknown.returncode != 0 and "STORAGE_BACKEND" in unknown.stderr
