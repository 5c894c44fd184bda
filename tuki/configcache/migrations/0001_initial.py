"""The version row, and a trigger on every watched configuration table that changes its token.

Triggers, not Django signals: they also see QuerySet.update(), bulk_create(), raw SQL and
other programs. A new random token per change: it never comes back, also after the row was
removed (a test database flush) and written again.
"""

from django.db import migrations, models

# Frozen here: a table added to cache.TABLES later needs a migration adding its trigger.
TABLES = (
    "tickets.Status",
    "tickets.PriorityRule",
    "tickets.Category",
    "accounts.SupportGroup",
    "accounts.SupportGroup.members",
    "sla.SlaPolicy",
    "sla.SlaPolicy.organisations",
    "sla.SlaPolicy.agreements",
    "sla.SlaPolicy.services",
    "sla.SlaPolicy.categories",
    "sla.SlaPolicy.pause_statuses",
    "sla.SlaTarget",
    "sla.OlaTarget",
    "sla.Agreement",
    "sla.Agreement.services",
    "sla.Service",
    "sla.Service.categories",
    "calendars.Calendar",
    "webhooks.Webhook",
    "automation.Rule",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION configcache_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO configcache_version (id, token)
    VALUES (1, md5(random()::text || clock_timestamp()::text))
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END
$$
"""
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
        schema_editor.execute(PG_FUNCTION)
        for table in _tables(apps):
            schema_editor.execute(
                f"CREATE TRIGGER configcache_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION configcache_changed()"
            )
    elif connection.vendor == "sqlite":
        for table in _tables(apps):
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {quote(f'configcache_{table}_{op.lower()}')} AFTER {op} "
                    f"ON {quote(table)} BEGIN {SQLITE_BUMP}; END"
                )
    schema_editor.execute("INSERT INTO configcache_version (id, token) VALUES (1, 'initial')")


def remove_triggers(apps, schema_editor):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        for table in _tables(apps):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS configcache_changed ON {quote(table)}")
        schema_editor.execute("DROP FUNCTION IF EXISTS configcache_changed()")
    elif connection.vendor == "sqlite":
        for table in _tables(apps):
            for op in ("insert", "update", "delete"):
                schema_editor.execute(
                    f"DROP TRIGGER IF EXISTS {quote(f'configcache_{table}_{op}')}"
                )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_assignment_and_absences"),
        ("automation", "0001_rules"),
        ("calendars", "0001_calendar"),
        ("sla", "0001_services_agreements_policies_clocks"),
        ("tickets", "0004_request_approval_flow"),
        ("webhooks", "0002_attempt_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConfigVersion",
            fields=[
                ("id", models.PositiveSmallIntegerField(primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=64)),
            ],
            options={"db_table": "configcache_version"},
        ),
        migrations.RunPython(add_triggers, remove_triggers),
    ]
