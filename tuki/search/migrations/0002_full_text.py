"""The full-text side of SearchEntry, for the database in use (see tuki/search/engine.py).

PostgreSQL: pg_trgm; generated tsvector columns built with the row's language
configuration, GIN-indexed; a trigram GIN index on the title for typos.
SQLite: an FTS5 table of Snowball stems whose rowid is the SearchEntry id.
Each part runs only on its own database; the other one skips it.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CONFIG = (
    "CASE language WHEN 'en' THEN 'english'::regconfig WHEN 'ro' THEN 'romanian'::regconfig "
    "WHEN 'fi' THEN 'finnish'::regconfig ELSE 'simple'::regconfig END"
)


def _vector(text: str) -> str:
    return (
        f"setweight(to_tsvector({CONFIG}, coalesce(title, '')), 'A') || "
        f"setweight(to_tsvector({CONFIG}, {text}), 'B')"
    )


POSTGRES = [
    "ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS ("
    + _vector("left(coalesce(body, ''), 400000)")
    + ") STORED",
    "ALTER TABLE search_searchentry ADD COLUMN public_document tsvector GENERATED ALWAYS AS ("
    + _vector("left(coalesce(public_body, body, ''), 400000)")
    + ") STORED",
    "CREATE INDEX search_entry_document ON search_searchentry USING gin (document)",
    "CREATE INDEX search_entry_public_document ON search_searchentry USING gin (public_document)",
    "CREATE INDEX search_entry_title_trgm ON search_searchentry USING gin (title gin_trgm_ops)",
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS search_entry_title_trgm",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS public_document",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document",
]
SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "title, body, public_body, tokenize = 'unicode61 remove_diacritics 2')",
]
SQLITE_BACK = ["DROP TABLE IF EXISTS search_fts"]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_entries_and_queries")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_BACK, "sqlite": SQLITE_BACK}),
        ),
    ]
