"""The search engine: a library of documents, knowing no other app's models.

A document is (kind, object_id, language, title, body, public_body). Callers index them
(`index_document`, `reindex`), drop them (`remove_document`) and query them (`search`,
`count`) with a dict of *allowed-id subqueries* per kind: the engine never returns a row
whose id is not in its kind's subquery, so permissions stay with each app's access module.

Two implementations behind one interface (DESIGN.md: one code base for both databases):

- PostgreSQL: `document` / `public_document` are generated tsvector columns built with the
  row's language configuration (english, romanian, finnish, else simple; title weight A,
  body B), GIN-indexed. A query becomes one tsquery: each word is parsed by all four
  configurations and ORed (the reader's words match whichever language the document is
  in); words are prefix-matched on their stem, because Snowball stems of one word's forms
  differ in their tails (en printing → print / printers → printer, fi tulostin → tulost /
  tulostimen → tulostim). When the words find nothing, a short query matches titles by
  trigram word similarity (pg_trgm), which is what finds "password" for "pasword". Ranked
  by ts_rank, snippets by ts_headline.
- SQLite: the FTS5 table `search_fts` holds the Snowball stems of each row (stemmed here in
  Python with the row's language), the query is stemmed the same way (again every language,
  ORed, prefix-matched) and built only from quoted tokens, so no FTS5 syntax ever reaches
  MATCH from the user. Ranked by bm25 (title weighted 10), snippets cut here from the
  original text (FTS5's snippet() would show stems).

Any query string is safe: it is reduced to at most MAX_TOKENS word tokens before anything
reaches SQL; a query with no word gives no results.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tuki.search.models import SearchEntry, SearchQuery

log = logging.getLogger(__name__)

STEMMERS = {"en": "english", "ro": "romanian", "fi": "finnish"}
PG_CONFIGS = {"en": "english", "ro": "romanian", "fi": "finnish", "": "simple"}
MAX_QUERY_CHARS = 1000
MAX_TOKENS = 24
MAX_TOKEN_CHARS = 60
MAX_BODY_CHARS = 200_000
PREFIX_FROM = 4  # words this long are prefix-matched on their stem
TRIGRAM_MAX_CHARS = 60
SNIPPET_WORDS = 32
COUNT_CAP = 1000  # counts stop here ("1,000+")
# Ranking reads every candidate's row; a query matching more documents of a kind than this
# ranks the first RANK_CAP the index yields (such a query needs more words anyway). The
# total comes from the same candidates, so this is at least COUNT_CAP. At a million
# tickets each candidate costs a heap row and an access check: 10,000 took half a second.
RANK_CAP = COUNT_CAP
# Private-use characters mark highlights inside the database's output before escaping.
MARK_ON, MARK_OFF = "\ue000", "\ue001"
WORD = re.compile(r"[^\W_]+")
# Function words dropped from queries when other words remain (PostgreSQL's english
# configuration drops its own; these keep SQLite and the "any word" mode sensible).
STOPWORDS = frozenset(
    """a an and are as at be but by can do does for from has have how i if in into is it its
    me my no not of on or our so that the their then there this to was we what when where
    which who why will with you your
    acest această am ar au ca care ce cu da de din după este eu fi la le lui mai mea meu
    nu o pe pentru sa se si să și sunt un una unei unui
    ei en ja jo kun mikä miksi miten minun minä mitä mutta myös ne niin noin nyt oli olla on
    ovat se sen sinä tai tämä vai""".split()
)


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


# --- text --------------------------------------------------------------------------------------


def clean(text: str | None, limit: int = MAX_BODY_CHARS) -> str:
    """Text the databases accept and the highlighter can trust (no NUL, no mark characters)."""
    if not text:
        return ""
    return text[:limit].replace("\x00", " ").replace(MARK_ON, " ").replace(MARK_OFF, " ")


@lru_cache(maxsize=200_000)
def stem(language: str, word: str) -> str:
    name = STEMMERS.get(language)
    return _stemmer(name).stemWord(word) if name else word


@lru_cache(maxsize=8)
def _stemmer(name: str) -> Any:
    return snowballstemmer.stemmer(name)


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def stemmed(text: str, language: str) -> str:
    """The text as the SQLite index holds it: one stem per word, in the row's language."""
    return " ".join(stem(language, w) for w in words(text))


