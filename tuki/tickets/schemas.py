"""The REST API's shapes of tickets: what tuki/tickets/api.py reads and answers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator

from tuki.accounts.models import User
from tuki.lib.bounds import Schema
from tuki.tickets import fields
from tuki.tickets.models import (
    Attachment,
    Channel,
    CustomField,
    FieldType,
    Kind,
    LinkType,
    ResolutionCode,
    Status,
    StatusCategory,
    Ticket,
)

One = Literal[1, 2, 3]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL in text; refuse it here rather than fail in the database.
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


def is_agent(user: User) -> bool:
    return bool(user.is_agent or user.is_superuser)


# --- output ----------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    full_name: str
    email: str


class GroupRef(Schema):
    id: int
    name: str


class OrganisationRef(Schema):
    id: int
    name: str


class CategoryRef(Schema):
    id: int
    name: str
    path: str


class StatusOut(Schema):
    key: str
    name: str
    category: StatusCategory

    @staticmethod
    def resolve_name(obj: Status) -> str:
        return obj.label


class SlaClockOut(Schema):
    """One SLA clock (of the sla app, read through Ticket.sla_clocks)."""

    metric: str = Field(description="first_response, next_response, resolution or ola")
    group: GroupRef | None = Field(None, description="The group of an OLA clock")
    cycle: int
    state: str = Field(description="running, paused, met, breached or cancelled")
    policy: str | None
    target_minutes: int = Field(description="Business minutes allowed")
    elapsed_minutes: float = Field(description="Business minutes used by the last pause or stop")
    started_at: datetime
    paused_since: datetime | None
    warn_at: datetime | None = Field(None, description="When the first warning is due")
    deadline: datetime | None = Field(None, description="Empty while paused")
    stopped_at: datetime | None

    @staticmethod
    def resolve_policy(obj: Any) -> str | None:
        return obj.policy.name if obj.policy else None


CUSTOM_DESCRIPTION = (
    "Custom field values by key (definitions: `GET /custom-fields`). The JSON form per "
    'type: text, long_text: string; number: number; date: "YYYY-MM-DD"; choice: one '
    "choice value (string); multi_choice: list of choice values; user, organisation, ci: "
    'the id (integer) of an active row; checkbox: boolean. On writes `null` or "" clears '
    "a value; a bad value is a 422 naming `custom.<key>`."
)


class TicketOut(Schema):
    id: int
    number: str
    kind: Kind
    title: str
    description: str
    status: StatusOut
    impact: int
    urgency: int
    priority: int
    category: CategoryRef | None
    channel: Channel
    requester: UserRef
    organisation: OrganisationRef | None
    owner_group: GroupRef
    owner: UserRef | None
    group: GroupRef
    assignee: UserRef | None
    escalated_to: UserRef | None
    tags: list[str]
    restricted: bool
    resolution_code: str
    resolution: str
    merged_into: str | None = Field(None, description="Number of the ticket this was merged into")
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    reopen_count: int
    reassignment_count: int
    version: int = Field(
        description="Moves on with every change of the ticket's fields, status or assignment "
        "(not with a comment); also the ETag. Send it back as If-Match to refuse a write "
        "over a change you have not seen (412)."
    )
    comment_count: int = Field(0, description="Comments the caller may read")
    attachment_count: int = Field(0, description="Attachments the caller may read")
    sla: list[SlaClockOut] = Field(
        [], description="SLA clocks, every cycle; group targets (OLA) for agents only"
    )
    custom: dict[str, Any] = Field(
        {}, description=CUSTOM_DESCRIPTION + " Requesters get the fields shown to them."
    )

    @staticmethod
    def resolve_custom(obj: Ticket, context: Any) -> dict[str, Any]:
        values = dict(obj.custom or {})
        if not is_agent(context["request"].auth):
            defs = fields.definitions().by_key
            values = {k: v for k, v in values.items() if k in defs and defs[k].visible_to_requester}
        return values

    @staticmethod
    def resolve_sla(obj: Ticket, context: Any) -> list[Any]:
        clocks = list(obj.sla_clocks.all()) if hasattr(obj, "sla_clocks") else []
        if not is_agent(context["request"].auth):
            clocks = [c for c in clocks if c.metric != "ola"]
        return clocks

    @staticmethod
    def resolve_tags(obj: Ticket) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_merged_into(obj: Ticket) -> str | None:
        # Only when the caller may see that ticket (api._annotated's `merged_into_seen`).
        seen = getattr(obj, "merged_into_seen", False)
        return obj.merged_into.number if obj.merged_into and seen else None


class ChoiceOut(Schema):
    value: str
    label: str = Field(description="In the caller's language")


class CustomFieldOut(Schema):
    """A custom field's definition: what `custom.<key>` holds on a ticket."""

    key: str
    label: str = Field(description="In the caller's language")
    help_text: str
    type: FieldType = Field(
        description='text, long_text: string; number: number; date: "YYYY-MM-DD"; '
        "choice: a choice value; multi_choice: list of choice values; user, organisation, "
        "ci: an id; checkbox: boolean"
    )
    choices: list[ChoiceOut] = Field([], description="choice and multi_choice only")
    kinds: list[Kind] = Field(description="Ticket kinds it applies to; empty: all")
    categories: list[int] = Field(
        description="Category ids it applies to, with their subcategories; empty: all"
    )
    required_statuses: list[str] = Field(
        description="Status keys a ticket may not enter without a value; `new`: at registration"
    )
    validation: dict[str, Any] = Field(description="min, max, max_length, pattern")
    visible_to_requester: bool
    editable_by_requester: bool
    position: int

    @staticmethod
    def resolve_label(obj: CustomField) -> str:
        return fields.label(obj)

    @staticmethod
    def resolve_help_text(obj: CustomField) -> str:
        return fields.help_text(obj)

    @staticmethod
    def resolve_choices(obj: CustomField) -> list[dict[str, str]]:
        return [{"value": v, "label": text} for v, text in fields.choice_options(obj)]

    @staticmethod
    def resolve_categories(obj: CustomField) -> list[int]:
        return [c.pk for c in obj.categories.all()]


