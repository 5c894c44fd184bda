"""PostgreSQL: generated tsvector columns beside SearchEntry (migration 0002).

`document` / `public_document` are built with the row's language configuration (english,
romanian, finnish, else simple; title weight A, body B), GIN-indexed. A query becomes one
tsquery: each word is parsed by all four configurations and ORed (the reader's words match
whichever language the document is in); words are prefix-matched on their stem, because
Snowball stems of one word's forms differ in their tails (en printing → print / printers →
printer, fi tulostin → tulost / tulostimen → tulostim). When the words find nothing, a
short query matches titles by trigram word similarity (pg_trgm), which is what finds
"password" for "pasword". Ranked by ts_rank, snippets by ts_headline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.db import connection

from tuki.search.backends.base import COUNT_CAP, RANK_CAP, Plan, Texts, plain_texts
from tuki.search.models import SearchEntry
from tuki.search.text import MARK_OFF, MARK_ON, PREFIX_FROM

PG_CONFIGS = {"en": "english", "ro": "romanian", "fi": "finnish", "": "simple"}
TRIGRAM_MAX_CHARS = 60


def plans(
    tokens: list[str],
    language: str | None,
    public_only: bool,
    any_word: bool,
    few_allowed: bool,
) -> list[Plan | None]:
    found = _word_plans(tokens, language, public_only, any_word, few_allowed)
    if not any_word:  # titles like the words, for typos: when the words find nothing
        found.append(_trigram_plan(tokens, public_only))
    return found


def texts(tokens: list[str], language: str | None, public_only: bool, any_word: bool) -> Texts:
    text = "coalesce(s.public_body, s.body)" if public_only else "s.body"
    tsquery = _tsquery(tokens, language, any_word)
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
        return Texts(sql, params, marked=True)
    return plain_texts(public_only)


def deleted(ids: list[int]) -> None:
    """The tsvector columns go with their rows."""


def written(kind: str, entries: Sequence[SearchEntry]) -> None:
    """The tsvector columns are generated from the rows."""


def rebuilt() -> None:
    with connection.cursor() as cursor:  # fresh statistics: the planner picks GIN
        cursor.execute("ANALYZE search_searchentry")


def _word_plans(
    tokens: list[str],
    language: str | None,
    public_only: bool,
    any_word: bool,
    few_allowed: bool = False,
) -> list[Plan | None]:
    """The words' exact stems first, when they alone fill the candidates; then prefixes.

    A prefix (`print:*`) is a partial match for GIN: it reads the posting list of every
    word starting with it into a bitmap before the first row, and at a million tickets a
    common prefix costs hundreds of milliseconds. The exact stems use GIN's fast scan and
    stop at the first RANK_CAP rows. When they find at least COUNT_CAP objects, those are
    the candidates (they are prefix matches too, and the best ones); otherwise the prefix
    query runs, and finds what the exact one did and more.
    """
    prefixed, exact = _tsqueries(tokens, language, any_word)
    if not prefixed:
        return []
    tried: list[Plan | None] = []
    if few_allowed:  # starts from the allowed ids: neither shortcut helps
        return [_plan(prefixed, public_only)]
    window = _window(prefixed, public_only, any_word)
    if window:
        tried.append(replace(_plan(prefixed, public_only), enough=COUNT_CAP, window=window))
    if exact and exact != prefixed:
        tried.append(replace(_plan(exact, public_only), enough=COUNT_CAP))
    tried.append(_plan(prefixed, public_only))
    return tried


def _plan(tsquery: str, public_only: bool) -> Plan:
    column = "public_document" if public_only else "document"
    vector = f"e.{column}"
    table = "search_searchentry e"
    rank = f"ts_rank({vector}, %s::tsquery)"
    match = f"{vector} @@ %s::tsquery"
    return Plan(match, [tsquery], rank, [tsquery], table, [], table, [], vector=column)


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


def _trigram_plan(tokens: list[str], public_only: bool) -> Plan | None:
    """Titles whose words are most like the query's (pg_trgm word similarity): "pasword"
    finds "Reset your password". Only for short queries, which is what typos are in."""
    phrase = " ".join(tokens)
    if not 3 <= len(phrase) <= TRIGRAM_MAX_CHARS:
        return None
    table = "search_searchentry e"
    rank = "word_similarity(%s, e.title)"
    return Plan("%s <%% e.title", [phrase], rank, [phrase], table, [], table, [])


def _tsquery(tokens: list[str], language: str | None, any_word: bool) -> str:
    return _cached_tsqueries(tuple(tokens), language, any_word)[0]


def _tsqueries(tokens: list[str], language: str | None, any_word: bool) -> tuple[str, str]:
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
