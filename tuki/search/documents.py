"""What the search app indexes: tickets (here), and the kinds other apps register (articles).

A ticket is one document in its requester's language (the best guess of the language it is
written in): the title; as body the description, every comment and the resolution; as
public body the same without internal notes, which is all a requester's search may match.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Prefetch

from tuki.search import engine, sources
from tuki.tickets.models import Comment, Ticket

TICKET = "ticket"
ARTICLE = "article"
KINDS = (TICKET, ARTICLE)
CHUNK = 500


def _ticket_queryset():
    comments = Comment.objects.only("ticket_id", "body", "is_internal", "created_at").order_by(
        "created_at", "id"
    )
    return (
        Ticket.objects.select_related("requester")
        .only("id", "title", "description", "resolution", "requester__language")
        .prefetch_related(Prefetch("comments", queryset=comments))
    )


def ticket_document(ticket: Ticket) -> engine.Document:
    """Assumes `comments` are prefetched or cheap to read (one ticket)."""
    public, private = [ticket.description], [ticket.description]
    for comment in ticket.comments.all():
        private.append(comment.body)
        if not comment.is_internal:
            public.append(comment.body)
    if ticket.resolution:
        public.append(ticket.resolution)
        private.append(ticket.resolution)
    language = getattr(ticket.requester, "language", "") or ""
    return engine.Document(
        TICKET, ticket.pk, language, ticket.title, "\n\n".join(private), "\n\n".join(public)
    )


def index_ticket(ticket_id: int) -> None:
    ticket = _ticket_queryset().filter(pk=ticket_id).first()
    if ticket is None:
        engine.remove_document(TICKET, ticket_id)
        return
    engine.reindex(TICKET, [ticket_document(ticket)])


def index_tickets(ticket_ids: Iterable[int]) -> None:
    """`index_ticket` for many: the documents of those that exist replaced in one bulk
    write, those of tickets gone removed."""
    wanted = set(ticket_ids)
    documents = list(ticket_documents(wanted))
    engine.reindex(TICKET, documents)
    for gone in sorted(wanted - {d.object_id for d in documents}):
        engine.remove_document(TICKET, gone)


def ticket_documents(ids: Iterable[int] | None = None) -> Iterator[engine.Document]:
    """Every ticket (or these), a chunk of CHUNK tickets per query round."""
    qs = Ticket.objects.order_by("pk")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    last = 0
    while True:
        chunk = list(
            _ticket_queryset()
            .filter(pk__in=qs.filter(pk__gt=last).values("pk")[:CHUNK])
            .order_by("pk")
        )
        if not chunk:
            return
        yield from (ticket_document(t) for t in chunk)
        last = chunk[-1].pk


def rebuild(kind: str) -> int:
    """Replace a whole kind in the index; returns the number of documents written.

    Articles come from the knowledge app's registered source (sources.py)."""
    if kind == TICKET:
        return engine.reindex(kind, ticket_documents(), full=True)
    source = sources.get(kind)
    if source is None:
        raise LookupError(f"no search source registered for {kind!r}")
    return engine.reindex(kind, source.documents(), full=True)
