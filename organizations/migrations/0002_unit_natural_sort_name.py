# Units sort naturally ("xóm 2" before "xóm 10") in SQL too: the stored sort name (issue 14).

from django.db import migrations, models

from organizations.ordering import sort_name


def fill_sort_names(apps, schema_editor):
    Unit = apps.get_model("organizations", "Unit")
    for unit in Unit.objects.only("pk", "name"):
        Unit.objects.filter(pk=unit.pk).update(sort_name=sort_name(unit.name))


class Migration(migrations.Migration):

    dependencies = [
        ('organizations', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='unit',
            options={'ordering': ['order', 'sort_name'], 'verbose_name': 'đơn vị', 'verbose_name_plural': 'đơn vị'},
        ),
        migrations.AddField(
            model_name='unit',
            name='sort_name',
            field=models.CharField(db_index=True, default='', editable=False, max_length=250, verbose_name='tên để sắp xếp'),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
    ]
