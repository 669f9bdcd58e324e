"""Search served by an index (issue 15): the folded search text of every document, filled for the
documents that exist, indexes on state and kind, and on PostgreSQL a trigram GIN index on the
search text (pg_trgm) so that `search_text LIKE '% chuyen doi so%'` reads the index, not the table."""
import sys

from django.conf import settings
from django.db import DatabaseError, migrations, models, transaction

# The live folding function, not a copy: the stored text must be what today's searches fold to.
from workflows.search import searchable_text

TRIGRAM_INDEX = "document_search_trgm"
BATCH = 2000


def fill_search_text(apps, schema_editor):
    Document = apps.get_model("workflows", "Document")
    queryset = Document.objects.select_related("unit").order_by("pk")
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        for document in batch:
            document.search_text = searchable_text(document)
        # bulk_update goes around Document.save() (issued documents may be refreshed too: this is
        # not their content, only its folded copy).
        Document.objects.bulk_update(batch, ["search_text"])
        last = batch[-1].pk


def create_trigram_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return  # SQLite: the folded column alone (a scan of one commune's documents is small)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as exc:
                # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it;
                # otherwise search still works, unindexed, and we say how to add the index.
                sys.stderr.write(
                    f"\nCẢNH BÁO: không tạo được extension pg_trgm ({str(exc).strip()}). Tra cứu vẫn chạy nhưng "
                    "không có chỉ mục. Một superuser chạy: CREATE EXTENSION pg_trgm; rồi: "
                    f"CREATE INDEX {TRIGRAM_INDEX} ON workflows_document USING gin (search_text gin_trgm_ops);\n"
                )
                return
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON workflows_document USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0001_initial'),
        ('plans', '0003_boolean_label'),
        ('workflows', '0006_document_tenant_list_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='search_text',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='nội dung tra cứu'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['state'], name='document_state'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['kind'], name='document_kind'),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