@lru_cache(maxsize=50_000)
def fold(word: str) -> str:
    """Case and diacritics folded, as FTS5's unicode61 tokenizer compares them."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_tokens(q: str | None, *, any_word: bool = False) -> list[str]:
    """The words of a query that reach the database: bounded in number and length."""
    found = [w[:MAX_TOKEN_CHARS] for w in words(clean(q, MAX_QUERY_CHARS))]
    meaningful = [w for w in found if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]
    if any_word or meaningful:
        found = meaningful
    return list(dict.fromkeys(found))[:MAX_TOKENS]


def _languages(language: str | None) -> list[str]:
    return [language] if language in STEMMERS else list(STEMMERS)


def token_variants(token: str, language: str | None) -> list[tuple[str, bool]]:
    """(text, is_prefix) alternatives for one query word: its stems and the word itself."""
    prefix = len(token) >= PREFIX_FROM
    found = {stem(lang, token) for lang in _languages(language)} | {token}
    variants = sorted((fold(v), prefix and len(v) >= 3) for v in found if v)
    # A prefix alternative covers every longer one starting with it.
    kept: list[tuple[str, bool]] = []
    for text, is_prefix in sorted(set(variants), key=lambda v: len(v[0])):
        if not any(p and text.startswith(k) for k, p in kept):
            kept.append((text, is_prefix))
    return kept


# --- writing -----------------------------------------------------------------------------------


def _is_sqlite() -> bool:
    return connection.vendor == "sqlite"


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
        _fts_delete(ids)
        SearchEntry.objects.filter(pk__in=ids).delete()


def reindex(kind: str, items: Iterable[Document], *, full: bool = False, batch: int = 1000) -> int:
    """Replace the documents given, in bulk. `full=True`: the kind holds exactly these after.

    Every language of an object given is replaced: an article's dropped translation goes.
    """
    written = 0
    with transaction.atomic():
        if full:
            _fts_delete(list(SearchEntry.objects.filter(kind=kind).values_list("pk", flat=True)))
            SearchEntry.objects.filter(kind=kind).delete()
        chunk: list[Document] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= batch:
                written += _write(kind, chunk, replace=not full)
                chunk = []
        if chunk:
            written += _write(kind, chunk, replace=not full)
        if full and not _is_sqlite():
            with connection.cursor() as cursor:  # fresh statistics: the planner picks GIN
                cursor.execute("ANALYZE search_searchentry")
    return written


def _write(kind: str, docs: Sequence[Document], *, replace: bool) -> int:
    if replace:
        old = SearchEntry.objects.filter(kind=kind, object_id__in={d.object_id for d in docs})
        _fts_delete(list(old.values_list("pk", flat=True)))
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
    if _is_sqlite():
        if any(e.pk is None for e in created):  # older SQLite: no RETURNING from bulk_create
            ids = {
                (o, lang): pk
                for pk, o, lang in SearchEntry.objects.filter(
                    kind=kind, object_id__in=[e.object_id for e in created]
                ).values_list("pk", "object_id", "language")
            }
            for entry in created:
                entry.pk = ids[(entry.object_id, entry.language)]
        _fts_insert(created)
    return len(created)


def _fts_delete(ids: list[int]) -> None:
    if not ids or not _is_sqlite():
        return
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join(["%s"] * len(part))
            cursor.execute(f"DELETE FROM search_fts WHERE rowid IN ({marks})", part)


def _fts_insert(entries: Sequence[SearchEntry]) -> None:
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
        _fts_delete([r[0] for r in rows])
        cursor.executemany(
            "INSERT INTO search_fts (rowid, title, body, public_body) VALUES (%s, %s, %s, %s)",
            rows,
        )


# --- querying ----------------------------------------------------------------------------------


@dataclass
class _Plan:
    match_sql: str
    match_params: list[Any]
    rank_sql: str
    rank_params: list[Any]
    source_sql: str  # FROM clause naming the entries `e`
    source_params: list[Any]
    count_source_sql: str  # the same without ranking work
    count_source_params: list[Any]
    # Accept this plan's answer only when it found at least this many objects; otherwise
    # the next plan runs (0: any answer). See _postgres_plans.
    enough: int = 0
    # > 0: read only the first `window` entries of each kind, in table order, without the
    # index (PostgreSQL; `vector` names the column matched). See _postgres_plans.
    window: int = 0
    vector: str = ""


@dataclass
class Page:
    hits: list[Hit]
    total: int  # objects found, up to COUNT_CAP


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
    options = {"kinds": kinds, "language": language, "public_only": public_only}
    return find(q, allowed=allowed, any_word=any_word, limit=limit, offset=offset, **options).hits


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
) -> tuple[list[tuple[Any, ...]], _Texts | None]:
    tokens = query_tokens(q, any_word=any_word)
    wanted = [k for k in (kinds if kinds is not None else allowed) if k in allowed]
    if not tokens or not wanted:
        return [], None
    language = language if language in STEMMERS else None
    try:
        with _guarded():
            texts = None if limit is None else _texts_plan(tokens, language, public_only, any_word)
            if _is_sqlite():
                plans = [_sqlite_plan(tokens, language, public_only, any_word)]
            else:
                plans = _postgres_plans(tokens, language, public_only, any_word, few_allowed)
                if not any_word:  # titles like the words, for typos: when the words find nothing
                    plans.append(_trigram_plan(tokens, public_only))
            for plan in plans:
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


@dataclass
class _Texts:
    """How the page statement returns each hit's title and snippet text."""

    sql: str  # two columns, from the entry `s`
    params: list[Any]
    marked: bool  # True: the database highlighted them (MARK_ON/MARK_OFF); else raw text


