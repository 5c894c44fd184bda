"""Text as the search sees it: words, stems, folding, query tokens and highlighting.

Shared by the engine and both database backends; no SQL here. Any query string is safe:
`query_tokens` reduces it to at most MAX_TOKENS word tokens before anything reaches SQL.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import snowballstemmer
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

STEMMERS = {"en": "english", "ro": "romanian", "fi": "finnish"}
MAX_QUERY_CHARS = 1000
MAX_TOKENS = 24
MAX_TOKEN_CHARS = 60
MAX_BODY_CHARS = 200_000
PREFIX_FROM = 4  # words this long are prefix-matched on their stem
SNIPPET_WORDS = 32
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


def marked(text: str | None) -> SafeString:
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
    out: list[str] = []
    cursor = spans[lo][0]
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
