"""SQLite: the FTS5 table `search_fts` beside SearchEntry (migration 0002).

It holds the Snowball stems of each row (stemmed here in Python with the row's language);
a query is stemmed the same way (every language, ORed, prefix-matched) and built only from
quoted tokens, so no FTS5 syntax ever reaches MATCH from the user. Ranked by bm25 (title
weighted 10); snippets are cut by the engine from the original text (FTS5's snippet()
would show stems).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from tuki.search.backends.base import Plan, Texts, plain_texts
from tuki.search.models import SearchEntry
from tuki.search.text import stemmed, token_variants


def plans(
    tokens: list[str],
    language: str | None,
    public_only: bool,
    any_word: bool,
    few_allowed: bool,
) -> list[Plan | None]:
    return [_plan(tokens, language, public_only, any_word)]


def texts(tokens: list[str], language: str | None, public_only: bool, any_word: bool) -> Texts:
    return plain_texts(public_only)


def written(kind: str, entries: Sequence[SearchEntry]) -> None:
    if any(e.pk is None for e in entries):  # older SQLite: no RETURNING from bulk_create
        ids = {
            (o, lang): pk
            for pk, o, lang in SearchEntry.objects.filter(
                kind=kind, object_id__in=[e.object_id for e in entries]
            ).values_list("pk", "object_id", "language")
        }
        for entry in entries:
            entry.pk = ids[(entry.object_id, entry.language)]
    _insert(entries)


def rebuilt() -> None:
    """FTS5 keeps no statistics to refresh."""


def deleted(ids: list[int]) -> None:
    if not ids:
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", part)


def _insert(entries: Sequence[SearchEntry]) -> None:
    rows = [
        (
            e.pk,
            stemmed(e.title, e.language),
            stemmed(e.body, e.language),
            stemmed(e.body if e.public_body is None else e.public_body, e.language),
        )
        for e in entries
    ]
    with connection.cursor() as cursor:
        # A row left behind by a flushed table (tests) must not shadow a reused id.
        deleted([r[0] for r in rows])
        cursor.executemany(
            "INSERT INTO search_fts (rowid, title, body, public_body) VALUES (%s, %s, %s, %s)",
            rows,
        )


def _plan(tokens: list[str], language: str | None, public_only: bool, any_word: bool) -> Plan:
    groups = []
    for token in tokens:
        alternatives = [
            f'"{text}"' + ("*" if prefix else "")
            for text, prefix in token_variants(token, language)
        ]
        groups.append("(" + " OR ".join(alternatives) + ")")
    # CROSS JOIN keeps the full-text match the outer loop in SQLite's plan: the other
    # order runs the MATCH once per entry of the kind.
    columns = "{title public_body}" if public_only else "{title body}"
    expression = f"{columns} : (" + (" OR " if any_word else " AND ").join(groups) + ")"
    source = (
        "(SELECT rowid AS rid, -bm25(search_fts, 10.0, 1.0, 1.0) AS score FROM search_fts "
        "WHERE search_fts MATCH %s) f CROSS JOIN search_searchentry e ON e.id = f.rid"
    )
    count_source = (
        "(SELECT rowid AS rid FROM search_fts WHERE search_fts MATCH %s) f "
        "CROSS JOIN search_searchentry e ON e.id = f.rid"
    )
    return Plan("1 = 1", [], "f.score", [], source, [expression], count_source, [expression])
