"""What the search app indexes: tickets (here), and the kinds other apps register (articles).

A ticket is one document in its requester's language (the best guess of the language it is
written in): the title; as body the description, every comment and the resolution; as
public body the same without internal notes, which is all a requester's search may match.

Custom field values (tuki/tickets/fields.py) are part of the body: a text, a number, a date
(as YYYY-MM-DD), a choice's label in every language it has (with its value), a reference's
name, a ticked checkbox's field label. Only the fields shown to requesters
(`visible_to_requester`) go into the public body as well. A change of a value is a ticket
event that re-indexes the ticket (receivers.py); a change of a field's definition re-indexes
the tickets holding a value of it (tasks.index_field_tickets).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from django.db.models import Prefetch

from tuki.search import engine, sources
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import Comment, CustomField, FieldType, Ticket

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
        .only("id", "title", "description", "resolution", "custom", "requester__language")
        .prefetch_related(Prefetch("comments", queryset=comments))
    )


Names = Mapping[tuple[str, int], str]


def ticket_document(ticket: Ticket, names: Names | None = None) -> engine.Document:
    """Assumes `comments` are prefetched or cheap to read (one ticket). `names`: the
    custom_fields.reference_names() of a batch (without it, one query per reference type)."""
    public, private = [ticket.description], [ticket.description]
    for comment in ticket.comments.all():
        private.append(comment.body)
        if not comment.is_internal:
            public.append(comment.body)
    if ticket.resolution:
        public.append(ticket.resolution)
        private.append(ticket.resolution)
    if ticket.custom:
        if names is None:
            names = _reference_names([ticket])
        for field in custom_fields.definitions().fields:
            text = custom_text(field, ticket.custom.get(field.key), names)
            if text:
                private.append(text)
                if field.visible_to_requester:
                    public.append(text)
    language = getattr(ticket.requester, "language", "") or ""
    return engine.Document(
        TICKET, ticket.pk, language, ticket.title, "\n\n".join(private), "\n\n".join(public)
    )


def _reference_names(tickets: Sequence[Ticket]) -> Names:
    return custom_fields.reference_names(
        custom_fields.definitions().fields, [t.custom or {} for t in tickets]
    )


def custom_text(field: CustomField, value: object, names: Names) -> str:
    """What of a custom value a search may match ("" for nothing)."""
    if custom_fields.is_empty(value):
        return ""
    if field.type == FieldType.CHECKBOX:
        return _labels(field.label, field.labels) if value is True else ""
    if field.type in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        items = value if isinstance(value, list) else [value]
        return " ".join(_choice_words(field, item) for item in items)
    if field.type in custom_fields.REFERENCE_TYPES:
        if isinstance(value, int) and not isinstance(value, bool):
            return names.get((field.type, value), "")
        return ""
    return str(value)


def _labels(base: str, translations: Mapping[str, str] | None) -> str:
    words = dict.fromkeys([base, *(translations or {}).values()])
    return " ".join(w for w in words if w)


def _choice_words(field: CustomField, value: object) -> str:
    for choice in field.choices or []:
        if str(choice.get("value")) == str(value):
            return f"{value} {_labels(str(choice.get('label') or ''), choice.get('labels'))}"
    return str(value)


def index_ticket(ticket_id: int) -> None:
    ticket = _ticket_queryset().filter(pk=ticket_id).first()
    if ticket is None:
        engine.remove_document(TICKET, ticket_id)
        return
    engine.reindex(TICKET, [ticket_document(ticket)])


def tickets_with_field(key: str) -> Iterator[list[int]]:
    """The ids of the tickets holding a value of this custom field, CHUNK at a time."""
    qs = Ticket.objects.filter(custom__has_key=key).order_by("pk")
    last = 0
    while True:
        ids = list(qs.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


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
        names = _reference_names(chunk)
        yield from (ticket_document(t, names) for t in chunk)
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
