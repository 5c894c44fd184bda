"""The trigger on the custom-field tables (tuki/tickets/fields.py reads them through the
cache), made as 0001 made the others; 0001's PostgreSQL function is reused."""

from django.db import migrations

TABLES = (
    "tickets.CustomField",
    "tickets.CustomField.categories",
)

SQLITE_BUMP = (
    "INSERT OR REPLACE INTO configcache_version (id, token) VALUES (1, lower(hex(randomblob(16))))"
)


def _tables(apps):
    for label in TABLES:
        parts = label.split(".")
        model = apps.get_model(parts[0], parts[1])
        if len(parts) == 3:
            model = model._meta.get_field(parts[2]).remote_field.through
        yield model._meta.db_table


def add_triggers(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER configcache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION configcache_changed()"
            )
    elif connection.vendor == "sqlite":
        for table in _tables(apps):
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {quote(f'configcache_{table}_{op.lower()}')} "
                    f"AFTER {op} ON {quote(table)} BEGIN {SQLITE_BUMP}; END"
                )


def remove_triggers(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        for table in _tables(apps):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS configcache_changed ON {quote(table)}")
    elif connection.vendor == "sqlite":
        for table in _tables(apps):
            for op in ("insert", "update", "delete"):
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {quote(f'configcache_{table}_{op}')}"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("configcache", "0001_initial"),
        ("tickets", "0009_custom_fields"),
    ]

    operations = [migrations.RunPython(add_triggers, remove_triggers)]
