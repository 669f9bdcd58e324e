import django.db.models.deletion
from django.db import migrations, models

import documents.models


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0003_issued_files_in_storage"),
        ("workflows", "0003_one_plan_document_per_plan"),
    ]

    operations = [
        # A default first, so that unapplying this migration can add the column back to existing
        # rows; 0003's reverse step then fills it from storage.
        migrations.AlterField(model_name="issuedfile", name="content", field=models.BinaryField(default=b"", verbose_name="nội dung")),
        migrations.RemoveField(model_name="issuedfile", name="content"),
        migrations.CreateModel(
            name="DocumentPdf",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(verbose_name="phiên bản")),
                ("stage", models.CharField(max_length=20, verbose_name="trạng thái văn bản khi tạo")),
                ("template_version", models.PositiveIntegerField(default=0, verbose_name="mẫu Word (0: mẫu gốc)")),
                (
                    "status",
                    models.CharField(
                        choices=[("pending", "đang tạo"), ("ready", "đã tạo"), ("failed", "lỗi")],
                        default="pending",
                        max_length=10,
                        verbose_name="tình trạng",
                    ),
                ),
                ("filename", models.CharField(blank=True, max_length=200, verbose_name="tên tệp")),
                ("file", models.FileField(blank=True, max_length=300, upload_to=documents.models.pdf_path, verbose_name="tệp")),
                ("sha256", models.CharField(blank=True, max_length=64, verbose_name="SHA-256")),
                ("error", models.TextField(blank=True, verbose_name="lỗi")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="số lần thử")),
                ("requested_at", models.DateTimeField(verbose_name="yêu cầu lúc")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="bắt đầu lúc")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="xong lúc")),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="pdfs", to="workflows.document", verbose_name="văn bản"
                    ),
                ),
            ],
            options={"verbose_name": "bản PDF", "verbose_name_plural": "bản PDF"},
        ),
        migrations.AddConstraint(
            model_name="documentpdf",
            constraint=models.UniqueConstraint(fields=("document", "version", "stage", "template_version"), name="unique_pdf_per_version"),
        ),
    ]
