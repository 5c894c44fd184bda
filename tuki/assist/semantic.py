"""Semantic vectors of tickets and of other apps' documents: their writes (run by tasks and
`tuki semantic_vectors`, never in a request) and the reads that rank by meaning.

- A ticket's vector: its title and the start of its description (`TicketVector`).
- A document's vector: one per language of an object another app registers a source for
  (`register`): the knowledge base registers its articles' translations (kind "article").
  Search ranks them beside its full-text hits (tuki/search/hybrid.py).

Every function answers as if nothing were stored when semantic search is off
(`embeddings.available()`): no vectors computed, no ranking, `ticket_similarities` empty.
Vectors are written with the model's tag and a digest of the text: a text already embedded
by the same model is skipped, so every write here is safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from tuki.assist import embeddings
from tuki.assist.models import DocumentVector, TicketVector
from tuki.tickets.models import Ticket

TICKET_CHARS = 1000  # of the description: the start says what the ticket is about
BATCH = 32  # texts embedded per call to the model
SCAN_LIMIT = 50  # best documents a ranking returns

# A source's passages: (object_id, language, text) for these objects, or for every object
# of its kind when given None.
Passages = Callable[[list[int] | None], Iterable[tuple[int, str, str]]]
_sources: dict[str, Passages] = {}


def register(kind: str, passages: Passages) -> None:
    """Called from an app's AppConfig.ready(): how to read the texts of its documents."""
    _sources[kind] = passages


def kinds() -> list[str]:
    return sorted(_sources)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


# --- tickets -------------------------------------------------------------------------------


def ticket_text(title: str, description: str) -> str:
    return f"{title}\n{(description or '')[:TICKET_CHARS]}".strip()


def embed_tickets(ticket_ids: Iterable[int]) -> int:
    """Compute the vectors of these tickets whose text changed (or that have none, or one
    of another model); the number computed. Deleted tickets are skipped."""
    if not embeddings.available():
        return 0
    tag, computed = embeddings.model_tag(), 0
    for ids in _chunks(sorted(set(ticket_ids)), 500):
        rows = Ticket.objects.filter(pk__in=ids).values_list("pk", "title", "description")
        texts = {pk: ticket_text(title, description) for pk, title, description in rows}
        stored = dict(
            TicketVector.objects.filter(ticket_id__in=ids, model=tag).values_list(
                "ticket_id", "digest"
            )
        )
        stale = [pk for pk, text in texts.items() if stored.get(pk) != embeddings.digest(text)]
        for chunk in _chunks(stale, BATCH):
            vectors = embeddings.embed_passages([texts[pk] for pk in chunk])
            _save_tickets(tag, [(pk, texts[pk], v) for pk, v in zip(chunk, vectors, strict=True)])
            computed += len(chunk)
    return computed


