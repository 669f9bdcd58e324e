"""Backup and restore: every database row and every file of the default storage in one .tar.gz.

Layout: `database.json` (dumpdata with natural foreign keys), `files/<storage name>` and
`manifest.json` (format version, applied migrations, rows per model, each file's size and SHA-256).

Why dumpdata rather than pg_dump: the same archive restores into SQLite or PostgreSQL (a commune
that starts with `make run` moves to PostgreSQL by restoring), it needs no client binary whose
version must match the server, and one code path is tested on both databases. Rows keep their
primary keys, so links and API ids stay valid; only content types and permissions, which
`migrate` recreates, travel by natural key. Files travel separately because issued files and
evidence may live on S3-compatible storage rather than in the database or on local disk.
"""
import hashlib
import io
import json
import posixpath
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "congvan-backup"
VERSION = 1
# Recreated by `migrate` (content types, permissions) or not worth keeping (sessions: log in again).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]
EXCLUDED_MODELS = {"contenttypes.ContentType", "auth.Permission", "sessions.Session"}


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why, in Vietnamese."""


def storage_files(storage, directory=""):
    """Every file name in a storage, recursively (works for local disk and S3 alike)."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(directory, name) if directory else name
    for name in sorted(directories):
        yield from storage_files(storage, posixpath.join(directory, name) if directory else name)


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _applied_migrations(using):
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connections[using]).applied_migrations())


def _row_counts(using):
    return {
        model._meta.label: model._default_manager.using(using).count()
        for model in apps.get_models()
        if model._meta.label not in EXCLUDED_MODELS and model._meta.managed and not model._meta.proxy
    }


def _add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def create_backup(path, *, storage=None, using=DEFAULT_DB_ALIAS):
    """Write the archive to `path` (written aside and renamed, so a failed run leaves no archive)."""
    storage = storage or default_storage
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "database.json"
        outermost = not connection.in_atomic_block
        # One snapshot: rows written while the dump runs are either all in it or all out of it.
        with transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata", "--natural-foreign", *(f"--exclude={label}" for label in EXCLUDED),
                "--database", using, "--output", str(dump), verbosity=0,
            )
            counts = _row_counts(using)
            migrations = _applied_migrations(using)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "migrations": migrations,
            "rows": counts,
            "files": [],
        }
        partial = path.with_name(path.name + ".partial")
        # Files after the rows: they are written once, so every file a row names is already there.
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(dump, arcname="database.json")
            for name in storage_files(storage):
                with storage.open(name, "rb") as handle:
                    data = handle.read()
                _add(tar, f"files/{name}", data)
                manifest["files"].append({"name": name, "size": len(data), "sha256": _sha256(data)})
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
        partial.replace(path)
    return manifest


def _read(tar, name):
    try:
        member = tar.getmember(name)
    except KeyError:
        raise BackupError(f"Tệp sao lưu thiếu phần «{name}».") from None
    return tar.extractfile(member).read()


def read_manifest(tar):
    try:
        manifest = json.loads(_read(tar, "manifest.json"))
    except ValueError:
        raise BackupError("Tệp sao lưu hỏng: không đọc được manifest.json.") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("Không phải tệp sao lưu của hệ thống này, hoặc định dạng không được hỗ trợ.")
    for entry in manifest["files"]:
        parts = entry["name"].split("/")
        if entry["name"].startswith("/") or ".." in parts or "" in parts:
            raise BackupError(f"Tên tệp không hợp lệ trong bản sao lưu: «{entry['name']}».")
    return manifest


def restore_backup(path, *, storage=None, using=DEFAULT_DB_ALIAS):
    """Restore into an empty database (migrated here) and a storage without conflicting files.

    The archive is checked whole (manifest, every file's SHA-256, the database dump) before the
    database or the storage is touched, so a damaged archive leaves the target exactly as it was."""
    storage = storage or default_storage
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Không mở được tệp sao lưu {path}: {exc}") from None
    with tar:
        manifest = read_manifest(tar)
        contents = []
        for entry in manifest["files"]:
            data = _read(tar, f"files/{entry['name']}")
            if _sha256(data) != entry["sha256"]:
                raise BackupError(f"Tệp «{entry['name']}» trong bản sao lưu bị hỏng (SHA-256 không khớp).")
            contents.append((entry, data))
        database = _read(tar, "database.json")
    call_command("migrate", "--noinput", database=using, verbosity=0)
    call_command("createcachetable", database=using, verbosity=0)
    if _applied_migrations(using) != manifest["migrations"]:
        raise BackupError(
            "Bản sao lưu được tạo với một phiên bản phần mềm khác (danh sách migration không khớp). "
            "Hãy khôi phục bằng đúng phiên bản đã sao lưu, rồi nâng cấp bằng «manage.py migrate»."
        )
    filled = [label for label, count in _row_counts(using).items() if count]
    if filled:
        raise BackupError(
            "Cơ sở dữ liệu đích đã có dữ liệu (" + ", ".join(filled[:5]) + "). Chỉ khôi phục vào một cơ sở dữ liệu trống."
        )
    # A file already in the storage must be identical; every one is checked before anything is written.
    files = []
    for entry, data in contents:
        if storage.exists(entry["name"]):
            with storage.open(entry["name"], "rb") as handle:
                if _sha256(handle.read()) != entry["sha256"]:
                    raise BackupError(f"Kho tệp đã có «{entry['name']}» với nội dung khác; hãy khôi phục vào kho trống.")
            continue
        files.append((entry["name"], data))
    for name, data in files:
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            raise BackupError(f"Kho tệp lưu «{name}» dưới tên khác («{saved}»).")
    # Files first: loaddata runs in one transaction, so a failure here leaves an empty
    # database and identical files, and the restore can simply be run again.
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "database.json"
        dump.write_bytes(database)
        call_command("loaddata", str(dump), database=using, verbosity=0)
    restored = _row_counts(using)
    missing = {label: count for label, count in manifest["rows"].items() if restored.get(label) != count}
    if missing:
        raise BackupError(f"Số bản ghi sau khi khôi phục không khớp bản sao lưu: {missing}.")
    return manifest
