"""Issued files move out of the database into file storage (default_storage), byte for byte.

Each file is checked against its recorded SHA-256 before and after the move; the sha256 column
is kept as it is. The reverse step copies the stored bytes back into the column.
"""
import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models

import documents.models


def to_storage(apps, schema_editor):
    IssuedFile = apps.get_model("documents", "IssuedFile")
    for row in IssuedFile.objects.filter(file="").order_by("pk").iterator():
        data = bytes(row.content)
        if hashlib.sha256(data).hexdigest() != row.sha256:
            raise RuntimeError(f"Issued file {row.pk} does not match its SHA-256; not moved.")
        name = default_storage.save(f"issued/{row.document_id}/{row.filename}", ContentFile(data))
        with default_storage.open(name, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != row.sha256:
                raise RuntimeError(f"Issued file {row.pk} changed on its way to storage ({name}).")
        IssuedFile.objects.filter(pk=row.pk).update(file=name)


def to_database(apps, schema_editor):
    IssuedFile = apps.get_model("documents", "IssuedFile")
    for row in IssuedFile.objects.exclude(file="").order_by("pk").iterator():
        with default_storage.open(row.file.name, "rb") as handle:
            IssuedFile.objects.filter(pk=row.pk).update(content=handle.read(), file="")


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0002_template_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="issuedfile",
            name="file",
            field=models.FileField(default="", max_length=300, upload_to=documents.models.issued_file_path, verbose_name="tệp"),
            preserve_default=False,
        ),
        migrations.RunPython(to_storage, to_database),
    ]
