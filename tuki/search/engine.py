"""The search engine: a library of documents, knowing no other app's models.

A document is (kind, object_id, language, title, body, public_body). Callers index them
(`index_document`, `reindex`), drop them (`remove_document`) and query them (`search`,
`find`, `count`) with a dict of *allowed-id subqueries* per kind: the engine never returns
a row whose id is not in its kind's subquery, so permissions stay with each app's access
module.

One code base for both databases (docs/development/architecture.md): this module builds the
statement around the plans of the backend for the connection's vendor, backends/postgres.py
(tsvector columns, GIN, ts_rank, ts_headline, pg_trgm for typos) or backends/sqlite.py
(an FTS5 table of Snowball stems, bm25). Words, stems and highlighting are in text.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString

from tuki.search.backends import postgres, sqlite
from tuki.search.backends.base import COUNT_CAP, RANK_CAP, Backend, Plan, Texts
from tuki.search.models import SearchEntry, SearchQuery
from tuki.search.text import (
    STEMMERS,
    clean,
    highlight,
    marked,
    query_tokens,
    token_variants,
    words,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Document:
    kind: str
    object_id: int
    language: str
    title: str
    body: str
    public_body: str | None = None


@dataclass
class Hit:
    kind: str
    object_id: int
    language: str
    rank: float
    title: SafeString  # HTML: escaped, the matching words in <mark>
    snippet: SafeString


@dataclass
class Page:
    hits: list[Hit]
    total: int  # objects found, up to COUNT_CAP


def _backend() -> Backend:
    """The backend for the default connection's database."""
    return sqlite if connection.vendor == "sqlite" else postgres


# --- writing -----------------------------------------------------------------------------------


def index_document(
    kind: str,
    object_id: int,
    language: str,
    title: str,
    body: str,
    public_body: str | None = None,
) -> None:
    """Add or replace one document (unique by kind, object and language)."""
    reindex(kind, [Document(kind, object_id, language, title, body, public_body)], full=False)


def remove_document(kind: str, object_id: int, language: str | None = None) -> None:
    """Drop a document: every language of it, or just one."""
    with transaction.atomic():
        entries = SearchEntry.objects.filter(kind=kind, object_id=object_id)
        if language is not None:
            entries = entries.filter(language=language)
        ids = list(entries.values_list("pk", flat=True))
        _backend().deleted(ids)
        SearchEntry.objects.filter(pk__in=ids).delete()


def reindex(kind: str, items: Iterable[Document], *, full: bool = False, batch: int = 1000) -> int:
    """Replace the documents given, in bulk. `full=True`: the kind holds exactly these after.

    Every language of an object given is replaced: an article's dropped translation goes.
    """
    written = 0
    with transaction.atomic():
        if full:
            _backend().deleted(
                list(SearchEntry.objects.filter(kind=kind).values_list("pk", flat=True))
            )
            SearchEntry.objects.filter(kind=kind).delete()
        chunk: list[Document] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                written += _write(kind, chunk, replace=not full)
                chunk = []
        if chunk:
            written += _write(kind, chunk, replace=not full)
        if full:
            _backend().rebuilt()
    return written


def _write(kind: str, docs: Sequence[Document], *, replace: bool) -> int:
    if replace:
        old = SearchEntry.objects.filter(kind=kind, object_id__in={d.object_id for d in docs})
        _backend().deleted(list(old.values_list("pk", flat=True)))
        old.delete()
    now = timezone.now()
    unique = {(d.object_id, d.language or ""): d for d in docs}
    entries = [
        SearchEntry(
            kind=kind,
            object_id=d.object_id,
            language=d.language if d.language in STEMMERS else "",
            title=clean(d.title, 300),
            body=clean(d.body),
            public_body=None if d.public_body is None else clean(d.public_body),
            updated_at=now,
        )
        for d in unique.values()
    ]
    created = SearchEntry.objects.bulk_create(entries)
    _backend().written(kind, created)
    return len(created)


# --- querying ----------------------------------------------------------------------------------


