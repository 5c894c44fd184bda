"""PostgreSQL: a new task row wakes the waiting workers at once (NOTIFY tuki_tasks, sent when
the enqueueing transaction commits), instead of at their next poll. Other databases poll."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION tuki_tasks_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('tuki_tasks', '');
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tuki_tasks_notify ON django_tasks_database_dbtaskresult;
CREATE TRIGGER tuki_tasks_notify
    AFTER INSERT ON django_tasks_database_dbtaskresult
    FOR EACH STATEMENT EXECUTE FUNCTION tuki_tasks_notify();
"""

DROP = """
DROP TRIGGER IF EXISTS tuki_tasks_notify ON django_tasks_database_dbtaskresult;
DROP FUNCTION IF EXISTS tuki_tasks_notify();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("server", "0001_worker_heartbeat_and_periodic_jobs"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
