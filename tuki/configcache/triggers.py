"""The SQLite triggers, made again after every `migrate`.

SQLite alters most columns by making the table anew (copy, drop, rename), and the new table
has none of the old one's triggers: a later migration of a watched table (the webhooks'
encrypted secret, its `run_as`) silently dropped the trigger made by configcache's first
migration, and the cache then served stale configuration until a restart. PostgreSQL keeps
triggers through ALTER TABLE, so this is SQLite's alone. `CREATE TRIGGER IF NOT EXISTS`
makes it cheap to run after every migrate.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as global_apps
from django.db import connections

SQLITE_BUMP = (
    "INSERT OR REPLACE INTO configcache_version (id, token) VALUES (1, lower(hex(randomblob(16))))"
)


def watched_tables() -> list[str]:
    from tuki.configcache.cache import TABLES

    tables = []
    for label in TABLES:
        parts = label.split(".")
        model = global_apps.get_model(parts[0], parts[1])
        if len(parts) == 3:
            model = model._meta.get_field(parts[2]).remote_field.through
        tables.append(model._meta.db_table)
    return tables


def ensure_sqlite_triggers(using: str = "default", **kwargs: Any) -> None:
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    quote = connection.ops.quote_name
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in watched_tables():
            if table not in existing:
                continue  # migrated only part of the way (migrate app 0001)
            for op in ("INSERT", "UPDATE", "DELETE"):
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {quote(f'configcache_{table}_{op.lower()}')} "
                    f"AFTER {op} ON {quote(table)} BEGIN {SQLITE_BUMP}; END"
                )
