"""Tickets over REST: list, read, and every write as one call to tuki/tickets/services/.

Tickets are fetched only through tickets/access.py, so an invisible ticket is a 404 here as
on the pages. Ids named in a body (category, group, a person, another ticket) that do not
exist, or that the caller may not see, are a 422 naming that field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import Id, parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.lib.uploads import Upload
from tuki.tickets import access, fields, services
from tuki.tickets.models import (
    Attachment,
    Category,
    Channel,
    Comment,
    CustomField,
    Kind,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketQuerySet,
    attach_related,
)
from tuki.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    CategoryOut,
    CloseIn,
    CommentIn,
    CommentOut,
    CustomFieldOut,
    EscalateIn,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    ReasonIn,
    RefusedOut,
    ResolveIn,
    StaleOut,
    StatusIn,
    StatusListOut,
    TicketCreateIn,
    TicketFilters,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
    is_agent,
)

router = Router(tags=["tickets"])

# --- helpers ---------------------------------------------------------------------------------


def _refused(field: str) -> ServiceError:
    return ServiceError(_("Unknown or not allowed."), field=field, code="does_not_exist")


def _pick(qs: QuerySet[Any], pk: int | None, field: str) -> Any:
    """The row `pk` names, None for None, or a 422 on `field`."""
    if pk is None:
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        raise _refused(field)
    return found


def _people(viewer: User) -> QuerySet[User]:
    return directory.people_visible_to(viewer)


def _groups() -> QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(is_active=True)


def _categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def _other_ticket(user: User, ref: str, field: str) -> Ticket:
    try:
        return access.get_ticket_for_user(user, ref, related=False)
    except Http404:
        raise _refused(field) from None


@contextmanager
def _fields_named(names: dict[str, str]) -> Iterator[None]:
    """Report a service's field under the name this endpoint's body uses for it."""
    try:
        yield
    except ServiceError as exc:
        exc.field = names.get(exc.field or "", exc.field)
        raise


def _annotated(user: User, qs: TicketQuerySet) -> TicketQuerySet:
    """Related rows in the same query, tags in one more, and the counts the caller may see."""
    comments = Comment.objects.filter(ticket=OuterRef("pk"))
    attachments = Attachment.objects.filter(ticket=OuterRef("pk"))
    if not is_agent(user):
        comments = comments.filter(is_internal=False)
        attachments = attachments.filter(is_internal=False)
    return (
        qs.with_related()
        .select_related("escalated_to", "merged_into")
        .prefetch_related("tags", *_sla_clocks())
        .annotate(
            comment_count=_count(comments),
            attachment_count=_count(attachments),
            merged_into_seen=access.ticket_visible(user, "merged_into"),
        )
    )


def _sla_clocks() -> list[Prefetch]:
    """The sla app's clocks in one query, by the relation it adds (tickets never imports sla)."""
    try:
        model = Ticket._meta.get_field("sla_clocks").related_model
    except FieldDoesNotExist:
        return []
    clocks = model._default_manager.select_related("group", "policy").order_by("started_at", "id")
    return [Prefetch("sla_clocks", queryset=clocks)]


def _count(qs: QuerySet[Any]) -> Coalesce:
    counted = qs.order_by().values("ticket").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _present(user: User, ticket: Ticket) -> Ticket:
    # Re-read after a service call: fresh state plus counts. The service already checked the
    # caller's right to act, so the ticket is read by id even if it just left their queues.
    return _annotated(user, Ticket.objects.all()).get(pk=ticket.pk)


def _ticket(request: ApiRequest, ref: str) -> Ticket:
    return access.get_ticket_for_user(request.auth, ref)