def _texts_plan(
    tokens: list[str], language: str | None, public_only: bool, any_word: bool
) -> _Texts:
    text = "coalesce(s.public_body, s.body)" if public_only else "s.body"
    if not _is_sqlite():
        tsquery = _postgres_tsquery(tokens, language, any_word)
        if tsquery:
            config = (
                "CASE s.language WHEN 'en' THEN 'english'::regconfig "
                "WHEN 'ro' THEN 'romanian'::regconfig WHEN 'fi' THEN 'finnish'::regconfig "
                "ELSE 'simple'::regconfig END"
            )
            marks = f"StartSel={MARK_ON}, StopSel={MARK_OFF}"
            options = (
                f"{marks}, MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, "
                'FragmentDelimiter=" … "'
            )
            sql = (
                f"ts_headline({config}, s.title, %s::tsquery, %s), "
                f"ts_headline({config}, left({text}, 20000), %s::tsquery, %s)"
            )
            params = [tsquery, f"{marks}, HighlightAll=true", tsquery, options]
            return _Texts(sql, params, marked=True)
    return _Texts(f"s.title, {text}", [], marked=False)


def _select(
    plan: _Plan,
    kinds: list[str],
    allowed: dict[str, QuerySet[Any]],
    language: str | None,
    limit: int | None,
    offset: int,
    texts: _Texts | None = None,
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
    if counting:
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
    texts = texts or _Texts("s.title, s.body", [], marked=False)
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


def _sqlite_plan(
    tokens: list[str], language: str | None, public_only: bool, any_word: bool
) -> _Plan | None:
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
    return _Plan("1 = 1", [], "f.score", [], source, [expression], count_source, [expression])


def _postgres_plans(
    tokens: list[str],
    language: str | None,
    public_only: bool,
    any_word: bool,
    few_allowed: bool = False,
) -> list[_Plan | None]:
    """The words' exact stems first, when they alone fill the candidates; then prefixes.

    A prefix (`print:*`) is a partial match for GIN: it reads the posting list of every
    word starting with it into a bitmap before the first row, and at a million tickets a
    common prefix costs hundreds of milliseconds. The exact stems use GIN's fast scan and
    stop at the first RANK_CAP rows. When they find at least COUNT_CAP objects, those are
    the candidates (they are prefix matches too, and the best ones); otherwise the prefix
    query runs, and finds what the exact one did and more.
    """
    prefixed, exact = _postgres_tsqueries(tokens, language, any_word)
    if not prefixed:
        return []
    plans: list[_Plan | None] = []
    if few_allowed:  # starts from the allowed ids: neither shortcut helps
        return [_postgres_plan(prefixed, public_only)]
    window = _window(prefixed, public_only, any_word)
    if window:
        plans.append(
            replace(_postgres_plan(prefixed, public_only), enough=COUNT_CAP, window=window)
        )
    if exact and exact != prefixed:
        plans.append(replace(_postgres_plan(exact, public_only), enough=COUNT_CAP))
    plans.append(_postgres_plan(prefixed, public_only))
    return plans


def _postgres_plan(tsquery: str, public_only: bool) -> _Plan:
    column = "public_document" if public_only else "document"
    vector = f"e.{column}"
    table = "search_searchentry e"
    rank = f"ts_rank({vector}, %s::tsquery)"
    match = f"{vector} @@ %s::tsquery"
    return _Plan(match, [tsquery], rank, [tsquery], table, [], table, [], vector=column)


# A query whose words are in more than this share of the documents reads the table in order
# instead of through the index (see _window); at most WINDOW_MAX rows of a kind.
COMMON_SHARE = 0.05
WINDOW_MAX = 40_000
WINDOW_FACTOR = 2  # rows read per RANK_CAP / share: room for words that meet less often
STATS_SECONDS = 600
SAMPLE_ROWS = 2000
_stats: dict[str, Any] = {"at": -STATS_SECONDS, "shares": {}}


def _window(tsquery: str, public_only: bool, any_word: bool) -> int:
    """How many rows to read in table order for a query common enough to skip the index.

    GIN answers a match with a bitmap of *every* matching row before the first one is read:
    at a million tickets a word in 13 % of them costs 70 ms for one word and 200-300 ms for
    two, whatever the LIMIT. Reading the table in order stops at the RANK_CAP-th match,
    which for such a word comes after a few thousand rows. The planner cannot know that
    two common words come together ("vpn client"), so the share is judged here from the
    column's statistics (pg_stats' most common elements): the least common word's share
    of the documents, a prefix counting every common word it starts. A query none of whose
    words are common reads the index as before. When the window finds fewer than
    COUNT_CAP objects (the words rarely meet), the index plans run after it.
    """
    shares = _lexeme_shares(public_only)
    if not shares:
        return 0
    if any_word:  # any of the words: at least as common as the most common one
        share = _group_share(tsquery, shares)
    else:  # every word: judged by the least common one (they may meet less often)
        share = min(_group_share(group, shares) for group in tsquery.split(" & "))
    if share >= COMMON_SHARE and not any_word and " & " in tsquery:
        # Common words, but do they come together? ("vpn client" always, "teams crashing"
        # in a third of the documents with both.) The first rows, the ones the window
        # would read, say.
        share = _sampled_share(tsquery, public_only)
    if share < COMMON_SHARE:
        return 0
    return min(WINDOW_MAX, int(WINDOW_FACTOR * RANK_CAP / share))


def _sampled_share(tsquery: str, public_only: bool) -> float:
    """The share of the table's first SAMPLE_ROWS rows the query matches (a few ms)."""
    column = "public_document" if public_only else "document"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE e.{column} @@ %s::tsquery), count(*) "
            f"FROM (SELECT {column} FROM search_searchentry LIMIT {SAMPLE_ROWS}) e",
            [tsquery],
        )
        found, rows = cursor.fetchone()
    return found / rows if rows else 0.0


