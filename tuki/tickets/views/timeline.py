"""The ticket timeline: comments, files and events merged into one story, newest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy

from tuki.lib.bounds import parse_id
from tuki.lib.dates import absolute
from tuki.tickets import fields as custom_fields, reasons
from tuki.tickets.models import (
    FIELD_LABELS,
    LINK_INVERSE_LABEL,
    ActorKind,
    Attachment,
    Comment,
    EventAction,
    Impact,
    Kind,
    LinkType,
    Priority,
    ResolutionCode,
    Ticket,
    TicketEvent,
    Urgency,
    action_label,
)

# Replies, notes and their files are shown as themselves, not as events about them.
SHOWN_ELSEWHERE = (EventAction.REPLY, EventAction.NOTE, EventAction.ATTACHMENT)

ICONS: dict[str, str] = {
    EventAction.CREATED: "bi-plus-circle",
    EventAction.STATUS: "bi-arrow-left-right",
    EventAction.ASSIGNED: "bi-person-check",
    EventAction.GROUP: "bi-people",
    EventAction.ESCALATED: "bi-arrow-up-right-circle",
    EventAction.ESCALATED_MANAGER: "bi-exclamation-triangle",
    EventAction.RESOLUTION: "bi-check2-circle",
    EventAction.FIELD: "bi-pencil",
    EventAction.APPROVAL_REQUESTED: "bi-hourglass-split",
    EventAction.APPROVAL_APPROVED: "bi-check-circle",
    EventAction.APPROVAL_REJECTED: "bi-x-circle",
    EventAction.APPROVAL_CANCELLED: "bi-slash-circle",
    EventAction.SURVEY_ANSWERED: "bi-star",
    EventAction.CONSULTED: "bi-people-fill",
    EventAction.CONSULTATION_CLOSED: "bi-chat-square-text",
}
CHOICES = {
    "impact": Impact,
    "urgency": Urgency,
    "priority": Priority,
    "kind": Kind,
    "resolution_code": ResolutionCode,
}


@dataclass
class Entry:
    kind: str  # reply, note, file or event
    at: datetime
    comment: Comment | None = None
    event: TicketEvent | None = None
    attachment: Attachment | None = None
    files: list[Attachment] = field(default_factory=list)
    label: str = ""
    old: str = ""
    new: str = ""
    link: str = ""
    icon: str = "bi-dot"
    reason: str = ""  # the event's, in the reader's language (tickets/reasons.py)

    @property
    def actor(self) -> str:
        if self.event is None:
            return ""
        if self.event.actor is not None:
            return str(self.event.actor)
        return str(ActorKind(self.event.actor_kind).label) if self.event.actor_kind else ""


# Fields whose events store a moment as ISO 8601 (a change's window): shown in the reader's
# time zone and format, as every date on the page.
MOMENT_FIELDS = frozenset({"planned_start", "planned_end"})


def show_value(field_name: str, value: str) -> str:
    """An event value as a person reads it: translated labels instead of stored codes."""
    if not value:
        return ""
    if field_name == "status":
        return _(value)
    if field_name == "restricted":
        return _("yes") if value == "True" else _("no")
    if field_name in MOMENT_FIELDS:
        try:
            return absolute(datetime.fromisoformat(value))
        except ValueError:
            return value
    choices = CHOICES.get(field_name)
    if choices is not None:
        try:
            number = parse_id(value)
            return str(choices(value if number is None else number).label)
        except ValueError:
            return value
    return value


def describe(event: TicketEvent, hidden: set[str] | frozenset[str] = frozenset()) -> Entry:
    entry = Entry(kind="event", at=event.created_at, event=event)
    entry.icon = ICONS.get(event.action, "bi-dot")
    entry.old = show_value(event.field, event.old_value)
    entry.new = show_value(event.field, event.new_value)
    entry.reason = reasons.shown(event.reason)
    if event.action == EventAction.FIELD:
        name = FIELD_LABELS.get(event.field, event.field)
        if event.field.startswith("custom."):
            name = custom_fields.label_for_key(event.field.removeprefix("custom."))
        entry.label = _("changed %(field)s") % {"field": name}
    elif event.action in (EventAction.LINKED, EventAction.LINKED_FROM, EventAction.UNLINKED):
        entry.label = str(action_label(event.action))
        entry.icon = "bi-link-45deg"
        _describe_link(entry, event, hidden)
    elif event.action in (EventAction.MERGED, EventAction.MERGED_FROM):
        entry.label = str(action_label(event.action))
        entry.icon = "bi-union"
        if event.new_value in hidden:
            entry.new = _("a ticket you cannot see")
        else:
            entry.link = _number_url(event.new_value)
    elif event.action == EventAction.CREATED:
        entry.label, entry.new = str(EventAction.CREATED.label), ""
    elif event.action in (EventAction.SLA_WARNING, EventAction.SLA_BREACHED):
        _describe_sla(entry, event)
    elif event.action == EventAction.ASSIGNED and not entry.new:
        entry.label, entry.new = str(EventAction.ASSIGNED.label), _("nobody")
    else:
        entry.label = str(action_label(event.action))
    return entry


# The sla app's metrics (tickets never imports sla): field of its sla_* events.
SLA_METRICS = {
    "first_response": gettext_lazy("first response"),
    "next_response": gettext_lazy("next response"),
    "resolution": gettext_lazy("resolution"),
    "ola": gettext_lazy("group target"),
}


def _describe_sla(entry: Entry, event: TicketEvent) -> None:
    """An SLA warning or breach; `old_value` names the group of an OLA clock."""
    metric = str(SLA_METRICS.get(event.field, event.field))
    if event.old_value:
        metric = f"{metric} ({event.old_value})"
    if event.action == EventAction.SLA_WARNING:
        entry.label = _("SLA warning: %(percent)s%% of the %(metric)s time is used") % {
            "percent": event.new_value,
            "metric": metric,
        }
        entry.icon = "bi-alarm"
    else:
        entry.label = _("SLA breached: the %(metric)s deadline passed") % {"metric": metric}
        entry.icon = "bi-exclamation-octagon"
    entry.old = entry.new = ""


def _describe_link(
    entry: Entry, event: TicketEvent, hidden: set[str] | frozenset[str] = frozenset()
) -> None:
    try:
        link_type = LinkType(event.field)
    except ValueError:
        return
    kind = (
        LINK_INVERSE_LABEL[link_type]
        if event.action == EventAction.LINKED_FROM
        else link_type.label
    )
    number = event.new_value or event.old_value
    if number in hidden:
        entry.old, entry.new = "", f"{kind} {_('a ticket you cannot see')}"
        return
    entry.old, entry.new = "", f"{kind} {number}"
    entry.link = _number_url(number)


def _number_url(number: str) -> str:
    if Ticket.parse_number(number) is None:
        return ""
    return reverse("tickets:detail", args=[number])


def build_timeline(
    comments: list[Comment],
    events: list[TicketEvent],
    attachments: list[Attachment],
    hidden: set[str] | frozenset[str] = frozenset(),
) -> list[Entry]:
    """`hidden`: numbers of other tickets the reader may not see (access.hidden_numbers)."""
    by_comment: dict[int, list[Attachment]] = {}
    entries: list[Entry] = []
    for attachment in attachments:
        if attachment.comment_id:
            by_comment.setdefault(attachment.comment_id, []).append(attachment)
        else:
            entries.append(Entry(kind="file", at=attachment.created_at, attachment=attachment))
    # The event of each reply or note says who wrote it when nobody did (a rule, by name).
    written = {
        e.comment_id: e
        for e in events
        if e.action in (EventAction.REPLY, EventAction.NOTE) and e.comment_id
    }
    for comment in comments:
        kind = "note" if comment.is_internal else "reply"
        entries.append(
            Entry(
                kind=kind,
                at=comment.created_at,
                comment=comment,
                event=written.get(comment.pk),
                files=by_comment.get(comment.pk, []),
            )
        )
    entries += [describe(e, hidden) for e in events if e.action not in SHOWN_ELSEWHERE]
    _resolution_once(entries)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def _resolution_once(entries: list[Entry]) -> None:
    """Resolving records two events, the status change and the resolution, each with the
    resolution's text as its reason (services.resolve_ticket; the API and webhooks hand on
    both): the timeline shows that text once, under the resolution."""
    resolved = {
        (e.event.ticket_id, e.event.reason)
        for e in entries
        if e.event is not None and e.event.action == "resolution" and e.event.reason
    }
    for entry in entries:
        event = entry.event
        if event is not None and event.action == "status":
            if (event.ticket_id, event.reason) in resolved:
                entry.reason = ""