class StaleOut(Schema):
    """412: the ticket changed since the version the caller sent in If-Match."""

    detail: str
    version: int = Field(description="The ticket's current version (its ETag)")
    changed: list[str] = Field(
        description="The fields changed since the version sent, in the order they changed"
    )


class RefusedOut(Schema):
    """400 (a malformed If-Match) or 409 (someone else took the ticket)."""

    detail: str


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: int | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )


class CommentOut(Schema):
    id: int
    author: UserRef | None
    body: str
    is_internal: bool
    channel: Channel
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    is_internal: bool
    comment_id: int | None
    uploaded_by: UserRef | None
    created_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj: Attachment) -> str:
        return reverse("api:attachment_download", args=[obj.pk])


class EventOut(Schema):
    id: int
    actor: UserRef | None
    actor_kind: str
    action: str
    field: str
    old_value: str
    new_value: str
    reason: str
    comment_id: int | None
    created_at: datetime


class LinkOut(Schema):
    id: int
    source: str
    target: str
    type: LinkType

    @staticmethod
    def resolve_source(obj: Any) -> str:
        return obj.source.number

    @staticmethod
    def resolve_target(obj: Any) -> str:
        return obj.target.number


class CategoryOut(Schema):
    id: int
    name: str
    path: str
    parent_id: int | None
    default_group_id: int | None


class StatusListOut(StatusOut):
    order: int


# --- input -----------------------------------------------------------------------------------


class TicketFilters(Schema):
    kind: Kind | None = None
    status: Text | None = Field(None, description="Status key, e.g. `in_progress`")
    status_category: StatusCategory | None = None
    priority: int | None = Field(None, ge=1, le=5)
    group: int | None = Field(None, description="Assigned group id")
    assignee: Text | None = Field(
        None, pattern=r"^(me|[0-9]{1,19})$", description="User id, or `me`"
    )
    requester: int | None = None
    organisation: int | None = None
    q: Text | None = Field(None, description="Text in title or description, or a ticket number")
    updated_since: datetime | None = None
    cursor: int | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


TITLE_MAX = 200  # Ticket.title's max_length


class TicketCreateIn(Schema):
    title: Text = Field(max_length=TITLE_MAX)
    description: Text = ""
    kind: Kind = Kind.INCIDENT
    category: int | None = None
    impact: One | None = None
    urgency: One | None = None
    requester: int | None = Field(None, description="User id; defaults to the caller")
    group: int | None = Field(None, description="Group to work it; defaults to the desk")
    assignee: int | None = None
    tags: list[Text] = []
    restricted: bool = False
    channel: Channel = Channel.API
    custom: dict[str, Any] = Field({}, description=CUSTOM_DESCRIPTION)


class TicketUpdateIn(Schema):
    """Only the fields sent are changed. `category: null` clears the category."""

    title: Text = Field(None, max_length=TITLE_MAX)  # type: ignore[assignment]  # pydantic: may be left out, not null
    description: Text = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    kind: Kind = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    category: int | None = None
    impact: One = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    urgency: One = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    requester: int = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    tags: list[Text] = Field(None)  # type: ignore[arg-type]  # pydantic: may be left out, not null
    restricted: bool = Field(None)  # type: ignore[assignment]  # pydantic: may be left out, not null
    custom: dict[str, Any] = Field(
        None,  # type: ignore[arg-type]  # pydantic: may be left out, not null
        description=CUSTOM_DESCRIPTION + " Only the keys sent are changed.",
    )
    reason: Text = Field("", description="Why; recorded in the timeline")


class StatusIn(Schema):
    status: Text = Field(description="Status key")
    reason: Text = ""


class ResolveIn(Schema):
    code: ResolutionCode
    resolution: Text = ""


class ReasonIn(Schema):
    reason: Text = ""


class CloseIn(Schema):
    comment: Text = ""


class AssignIn(Schema):
    group: int | None = Field(None, description="Defaults to the group working it now")
    assignee: int | None = Field(None, description="null unassigns")
    reason: Text = ""


class EscalateIn(Schema):
    group: int | None = None
    to_manager: bool = False
    reason: Text = ""


class CommentIn(Schema):
    body: Text
    internal: bool = Field(False, description="An internal note (agents only)")


class LinkIn(Schema):
    target: Text = Field(description="Ticket number or id")
    type: LinkType = LinkType.RELATED


class MergeIn(Schema):
    into: Text = Field(description="Number or id of the ticket that stays")
    reason: Text = ""
    confirm_cross_organisation: bool = Field(
        False,
        description="Required (true) when the two tickets belong to different organisations; "
        "the duplicate's requester then does not become a watcher",
    )