def _save_tickets(tag: str, rows: list[tuple[int, str, Any]]) -> None:
    now = timezone.now()
    with transaction.atomic():
        live = set(Ticket.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", flat=True))
        TicketVector.objects.filter(ticket_id__in=[r[0] for r in rows]).delete()
        TicketVector.objects.bulk_create(
            TicketVector(
                ticket_id=pk,
                model=tag,
                digest=embeddings.digest(text),
                vector=embeddings.pack(vector),
                computed_at=now,
            )
            for pk, text, vector in rows
            if pk in live  # deleted while its vector was computed
        )


def ticket_similarities(text: str, ticket_ids: list[int]) -> dict[int, float]:
    """Cosine of `text` (as a question) with the stored vectors of these tickets, by id.

    Tickets without a vector of the current model are left out; empty when semantic
    search is off or the text is blank. The caller decides who may see which ticket.
    """
    if not embeddings.available() or not text.strip() or not ticket_ids:
        return {}
    rows = list(
        TicketVector.objects.filter(
            ticket_id__in=ticket_ids, model=embeddings.model_tag()
        ).values_list("ticket_id", "vector")
    )
    if not rows:
        return {}
    scores = embeddings.cosine(
        embeddings.embed_query(text), embeddings.unpack([v for _pk, v in rows])
    )
    return {pk: float(s) for (pk, _v), s in zip(rows, scores, strict=True)}


def ticket_pairs(ticket_ids: list[int], minimum: float) -> dict[tuple[int, int], float]:
    """The pairs of these tickets (smaller id first) whose stored vectors' cosine reaches
    `minimum`, in any language: the problem radar's sense of "says the same thing".

    Only stored vectors are read (nothing is embedded); tickets without one of the current
    model are left out. Empty when semantic search is off. One query, then one matrix
    product (2,000 tickets: a 2,000 x 2,000 float32 matrix, 16 MB, some milliseconds).
    """
    if not embeddings.available() or len(ticket_ids) < 2:
        return {}
    rows = list(
        TicketVector.objects.filter(
            ticket_id__in=ticket_ids, model=embeddings.model_tag()
        ).values_list("ticket_id", "vector")
    )
    if len(rows) < 2:
        return {}
    ids = [pk for pk, _v in rows]
    matrix = embeddings.unpack([v for _pk, v in rows])
    scores = matrix @ matrix.T
    pairs = {}
    for i, j in np.argwhere(np.triu(scores >= minimum, k=1)):
        a, b = ids[int(i)], ids[int(j)]
        pairs[(min(a, b), max(a, b))] = float(scores[i, j])
    return pairs


def similar_to_ticket(ticket_id: int, ticket_ids: list[int]) -> dict[int, float]:
    """The cosine of one ticket's stored vector with each of these tickets' (by id); empty
    when it has none or semantic search is off. One query, one matrix-vector product."""
    if not embeddings.available() or not ticket_ids:
        return {}
    rows = dict(
        TicketVector.objects.filter(
            ticket_id__in=[ticket_id, *ticket_ids], model=embeddings.model_tag()
        ).values_list("ticket_id", "vector")
    )
    own = rows.pop(ticket_id, None)
    if own is None or not rows:
        return {}
    ids = list(rows)
    scores = embeddings.cosine(embeddings.unpack([own])[0], embeddings.unpack(list(rows.values())))
    return {pk: float(score) for pk, score in zip(ids, scores, strict=True)}


# --- documents of other apps ---------------------------------------------------------------


def embed_documents(kind: str, object_ids: list[int] | None = None) -> int:
    """Bring the vectors of these objects (None: every object of the kind) in step with
    their texts: changed ones computed, dropped languages and objects removed. The number
    of texts computed; 0 when the kind has no source or semantic search is off."""
    source = _sources.get(kind)
    if source is None or not embeddings.available():
        return 0
    tag, computed, seen = embeddings.model_tag(), 0, set()
    for chunk in _chunks(source(object_ids), BATCH * 4):
        keys = {(oid, lang): text for oid, lang, text in chunk}
        seen |= set(keys)
        stored = {
            (oid, lang): d
            for oid, lang, d in DocumentVector.objects.filter(
                kind=kind, model=tag, object_id__in={oid for oid, _l in keys}
            ).values_list("object_id", "language", "digest")
        }
        stale = [k for k, text in keys.items() if stored.get(k) != embeddings.digest(text)]
        for part in _chunks(stale, BATCH):
            vectors = embeddings.embed_passages([keys[k] for k in part], [k[1] for k in part])
            _save_documents(
                kind, tag, [(k, keys[k], v) for k, v in zip(part, vectors, strict=True)]
            )
            computed += len(part)
    _drop_missing(kind, object_ids, seen)
    return computed


def _save_documents(kind: str, tag: str, rows: list[tuple[tuple[int, str], str, Any]]) -> None:
    now = timezone.now()
    with transaction.atomic():
        for (oid, lang), text, vector in rows:
            DocumentVector.objects.update_or_create(
                kind=kind,
                object_id=oid,
                language=lang,
                defaults={
                    "model": tag,
                    "digest": embeddings.digest(text),
                    "vector": embeddings.pack(vector),
                    "computed_at": now,
                },
            )


def _drop_missing(kind: str, object_ids: list[int] | None, seen: set[tuple[int, str]]) -> None:
    """Remove the vectors of languages (or objects) the source no longer gives."""
    stored = DocumentVector.objects.filter(kind=kind)
    if object_ids is not None:
        stored = stored.filter(object_id__in=object_ids)
    gone = [
        pk for pk, oid, lang in stored.values_list("pk", "object_id", "language")
        if (oid, lang) not in seen
    ]  # fmt: skip
    for ids in _chunks(gone, 500):
        DocumentVector.objects.filter(pk__in=ids).delete()


def remove_documents(kind: str, object_id: int) -> None:
    """The object is gone: forget every language of it."""
    DocumentVector.objects.filter(kind=kind, object_id=object_id).delete()


def rank_documents(
    kind: str,
    q: str,
    allowed: QuerySet[Any],
    *,
    language: str | None = None,
    limit: int = SCAN_LIMIT,
) -> list[tuple[int, str, float]]:
    """The allowed objects nearest in meaning to `q`: (object_id, language, cosine), best
    first, one per object (its nearest language). `allowed` is a queryset of the ids the
    reader may see, as the search engine takes it: nothing outside it is ever read.

    A scan: every allowed vector is read and compared (numpy), which is quick up to tens of
    thousands of documents (docs/assist.md, Semantic search).
    """
    if not embeddings.available() or not q.strip():
        return []
    if not allowed.query.values_select:
        allowed = allowed.values("pk")
    rows = DocumentVector.objects.filter(
        kind=kind, model=embeddings.model_tag(), object_id__in=allowed.order_by()
    )
    if language:
        rows = rows.filter(language=language)
    found = list(rows.values_list("object_id", "language", "vector"))
    if not found:
        return []
    scores = embeddings.cosine(embeddings.embed_query(q), embeddings.unpack([r[2] for r in found]))
    best: list[tuple[int, str, float]] = []
    seen: set[int] = set()
    for i in np.argsort(-scores, kind="stable"):  # best first; an object's nearest language
        oid, lang, _vector = found[i]
        if oid not in seen:
            seen.add(oid)
            best.append((oid, lang, float(scores[i])))
            if len(best) >= limit:
                break
    return best


def recompute(batch: int = 500, echo: Callable[[str], None] | None = None) -> dict[str, int]:
    """Compute every missing or stale vector (an existing desk, a new model): tickets in
    batches of `batch` ids, then each registered kind. Safe to run again: unchanged texts
    are skipped. The number computed per kind."""
    done = {"ticket": 0}
    ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids, batch):
        done["ticket"] += embed_tickets(chunk)
        if echo:
            echo(f"tickets up to {chunk[-1]}: {done['ticket']} computed")
    for kind in kinds():
        done[kind] = embed_documents(kind)
    return done
