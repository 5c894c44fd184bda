"""Script.catalogue_items: a list of ids in JSON becomes links to the catalogue items."""

from django.db import migrations, models


def copy_ids(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    Item = apps.get_model("catalogue", "CatalogueItem")
    for script in Script.objects.exclude(catalogue_item_ids=[]):
        ids = [i for i in script.catalogue_item_ids or [] if isinstance(i, int)]
        script.catalogue_items.set(Item.objects.filter(pk__in=ids))


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_catalogue"),
        ("scripts", "0001_scripts_versions_runs"),
    ]

    operations = [
        migrations.RenameField("script", "catalogue_items", "catalogue_item_ids"),
        migrations.AddField(
            model_name="script",
            name="catalogue_items",
            field=models.ManyToManyField(
                blank=True,
                related_name="scripts",
                to="catalogue.catalogueitem",
                verbose_name="catalogue items",
            ),
        ),
        migrations.RunPython(copy_ids, migrations.RunPython.noop),
        migrations.RemoveField("script", "catalogue_item_ids"),
    ]
