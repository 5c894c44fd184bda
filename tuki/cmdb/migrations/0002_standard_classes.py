"""The standard CI classes and their attributes; a desk adds its own as rows (docs/cmdb.md).

Names are stored in English and shown translated (they are in the catalogs through
tuki/cmdb/standard.py)."""

from django.db import migrations

from tuki.cmdb.standard import CLASSES


def seed(apps, schema_editor):
    CIClass = apps.get_model("cmdb", "CIClass")
    CIAttribute = apps.get_model("cmdb", "CIAttribute")
    made = {}
    for key, name, layer, parent, is_cluster, attributes in CLASSES:
        ci_class, _ = CIClass.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "layer": layer,
                "parent": made.get(parent),
                "is_cluster": is_cluster,
            },
        )
        made[key] = ci_class
        for order, (attr_key, label, attr_type, unit, choices) in enumerate(attributes):
            CIAttribute.objects.get_or_create(
                ci_class=ci_class,
                key=attr_key,
                defaults={
                    "label": label,
                    "type": attr_type,
                    "unit": unit,
                    "choices": "\n".join(choices),
                    "order": order * 10,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("cmdb", "0001_configuration_database")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