def search(
    q: str | None,
    *,
    allowed: dict[str, QuerySet[Any]],
    kinds: Iterable[str] | None = None,
    language: str | None = None,
    public_only: bool = False,
    any_word: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[Hit]:
    """Ranked hits, best first, one per object (its best-matching language).

    `allowed` maps each kind to a queryset of the ids the reader may see (pk or values);
    a kind without one is never returned. `public_only`: match and show only the text a
    requester may read. `any_word`: rank documents with any of the words (suggestions)
    instead of requiring all of them.
    """
    return find(
        q,
        allowed=allowed,
        kinds=kinds,
        language=language,
        public_only=public_only,
        any_word=any_word,
        limit=limit,
        offset=offset,
    ).hits


def find(
    q: str | None,
    *,
    allowed: dict[str, QuerySet[Any]],
    kinds: Iterable[str] | None = None,
    language: str | None = None,
    public_only: bool = False,
    any_word: bool = False,
    limit: int = 20,
    offset: int = 0,
    few_allowed: bool = False,
) -> Page:
    """`search` and `count` in one statement: a page of hits and how many objects matched.

    The total comes from the same ranked candidates as the hits (window functions), so a
    search page costs one statement instead of a ranking, a count and a snippet query.
    `few_allowed`: the allowed ids are few (a requester's own requests), so the search
    should start from them, never read common words in table order (see _window).
    """
    options = (allowed, kinds, language, public_only, any_word)
    rows, texts = _run(q, *options, limit, offset, few_allowed=few_allowed)
    if not rows:
        # Past the last page: the rows carry no total, so count on its own (rare).
        return Page(
            [],
            count(
                q,
                allowed=allowed,
                kinds=kinds,
                language=language,
                public_only=public_only,
                any_word=any_word,
            )
            if offset > 0
            else 0,
        )
    hits = _hits(rows, texts, q, language, public_only, any_word)
    return Page(hits, min(int(rows[0][5]), COUNT_CAP))


def count(
    q: str | None,
    *,
    allowed: dict[str, QuerySet[Any]],
    kinds: Iterable[str] | None = None,
    language: str | None = None,
    public_only: bool = False,
    any_word: bool = False,
) -> int:
    """How many objects `search` would find with the same arguments, up to COUNT_CAP."""
    rows, _texts = _run(q, allowed, kinds, language, public_only, any_word, None, 0)
    return min(int(rows[0][0]), COUNT_CAP) if rows else 0


def _run(
    q: str | None,
    allowed: dict[str, QuerySet[Any]],
    kinds: Iterable[str] | None,
    language: str | None,
    public_only: bool,
    any_word: bool,
    limit: int | None,
    offset: int,
    *,
    few_allowed: bool = False,
) -> tuple[list[tuple[Any, ...]], Texts | None]:
    tokens = query_tokens(q, any_word=any_word)
    wanted = [k for k in (kinds if kinds is not None else allowed) if k in allowed]
    if not tokens or not wanted:
        return [], None
    language = language if language in STEMMERS else None
    try:
        with _guarded():
            backend = _backend()
            texts = (
                None if limit is None else backend.texts(tokens, language, public_only, any_word)
            )
            for plan in backend.plans(tokens, language, public_only, any_word, few_allowed):
                if plan is None:
                    continue
                sql, params = _select(plan, wanted, allowed, language, limit, offset, texts)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows = list(cursor.fetchall())
                found = (rows[0][0] if limit is None else rows[0][5]) if rows else 0
                if found and found >= plan.enough:
                    return rows, texts
            return [], texts
    except DatabaseError:
        # The query is built from word tokens only, so this should not happen; if it does,
        # the reader gets no results rather than an error page (logged for us to fix).
        log.exception("search failed for %r", q[:200] if q else q)
        return [], None


def _guarded() -> Any:
    """A savepoint only inside a transaction, where a failed statement would poison it.

    In autocommit a failed SELECT leaves the connection usable, and BEGIN and COMMIT
    around one read-only statement are two round trips for nothing.
    """
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


def _select(
    plan: Plan,
    kinds: list[str],
    allowed: dict[str, QuerySet[Any]],
    language: str | None,
    limit: int | None,
    offset: int,
    texts: Texts | None = None,
) -> tuple[str, list[Any]]:
    """One statement: matching rows, permission-filtered, best language per object.

    One branch per kind, joined by UNION ALL: with a single `IN (allowed ids)` per branch
    the database checks the candidates against the allowed rows (a semi-join) instead of
    building the whole allowed set for every query. A page (`limit` given) also carries
    the number of objects among the candidates and each hit's title and snippet text.
    """
    counting = limit is None
    branches, params = [], []
    for kind in kinds:
        try:
            sub_sql, sub_params = _ids_sql(allowed[kind])
        except EmptyResultSet:  # .none(), or a filter on an empty list: nothing allowed
            continue
        conditions = [f"({plan.match_sql})", "e.kind = %s", f"e.object_id IN ({sub_sql})"]
        branch_params = [*plan.match_params, kind, *sub_params]
        if language:
            conditions.append("e.language = %s")
            branch_params.append(language)
        where = " AND ".join(conditions)
        source, source_params = plan.source_sql, plan.source_params
        count_source, count_params = plan.count_source_sql, plan.count_source_params
        if plan.window:
            source = count_source = (
                f"(SELECT id, kind, object_id, language, {plan.vector} FROM search_searchentry "
                f"WHERE kind = %s LIMIT {int(plan.window)}) e"
            )
            source_params = count_params = [kind]
        if counting:
            # Counting stops early: a page says "1,000+" rather than scanning every match.
            branches.append(
                f"SELECT * FROM (SELECT e.kind, e.object_id FROM {count_source} "
                f"WHERE {where} LIMIT {COUNT_CAP * 3}) b"
            )
            params += [*count_params, *branch_params]
        else:
            branches.append(
                f"SELECT * FROM (SELECT e.id, e.kind, e.object_id, e.language, "
                f"({plan.rank_sql}) AS rank FROM {source} WHERE {where} "
                f"LIMIT {RANK_CAP}) b"
            )
            params += [*plan.rank_params, *source_params, *branch_params]
    if not branches:
        return "SELECT 0 WHERE 1 = 0", []
    union = " UNION ALL ".join(branches)
    if limit is None:  # counting
        sql = f"SELECT COUNT(*) FROM (SELECT DISTINCT x.kind, x.object_id FROM ({union}) x) d"
        return sql, params
    numbered = (
        "SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.kind, r.object_id "
        f"ORDER BY r.rank DESC, r.id) AS rn FROM ({union}) r"
    )
    page = (
        "SELECT n.id, n.kind, n.object_id, n.language, n.rank, COUNT(*) OVER () AS total "
        f"FROM ({numbered}) n WHERE n.rn = 1 ORDER BY n.rank DESC, n.id DESC LIMIT %s OFFSET %s"
    )
    texts = texts or Texts("s.title, s.body", [], marked=False)
    sql = (
        f"SELECT p.id, p.kind, p.object_id, p.language, p.rank, p.total, {texts.sql} "
        f"FROM ({page}) p JOIN search_searchentry s ON s.id = p.id "
        "ORDER BY p.rank DESC, p.id DESC"
    )
    return sql, [*texts.params, *params, max(0, int(limit)), max(0, int(offset))]


def _ids_sql(qs: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    if not qs.query.values_select:
        qs = qs.values("pk")
    return qs.order_by().query.sql_with_params()  # an IN list needs no order


# --- hits ------------------------------------------------------------------------------------------


def _hits(
    rows: list[tuple[Any, ...]],
    texts: Texts | None,
    q: str | None,
    language: str | None,
    public_only: bool,
    any_word: bool,
) -> list[Hit]:
    """Hits from the page statement's rows: (id, kind, object, language, rank, total, title,
    text). The text is highlighted already (PostgreSQL) or here (SQLite)."""
    if texts is not None and texts.marked:
        return [
            Hit(kind, int(object_id), lang, float(rank or 0), marked(title), marked(body))
            for _pk, kind, object_id, lang, rank, _total, title, body in rows
        ]
    needles = [v for t in query_tokens(q, any_word=any_word) for v in token_variants(t, language)]
    return [
        Hit(
            kind,
            int(object_id),
            lang,
            float(rank or 0),
            highlight(title or "", needles, whole=True),
            highlight(body or "", needles),
        )
        for _pk, kind, object_id, lang, rank, _total, title, body in rows
    ]


# --- the query log -----------------------------------------------------------------------------


def normalize(q: str) -> str:
    return " ".join(words(clean(q, 200)))[:200]


def log_query(user: Any, q: str, results: int) -> None:
    """Remember a search (for the top searches without a result). Empty queries are not kept."""
    normalized = normalize(q)
    if not normalized:
        return
    SearchQuery.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        query=clean(q, 200),
        normalized=normalized,
        results=max(0, int(results)),
    )


def top_unanswered(days: int = 30, limit: int = 20) -> list[tuple[str, int]]:
    """The most frequent searches that found nothing in the last `days`: what to write next."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        SearchQuery.objects.filter(created_at__gte=since, results=0)
        .values("normalized")
        .annotate(times=Count("id"))
        .order_by("-times", "normalized")[:limit]
    )
    return [(row["normalized"], row["times"]) for row in rows]