def _filtered(user: User, qs: TicketQuerySet, f: TicketFilters) -> TicketQuerySet:
    exact: dict[str, Any] = {
        "kind": f.kind,
        "status__key": f.status,
        "priority": f.priority,
        "group_id": f.group,
        "requester_id": f.requester,
        "organisation_id": f.organisation,
        "updated_at__gte": f.updated_since,
        "pk__lt": f.cursor,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v is not None})
    if f.status_category is not None:
        qs = qs.in_categories([f.status_category])  # by status id: see models.status_ids
    if f.assignee is not None:
        assignee = user.pk if f.assignee == "me" else parse_id(f.assignee)
        if assignee is None:
            raise ServiceError(_("The number is too large."), field="assignee", code="invalid")
        qs = qs.filter(assignee_id=assignee)
    if f.q and f.q.strip():
        text = f.q.strip()
        match = Q(title__icontains=text) | Q(description__icontains=text)
        parsed = Ticket.parse_number(text)
        if parsed:
            match |= Ticket.number_q(*parsed)
        elif (number := parse_id(text)) is not None:
            match |= Q(pk=number)
        qs = qs.filter(match)
    return qs


# --- versions: ETag and If-Match -------------------------------------------------------------

VERSIONED = {400: RefusedOut, 409: RefusedOut, 412: StaleOut}
Answer = tuple[int, Any]


class _BadIfMatch(ValueError):
    pass


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(request: ApiRequest) -> int | None:
    """The version an If-Match header names; None when absent or `*` (any version)."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip()
    if value.startswith("W/"):
        raise _BadIfMatch(_('If-Match needs a strong ETag, such as "3", not a weak one.'))
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    version = parse_id(value) if value.isascii() and value.isdigit() else None
    if version is None:
        raise _BadIfMatch(
            _('If-Match must be the ticket\'s ETag, such as "3" (its version), or *.')
        )
    return version


def _versioned(
    request: ApiRequest,
    response: HttpResponse,
    write: Callable[[int | None], Any],
    *,
    status: int = 200,
) -> Answer:
    """Run a write with the If-Match version, answering 400, 409 or 412 when refused."""
    try:
        expected = _if_match(request)
    except _BadIfMatch as exc:
        return 400, {"detail": str(exc)}
    try:
        result = write(expected)
    except services.StaleTicket as exc:
        response["ETag"] = _etag(exc.version)
        return 412, {"detail": exc.message, "version": exc.version, "changed": exc.changed}
    except ServiceError as exc:
        if exc.code != "taken":
            raise
        return 409, {"detail": exc.message}
    return status, result


def _presented(request: ApiRequest, response: HttpResponse, ticket: Ticket) -> Ticket:
    shown = _present(request.auth, ticket)
    response["ETag"] = _etag(shown.version)
    return shown


# --- tickets ---------------------------------------------------------------------------------


# What TicketOut shows besides the joins of TicketQuerySet.for_lists.
API_ATTACHED = ("category", "organisation", "owner_group", "owner", "escalated_to", "merged_into")


@router.get("/tickets", response=TicketPage, summary="List visible tickets, newest first")
def list_tickets(request: ApiRequest, filters: Query[TicketFilters]) -> dict[str, Any]:
    user = request.auth
    qs = _filtered(user, Ticket.objects.visible_to(user), filters).order_by("-pk")
    # Four joins, not _annotated's ten: PostgreSQL took 45-80 ms to plan those for a page
    # at a million tickets (the join order search), more than running it. The other related
    # rows come by id, one query per table (models.for_lists, attach_related).
    listed = _annotated(user, qs).select_related(None).for_lists()
    rows = list(listed[: filters.limit + 1])
    attach_related(rows, *API_ATTACHED)
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {"items": items, "next_cursor": items[-1].pk if more else None}


# What a requester may say when registering a ticket: what the portal's form asks
# (tuki/portal/forms.py, NewRequestForm). Everything else is the desk's to decide.
REQUESTER_FIELDS = frozenset(
    {"title", "description", "kind", "category", "urgency", "requester", "custom"}
)
REQUESTER_KINDS = frozenset({Kind.INCIDENT, Kind.REQUEST})


def _refuse_desk_fields(user: User, payload: TicketCreateIn) -> None:
    """A 422 on the first field a requester may not set (sent at all, even as the default)."""
    if is_agent(user):
        return
    for field in sorted(payload.model_fields_set - REQUESTER_FIELDS):
        raise ServiceError(_("Not allowed for requesters."), field=field, code="not_allowed")
    if payload.kind not in REQUESTER_KINDS:
        raise ServiceError(_("Not allowed for requesters."), field="kind", code="not_allowed")


@router.post("/tickets", response={201: TicketOut}, summary="Register a ticket")
def create_ticket(request: ApiRequest, payload: TicketCreateIn) -> tuple[int, Ticket]:
    """Requesters send only what the portal asks: title, description, kind (incident or
    request), category and urgency; any other field is a 422 naming it."""
    user = request.auth
    _refuse_desk_fields(user, payload)
    ticket = services.create_ticket(
        user,
        title=payload.title,
        description=payload.description,
        kind=payload.kind,
        category=_pick(_categories(), payload.category, "category"),
        impact=payload.impact,
        urgency=payload.urgency,
        # With its organisation: the answer shows it.
        requester=_pick(
            _people(user).select_related("organisation"), payload.requester, "requester"
        )
        or user,
        group=_pick(_groups(), payload.group, "group"),
        assignee=_pick(_people(user), payload.assignee, "assignee"),
        tags=payload.tags,
        restricted=payload.restricted,
        channel=payload.channel,
        custom=payload.custom,
    )
    if services.changed_after_commit(ticket):
        return 201, _present(user, ticket)  # a rule or a task changed it already: read it
    return 201, _present_created(ticket, tagged=any(t.strip() for t in payload.tags))


def _present_created(ticket: Ticket, *, tagged: bool) -> Ticket:
    """The ticket just registered, as `_present` would read it back, without reading it.

    Nothing ran after its commit (`services.changed_after_commit`), so the object the service
    returned holds what was stored; only the rows other apps added (SLA clocks) and the tags
    are read. A new ticket has no comment or attachment (the API sends no files).
    """
    ticket.comment_count = 0  # type: ignore[attr-defined]  # _annotated's count, not declared on Ticket
    ticket.attachment_count = 0  # type: ignore[attr-defined]  # _annotated's count, not declared on Ticket
    lookups: list[Any] = [*_sla_clocks()]
    if tagged:
        lookups.append("tags")
    else:
        ticket._prefetched_objects_cache = {"tags": Tag.objects.none()}  # type: ignore[attr-defined]  # Django's private cache
    prefetch_related_objects([ticket], *lookups)
    return ticket


@router.get("/tickets/{ref}", response=TicketOut, summary="One ticket, by number or id")
def get_ticket(request: ApiRequest, ref: str, response: HttpResponse) -> Ticket:
    """The ETag header is the ticket's version (`"3"`): send it as If-Match with a write."""
    return _presented(request, response, _ticket(request, ref))