def _group_share(group: str, shares: dict[str, float]) -> float:
    """The share of documents one word matches, as far as the statistics know (a lower
    bound): the most common of its alternatives; a prefix sums the words it starts."""
    best = 0.0
    for operand in re.findall(r"'([^']+)'(:\*)?", group):
        lexeme, prefix = operand
        if prefix:
            found = sum(f for word, f in shares.items() if word.startswith(lexeme))
        else:
            found = shares.get(lexeme, 0.0)
        best = max(best, found)
    return best


def _lexeme_shares(public_only: bool) -> dict[str, float]:
    """{lexeme: share of documents} for the most common ones, per process, refreshed every
    STATS_SECONDS (statistics change only when ANALYZE runs)."""
    now = time.monotonic()
    if now - _stats["at"] > STATS_SECONDS:
        shares: dict[str, dict[str, float]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs "
                "FROM pg_stats WHERE schemaname = current_schema() "
                "AND tablename = 'search_searchentry' "
                "AND attname IN ('document', 'public_document')"
            )
            for column, elems, freqs in cursor.fetchall():
                if elems and freqs:
                    shares[column] = dict(zip(elems, freqs[: len(elems)], strict=True))
        _stats.update(at=now, shares=shares)
    return _stats["shares"].get("public_document" if public_only else "document", {})


def _trigram_plan(tokens: list[str], public_only: bool) -> _Plan | None:
    """Titles whose words are most like the query's (pg_trgm word similarity): "pasword"
    finds "Reset your password". Only for short queries, which is what typos are in."""
    phrase = " ".join(tokens)
    if not 3 <= len(phrase) <= TRIGRAM_MAX_CHARS:
        return None
    table = "search_searchentry e"
    rank = "word_similarity(%s, e.title)"
    return _Plan("%s <%% e.title", [phrase], rank, [phrase], table, [], table, [])


def _postgres_tsquery(tokens: list[str], language: str | None, any_word: bool) -> str:
    return _cached_tsqueries(tuple(tokens), language, any_word)[0]


def _postgres_tsqueries(tokens: list[str], language: str | None, any_word: bool) -> tuple[str, str]:
    return _cached_tsqueries(tuple(tokens), language, any_word)


