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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
# Ranking reads every candidate's vector; a query matching more documents than this ranks
# the first RANK_CAP the index yields (such a query needs more words anyway).
RANK_CAP = 10_000
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
    found = _run(q, allowed, kinds, language, public_only, any_word, limit, offset)
    return _hits(found, q, language, public_only, any_word)


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
    rows = _run(q, allowed, kinds, language, public_only, any_word, None, 0)
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
) -> list[tuple[Any, ...]]:
    tokens = query_tokens(q, any_word=any_word)
    wanted = [k for k in (kinds if kinds is not None else allowed) if k in allowed]
    if not tokens or not wanted:
        return []
    language = language if language in STEMMERS else None
    try:
        with transaction.atomic():
            if _is_sqlite():
                plans = [_sqlite_plan(tokens, language, public_only, any_word)]
            else:
                plans = [_postgres_plan(tokens, language, public_only, any_word)]
                if not any_word:  # titles like the words, for typos: when the words find nothing
                    plans.append(_trigram_plan(tokens, public_only))
            for plan in plans:
                if plan is None:
                    continue
                sql, params = _select(plan, wanted, allowed, language, limit, offset)
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    rows = list(cursor.fetchall())
                if rows and (limit is not None or rows[0][0]):
                    return rows
            return []
    except DatabaseError:
        # The query is built from word tokens only, so this should not happen; if it does,
        # the reader gets no results rather than an error page (logged for us to fix).
        log.exception("search failed for %r", q[:200] if q else q)
        return []


def _select(
    plan: _Plan,
    kinds: list[str],
    allowed: dict[str, QuerySet[Any]],
    language: str | None,
    limit: int | None,
    offset: int,
) -> tuple[str, list[Any]]:
    """One statement: matching rows, permission-filtered, best language per object.

    One branch per kind, joined by UNION ALL: with a single `IN (allowed ids)` per branch
    the database checks the candidates against the allowed rows (a semi-join) instead of
    building the whole allowed set for every query.
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
        if counting:
            # Counting stops early: a page says "1,000+" rather than scanning every match.
            branches.append(
                f"SELECT * FROM (SELECT e.kind, e.object_id FROM {plan.count_source_sql} "
                f"WHERE {where} LIMIT {COUNT_CAP * 3}) b"
            )
            params += [*plan.count_source_params, *branch_params]
        else:
            branches.append(
                f"SELECT * FROM (SELECT e.id, e.kind, e.object_id, e.language, "
                f"({plan.rank_sql}) AS rank FROM {plan.source_sql} WHERE {where} "
                f"LIMIT {RANK_CAP}) b"
            )
            params += [*plan.rank_params, *plan.source_params, *branch_params]
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
    sql = (
        f"SELECT n.id, n.kind, n.object_id, n.language, n.rank FROM ({numbered}) n "
        "WHERE n.rn = 1 ORDER BY n.rank DESC, n.id DESC LIMIT %s OFFSET %s"
    )
    return sql, [*params, max(0, int(limit)), max(0, int(offset))]


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


def _postgres_plan(
    tokens: list[str], language: str | None, public_only: bool, any_word: bool
) -> _Plan | None:
    tsquery = _postgres_tsquery(tokens, language, any_word)
    if not tsquery:
        return None
    vector = "e.public_document" if public_only else "e.document"
    table = "search_searchentry e"
    rank = f"ts_rank({vector}, %s::tsquery)"
    return _Plan(f"{vector} @@ %s::tsquery", [tsquery], rank, [tsquery], table, [], table, [])


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
    return _cached_tsquery(tuple(tokens), language, any_word)


@lru_cache(maxsize=2048)
def _cached_tsquery(tokens: tuple[str, ...], language: str | None, any_word: bool) -> str:
    """The tsquery text for these words, parsed by PostgreSQL's own dictionaries.

    Each word is parsed by every configuration (its stems in each language, ORed; the same
    stem once), and the words are ANDed (ORed for `any_word`). Tokens hold letters and
    digits only, so `word:*` is always valid to_tsquery input, and each operand below is
    PostgreSQL's own output, so the composed text is valid tsquery syntax. The result
    depends only on the dictionaries, so a process may keep it (a page asks three times).
    """
    configs = [PG_CONFIGS[language]] if language else list(PG_CONFIGS.values())
    if any_word:
        configs = [c for c in configs if c != "simple"]  # keeps "is", "the" out of "any"
    columns, params = [], []
    for token in tokens:
        operand = f"{token}:*" if len(token) >= PREFIX_FROM else token
        columns += [f"to_tsquery('{c}', %s)::text" for c in configs]
        params += [operand] * len(configs)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}", params)
        row = cursor.fetchone()
    groups = []
    for start in range(0, len(row), len(configs)):
        operands = list(dict.fromkeys(o for o in row[start : start + len(configs)] if o))
        if operands:
            groups.append("(" + " | ".join(f"({o})" for o in operands) + ")")
    return (" | " if any_word else " & ").join(groups)


# --- snippets ----------------------------------------------------------------------------------


def _hits(
    rows: list[tuple[Any, ...]],
    q: str | None,
    language: str | None,
    public_only: bool,
    any_word: bool,
) -> list[Hit]:
    if not rows:
        return []
    texts = _texts([r[0] for r in rows], q, language, public_only, any_word)
    return [
        Hit(
            kind,
            int(object_id),
            lang,
            float(rank or 0),
            *texts.get(pk, (mark_safe(""), mark_safe(""))),
        )
        for pk, kind, object_id, lang, rank in rows
    ]


def _texts(
    ids: list[int], q: str | None, language: str | None, public_only: bool, any_word: bool
) -> dict[int, tuple[SafeString, SafeString]]:
    field = "public_body" if public_only else "body"
    if not _is_sqlite():
        tsquery = _postgres_tsquery(query_tokens(q, any_word=any_word), language, any_word)
        if tsquery:
            return _postgres_headlines(ids, tsquery, public_only)
    needles = [v for t in query_tokens(q, any_word=any_word) for v in token_variants(t, language)]
    out = {}
    for entry in SearchEntry.objects.filter(pk__in=ids).only("title", "body", "public_body"):
        text = entry.body if field == "body" or entry.public_body is None else entry.public_body
        out[entry.pk] = (
            highlight(entry.title, needles, whole=True),
            highlight(text, needles),
        )
    return out


def _postgres_headlines(
    ids: list[int], tsquery: str, public_only: bool
) -> dict[int, tuple[SafeString, SafeString]]:
    config = (
        "CASE language WHEN 'en' THEN 'english'::regconfig WHEN 'ro' THEN 'romanian'::regconfig "
        "WHEN 'fi' THEN 'finnish'::regconfig ELSE 'simple'::regconfig END"
    )
    text = "coalesce(public_body, body)" if public_only else "body"
    marks = f"StartSel={MARK_ON}, StopSel={MARK_OFF}"
    options = (
        f'{marks}, MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
    )
    sql = (
        f"SELECT id, ts_headline({config}, title, %s::tsquery, %s), "
        f"ts_headline({config}, left({text}, 20000), %s::tsquery, %s) "
        "FROM search_searchentry WHERE id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tsquery, f"{marks}, HighlightAll=true", tsquery, options, list(ids)])
        return {pk: (_marked(title), _marked(body)) for pk, title, body in cursor.fetchall()}


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