@router.patch(
    "/tickets/{ref}", response={200: TicketOut, **VERSIONED}, summary="Edit fields (agents)"
)
def update_ticket(
    request: ApiRequest, ref: str, payload: TicketUpdateIn, response: HttpResponse
) -> Answer:
    user = request.auth
    ticket = _ticket(request, ref)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "category" in changes:
        changes["category"] = _pick(_categories(), changes["category"], "category")
    if "requester" in changes:
        changes["requester"] = _pick(_people(user), changes["requester"], "requester")

    def write(expected: int | None) -> Ticket:
        done = services.update_ticket(
            user, ticket, reason=reason, expected_version=expected, **changes
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/status",
    response={200: TicketOut, **VERSIONED},
    summary="Move along the workflow",
)
def change_status(
    request: ApiRequest, ref: str, payload: StatusIn, response: HttpResponse
) -> Answer:
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Ticket:
        done = services.change_status(
            request.auth, ticket, payload.status, reason=payload.reason, expected_version=expected
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/resolve", response={200: TicketOut, **VERSIONED}, summary="Resolve (agents)"
)
def resolve_ticket(
    request: ApiRequest, ref: str, payload: ResolveIn, response: HttpResponse
) -> Answer:
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Ticket:
        done = services.resolve_ticket(
            request.auth,
            ticket,
            code=payload.code,
            resolution=payload.resolution,
            expected_version=expected,
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/reopen",
    response={200: TicketOut, **VERSIONED},
    summary="Reopen a resolved ticket",
)
def reopen_ticket(
    request: ApiRequest, ref: str, response: HttpResponse, payload: ReasonIn | None = None
) -> Answer:
    reason = payload.reason if payload else ""
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Ticket:
        done = services.reopen_ticket(
            request.auth, ticket, reason=reason, expected_version=expected
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/close",
    response={200: TicketOut, **VERSIONED},
    summary="Close (confirm) a ticket",
)
def close_ticket(
    request: ApiRequest, ref: str, response: HttpResponse, payload: CloseIn | None = None
) -> Answer:
    comment = payload.comment if payload else ""
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Ticket:
        done = services.close_ticket(
            request.auth, ticket, comment=comment, expected_version=expected
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/assign",
    response={200: TicketOut, **VERSIONED},
    summary="Assign to a group/person",
)
def assign_ticket(
    request: ApiRequest, ref: str, payload: AssignIn, response: HttpResponse
) -> Answer:
    """Over whoever has the ticket: a deliberate reassignment (take refuses that, 409)."""
    user = request.auth
    ticket = _ticket(request, ref)
    assignee = _pick(_people(user), payload.assignee, "assignee")
    group = _pick(_groups(), payload.group, "group")

    def write(expected: int | None) -> Ticket:
        done = services.assign_ticket(
            user,
            ticket,
            assignee=assignee,
            group=group,
            reason=payload.reason,
            expected_version=expected,
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post(
    "/tickets/{ref}/take",
    response={200: TicketOut, **VERSIONED},
    summary="Take it: assign to myself",
)
def take_ticket(request: ApiRequest, ref: str, response: HttpResponse) -> Answer:
    """One winner: a ticket another agent has is a 409 naming who has it since when."""
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Ticket:
        done = services.take_ticket(request.auth, ticket, expected_version=expected)
        return _presented(request, response, done)

    return _versioned(request, response, write)


@router.post("/tickets/{ref}/escalate", response={200: TicketOut, **VERSIONED}, summary="Escalate")
def escalate_ticket(
    request: ApiRequest, ref: str, payload: EscalateIn, response: HttpResponse
) -> Answer:
    user = request.auth
    ticket = _ticket(request, ref)
    group = _pick(_groups(), payload.group, "group")

    def write(expected: int | None) -> Ticket:
        done = services.escalate_ticket(
            user,
            ticket,
            group=group,
            to_manager=payload.to_manager,
            reason=payload.reason,
            expected_version=expected,
        )
        return _presented(request, response, done)

    return _versioned(request, response, write)


# --- conversation, timeline, files -----------------------------------------------------------


@router.get("/tickets/{ref}/comments", response=list[CommentOut], summary="The conversation")
def list_comments(request: ApiRequest, ref: str) -> QuerySet[Comment]:
    user = request.auth
    ticket = _ticket(request, ref)
    comments = Comment.objects.filter(ticket=ticket).select_related("author")
    if access.is_requester_side(user, ticket):
        comments = comments.filter(is_internal=False)
    return comments


@router.post(
    "/tickets/{ref}/comments",
    response={201: CommentOut, **VERSIONED},
    summary="Reply publicly, or add an internal note",
)
def add_comment(
    request: ApiRequest, ref: str, payload: CommentIn, response: HttpResponse
) -> Answer:
    """A comment alone leaves the ticket's version (its ETag) as it was."""
    ticket = _ticket(request, ref)

    def write(expected: int | None) -> Comment:
        comment = services.add_comment(
            request.auth,
            ticket,
            payload.body,
            internal=payload.internal,
            channel=Channel.API,
            expected_version=expected,
        )
        response["ETag"] = _etag(comment.ticket.version)
        return comment

    return _versioned(request, response, write, status=201)


@router.get("/tickets/{ref}/events", response=list[EventOut], summary="Timeline (agents)")
def list_events(request: ApiRequest, ref: str) -> list[TicketEvent]:
    """Link and merge events name another ticket only if the caller may see it; otherwise
    its number is left out (an empty value)."""
    user = request.auth
    ticket = _ticket(request, ref)
    if access.is_requester_side(user, ticket):
        raise PermissionDenied(_("Only agents may read the timeline."))
    events = list(TicketEvent.objects.filter(ticket=ticket).select_related("actor"))
    numbers = access.other_numbers(events)
    hidden = access.hidden_numbers(user, numbers) if numbers else set()
    for event in events:
        if event.action in access.LINKED_EVENTS:
            event.old_value = "" if event.old_value in hidden else event.old_value
            event.new_value = "" if event.new_value in hidden else event.new_value
    return events


@router.get("/tickets/{ref}/attachments", response=list[AttachmentOut], summary="Files")
def list_attachments(request: ApiRequest, ref: str) -> QuerySet[Attachment]:
    user = request.auth
    ticket = _ticket(request, ref)
    files = Attachment.objects.filter(ticket=ticket).select_related("uploaded_by")
    if access.is_requester_side(user, ticket):
        files = files.filter(is_internal=False)
    return files


@router.post(
    "/tickets/{ref}/attachments",
    response={201: list[AttachmentOut], **VERSIONED},
    summary="Upload files (multipart, field `attachments`)",
)
def add_attachments(
    request: ApiRequest,
    ref: str,
    attachments: File[list[UploadedFile]],
    response: HttpResponse,
    internal: Form[bool] = False,
) -> Answer:
    user = request.auth
    ticket = _ticket(request, ref)
    uploads = [Upload.from_uploaded(f) for f in attachments]

    def write(expected: int | None) -> list[Attachment]:
        saved = services.add_attachments(
            user, ticket, uploads, internal=internal, expected_version=expected
        )
        if saved:
            response["ETag"] = _etag(saved[0].ticket.version)
        return saved

    return _versioned(request, response, write, status=201)


@router.get(
    "/attachments/{attachment_id}",
    url_name="attachment_download",
    summary="Download a file",
    response={200: None},
)
def download_attachment(request: ApiRequest, attachment_id: Id) -> FileResponse:
    user = request.auth
    return access.attachment_response(access.get_attachment_for_user(user, attachment_id))


# --- links and merge -------------------------------------------------------------------------


@router.post(
    "/tickets/{ref}/links",
    response={201: LinkOut, **VERSIONED},
    summary="Link to another ticket",
)
def link_ticket(request: ApiRequest, ref: str, payload: LinkIn, response: HttpResponse) -> Answer:
    """If-Match names the version of the ticket in the path."""
    user = request.auth
    source = _ticket(request, ref)
    target = _other_ticket(user, payload.target, "target")

    def write(expected: int | None) -> Any:
        return services.link_tickets(user, source, target, payload.type, expected_version=expected)

    return _versioned(request, response, write, status=201)


@router.post(
    "/tickets/{ref}/merge",
    response={200: TicketOut, **VERSIONED},
    summary="Merge into another ticket",
)
def merge_ticket(request: ApiRequest, ref: str, payload: MergeIn, response: HttpResponse) -> Answer:
    """If-Match names the version of the ticket merged (the one in the path)."""
    user = request.auth
    duplicate = _ticket(request, ref)
    into = _other_ticket(user, payload.into, "into")

    def write(expected: int | None) -> Ticket:
        with _fields_named({"target": "into"}):
            kept = services.merge_tickets(
                user,
                duplicate,
                into,
                reason=payload.reason,
                confirm_cross_organisation=payload.confirm_cross_organisation,
                expected_version=expected,
            )
        return _present(user, kept)

    return _versioned(request, response, write)


# --- reference data --------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], tags=["reference"])
def list_categories(request: ApiRequest) -> QuerySet[Category]:
    return _categories()


@router.get(
    "/custom-fields",
    response=list[CustomFieldOut],
    tags=["reference"],
    summary="Custom field definitions: the keys and value types of a ticket's `custom`",
)
def list_custom_fields(request: ApiRequest) -> list[CustomField]:
    """The active fields, in their order; requesters get the ones shown to them."""
    rows = list(fields.definitions().fields)
    if not is_agent(request.auth):
        rows = [f for f in rows if f.visible_to_requester]
    return rows


@router.get("/statuses", response=list[StatusListOut], tags=["reference"])
def list_statuses(request: ApiRequest) -> QuerySet[Status]:
    return Status.objects.all()