@lru_cache(maxsize=2048)
def _cached_tsqueries(
    tokens: tuple[str, ...], language: str | None, any_word: bool
) -> tuple[str, str]:
    """The tsquery texts for these words, parsed by PostgreSQL's own dictionaries: with
    prefixes (what the search means) and with exact stems only (a cheaper first try).

    Each word is parsed by every configuration (its stems in each language, ORed; the same
    stem once, and a stem another one's prefix covers dropped), and the words are ANDed
    (ORed for `any_word`). Tokens hold letters and digits only, so `word:*` is always valid
    to_tsquery input, and each operand below is PostgreSQL's own output, so the composed
    text is valid tsquery syntax. The result depends only on the dictionaries, so a process
    may keep it.
    """
    configs = [PG_CONFIGS[language]] if language else list(PG_CONFIGS.values())
    if any_word:
        configs = [c for c in configs if c != "simple"]  # keeps "is", "the" out of "any"
    columns, params = [], []
    for token in tokens:
        operand = f"{token}:*" if len(token) >= PREFIX_FROM else token
        columns += [f"to_tsquery('{c}', %s)::text" for c in configs]
        columns += [f"to_tsquery('{c}', %s)::text" for c in configs]
        params += [operand] * len(configs) + [token] * len(configs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        row = cursor.fetchone()
    width = len(configs)
    prefixed = [row[start : start + width] for start in range(0, len(row), 2 * width)]
    exact = [row[start + width : start + 2 * width] for start in range(0, len(row), 2 * width)]
    return _joined(prefixed, any_word), _joined(exact, any_word)


SIMPLE_OPERAND = re.compile(r"^'([^']+)'(:\*)?$")


def _joined(parsed: list[Sequence[str | None]], any_word: bool) -> str:
    groups = []
    for alternatives in parsed:
        operands = list(dict.fromkeys(o for o in alternatives if o))
        operands = [o for o in operands if not _covered(o, operands)]
        if operands:
            groups.append("(" + " | ".join(f"({o})" for o in operands) + ")")
    return (" | " if any_word else " & ").join(groups)


def _covered(operand: str, operands: list[str]) -> bool:
    """True when another alternative's prefix already matches everything this one does
    ('team':* covers 'teams':* and 'teams'): one partial match less for GIN."""
    mine = SIMPLE_OPERAND.match(operand)
    if not mine:
        return False
    for other in operands:
        theirs = SIMPLE_OPERAND.match(other)
        if (
            other != operand
            and theirs
            and theirs.group(2)
            and mine.group(1).startswith(theirs.group(1))
        ):
            return len(theirs.group(1)) < len(mine.group(1)) or not mine.group(2)
    return False


# --- snippets ----------------------------------------------------------------------------------


def _hits(
    rows: list[tuple[Any, ...]],
    texts: _Texts | None,
    q: str | None,
    language: str | None,
    public_only: bool,
    any_word: bool,
) -> list[Hit]:
    """Hits from the page statement's rows: (id, kind, object, language, rank, total, title,
    text). The text is highlighted already (PostgreSQL) or here (SQLite)."""
    if texts is not None and texts.marked:
        return [
            Hit(kind, int(object_id), lang, float(rank or 0), _marked(title), _marked(body))
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


def _marked(text: str | None) -> SafeString:
    """Escape everything, then turn the database's private marks into <mark> tags."""
    escaped = escape(text or "")
    return mark_safe(escaped.replace(MARK_ON, "<mark>").replace(MARK_OFF, "</mark>"))


def highlight(text: str, needles: list[tuple[str, bool]], *, whole: bool = False) -> SafeString:
    """A window of `text` around its first matching word, escaped, matches in <mark>.

    A word matches a needle (folded text, is_prefix) when its folded form equals it or, for
    a prefix needle, starts with it: stems are prefixes of the words they come from.
    """
    spans = [(m.start(), m.end()) for m in WORD.finditer(text or "")]
    if not spans:
        return mark_safe(escape((text or "")[:300]))

    def hit(start: int, end: int) -> bool:
        word = fold(text[start:end])
        return any(word.startswith(n) if p else word == n for n, p in needles)

    first = 0 if whole else next((i for i, (s, e) in enumerate(spans) if hit(s, e)), 0)
    lo = 0 if whole or first < 12 else first - 8  # near the start: show the start
    hi = len(spans) if whole else min(len(spans), lo + SNIPPET_WORDS)
    out, cursor = [], spans[lo][0]
    for start, end in spans[lo:hi]:
        out.append(escape(text[cursor:start]))
        word = escape(text[start:end])
        out.append(f"<mark>{word}</mark>" if hit(start, end) else word)
        cursor = end
    tail = text[cursor : spans[hi][0] if hi < len(spans) else len(text)]
    out.append(escape(tail if hi >= len(spans) else tail.rstrip()))
    prefix = "… " if lo > 0 else ""
    suffix = " …" if hi < len(spans) else ""
    return mark_safe(prefix + "".join(out).strip() + suffix)


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
