"""Hybrid ranking of one kind of document (knowledge articles): the full-text hits of the
engine and the nearest in meaning (tuki/assist/semantic.py), fused by reciprocal rank.

Full text finds the words typed, in the reader's language; meaning finds the same issue in
other words and other languages (a Finnish question, an English article) and inflected
forms the stemmer misses. Each list gives an object 1 / (RRF_K + its rank); the sums order
the result. A document found only by meaning must be at least FLOOR near (cosine of
language-centred vectors), so a query about nothing the desk has written mostly still
finds nothing.

Both lists read only the ids in `allowed`, the reader's access queryset: meaning never
shows what full text would not be allowed to. With semantic search off, `search` is
exactly `engine.search`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe

from tuki.assist import embeddings, semantic
from tuki.search import engine
from tuki.search.models import SearchEntry
from tuki.search.text import SNIPPET_WORDS, clean

RRF_K = 60
POOL = 50  # hits taken from each list before fusing
FLOOR = 0.08  # a right article scored 0.11 to 0.41 on the test set, gibberish at most 0.06


def search(
    q: str,
    *,
    kind: str,
    allowed: QuerySet[Any],
    language: str | None = None,
    cross_language: bool = True,
    public_only: bool = False,
    any_word: bool = False,
    limit: int = 20,
    offset: int = 0,
) -> list[engine.Hit]:
    """Ranked hits of one kind, best first, one per object (as `engine.search`).

    `language` narrows the full-text hits; the hits by meaning come from every language
    unless `cross_language` is False.
    """
    options: dict[str, Any] = {
        "allowed": {kind: allowed}, "kinds": [kind], "language": language,
        "public_only": public_only, "any_word": any_word,
    }  # fmt: skip
    if not embeddings.available() or not (q or "").strip():
        return engine.search(q, **options, limit=limit, offset=offset)
    depth = max(POOL, limit + offset)
    by_words = engine.search(q, **options, limit=depth, offset=0)
    by_meaning = [
        (oid, lang, score)
        for oid, lang, score in semantic.rank_documents(
            kind, q, allowed, language=None if cross_language else language, limit=depth
        )
        if score >= FLOOR
    ]
    scores: dict[int, float] = defaultdict(float)
    for rank, hit in enumerate(by_words, start=1):
        scores[hit.object_id] += 1 / (RRF_K + rank)
    for rank, (oid, _lang, _score) in enumerate(by_meaning, start=1):
        scores[oid] += 1 / (RRF_K + rank)
    hits = {h.object_id: h for h in by_words}
    order = sorted(scores, key=lambda oid: (-scores[oid], oid))[offset : offset + limit]
    missing = [(oid, lang) for oid, lang, _s in by_meaning if oid in order and oid not in hits]
    hits |= _meaning_hits(kind, missing, public_only)
    found = []
    for oid in order:
        shown = hits.get(oid)
        if shown is not None:  # its index entry may be gone since
            shown.rank = scores[oid]
            found.append(shown)
    return found


def _meaning_hits(
    kind: str, wanted: list[tuple[int, str]], public_only: bool
) -> dict[int, engine.Hit]:
    """Hits for objects found only by meaning: their indexed title and the start of their
    text, in the language that matched (no words to mark)."""
    if not wanted:
        return {}
    languages = dict(wanted)
    entries = SearchEntry.objects.filter(kind=kind, object_id__in=languages).only(
        "object_id", "language", "title", "body", "public_body"
    )
    out: dict[int, engine.Hit] = {}
    for entry in entries:
        if entry.language != languages[entry.object_id] and entry.object_id in out:
            continue
        text = entry.public_body if public_only and entry.public_body is not None else entry.body
        words = clean(text, 4000).split()
        snippet = " ".join(words[:SNIPPET_WORDS]) + (" …" if len(words) > SNIPPET_WORDS else "")
        out[entry.object_id] = engine.Hit(
            kind,
            entry.object_id,
            entry.language,
            0.0,
            mark_safe(escape(entry.title)),
            mark_safe(escape(snippet)),
        )
    return out
