"""Who is told what when a ticket changes. Pure decisions over one batch of events (the
events of one transaction on one ticket, receivers.py); `notify` does the writing.

One notification per person per batch: the most specific reason wins (a mention beats
"a ticket I watch changed"), so an assignment that also moves the status is one message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tuki.notifications import mentions
from tuki.notifications.models import NotificationKind as K
from tuki.sla.models import Metric, SlaClock
from tuki.sla.reading import read_clock
from tuki.tickets import reasons
from tuki.tickets.models import (
    ActorKind,
    EventAction,
    Ticket,
    TicketConsultation,
    TicketEvent,
)
from tuki.tickets.views.timeline import describe as timeline_entry

if TYPE_CHECKING:
    from tuki.accounts.models import User

# Most specific first: who gets several reasons in one batch gets the first.
RANK: list[str] = [
    K.CONSULTED,
    K.MENTION,
    K.ASSIGNED_TO_ME,
    K.SLA_BREACH,
    K.SLA_WARNING,
    K.THREAD_MESSAGE,
    K.NOTE_ON_MY_TICKET,
    K.REPLY_ON_MY_TICKET,
    K.GROUP_TICKET,
    K.WATCHED_TICKET_CHANGED,
]
# Not news to a watcher: the conversation has its own kinds, SLA its own, files come with a
# comment, and being added or removed as a watcher is about the watcher.
NOT_A_CHANGE = (EventAction.ATTACHMENT, EventAction.SLA_WARNING, EventAction.SLA_BREACHED)


@dataclass
class Intent:
    """Tell these people this, on behalf of this actor (who is never told)."""

    users: list[User]
    kind: str
    text: Promise
    actor: User | None
    url: str = ""


def who(event: TicketEvent) -> str | Promise:
    """The actor's name, or the rule's, or Tuki's (lazy: in each recipient's language)."""
    if event.actor is not None:
        return str(event.actor)
    if event.actor_kind == ActorKind.RULE and event.reason:
        return format_lazy(_("Rule “{name}”"), name=_shown_reason(event.reason))
    if event.actor_kind == ActorKind.SLA:
        return _("SLA")
    return "Tuki"


# A reason code wrote is stored in English and read in the recipient's language.
_shown_reason = lazy(reasons.shown, str)


def excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _members(ticket: Ticket) -> list[User]:
    return list(ticket.group.members.filter(is_active=True)) if ticket.group_id else []


def _comment_url(ticket: Ticket, event: TicketEvent) -> str:
    anchor = f"#comment-{event.comment_id}" if event.comment_id else ""
    return ticket.get_absolute_url() + anchor


# --- one rule per reason -----------------------------------------------------------------------


def assigned(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """The new assignee, if it is still them (the event keeps only their name); or whoever
    a ticket is registered for."""
    if ticket.assignee is None:
        return
    is_them = event.action == EventAction.ASSIGNED and str(ticket.assignee) == event.new_value
    if is_them or event.action == EventAction.CREATED:
        text = format_lazy(
            _("{who} assigned {number} to you: {title}"),
            who=who(event),
            number=ticket.number,
            title=ticket.title,
        )
        yield Intent([ticket.assignee], K.ASSIGNED_TO_ME, text, event.actor)


def group_ticket(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """A new ticket, or one moved to a group, nobody in the group has yet: its members."""
    if ticket.assignee_id or not ticket.is_active:
        return
    if event.action == EventAction.CREATED:
        text = _("New ticket in {group}: {number} {title}")
    elif event.action in (EventAction.ESCALATED, EventAction.GROUP) and event.field == "group":
        text = _("{number} came to {group}: {title}")
    else:
        return
    message = format_lazy(text, group=ticket.group, number=ticket.number, title=ticket.title)
    yield Intent(_members(ticket), K.GROUP_TICKET, message, event.actor)


def conversation(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """A reply or a note on a ticket assigned to me or owned by me."""
    if event.action not in (EventAction.REPLY, EventAction.NOTE) or event.comment is None:
        return
    people = [ticket.assignee, ticket.owner]
    if event.action == EventAction.NOTE:
        text = _("{who} added a note on {number}: {excerpt}")
        kind = K.NOTE_ON_MY_TICKET
    else:
        text = _("{who} replied on {number}: {excerpt}")
        kind = K.REPLY_ON_MY_TICKET
    message = format_lazy(
        text, who=who(event), number=ticket.number, excerpt=excerpt(event.comment.body)
    )
    users = [user for user in people if user is not None]
    yield Intent(users, kind, message, event.actor, _comment_url(ticket, event))


def mentioned(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """Agents @mentioned in an internal note (notify skips those who cannot see it)."""
    if event.action != EventAction.NOTE or event.comment is None or not event.comment.is_internal:
        return
    users = list(mentions.mentioned_agents(event.comment.body))
    if users:
        message = format_lazy(
            _("{who} mentioned you on {number}: {excerpt}"),
            who=who(event),
            number=ticket.number,
            excerpt=excerpt(event.comment.body),
        )
        yield Intent(users, K.MENTION, message, event.actor, _comment_url(ticket, event))


def consulted(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """Swarming: the person consulted, or else the consulted group's members (they can see
    the ticket by the time this runs: the consultation committed with the event)."""
    if event.action != EventAction.CONSULTED:
        return
    consultation = (
        TicketConsultation.objects.filter(event=event, closed_at=None)
        .select_related("user", "group")
        .first()
    )
    if consultation is None:
        return
    if consultation.user is not None:
        users = [consultation.user]
    else:
        users = (
            list(consultation.group.members.filter(is_active=True)) if consultation.group else []
        )
    words = excerpt(event.comment.body, 80) if event.comment is not None else ticket.title
    message = format_lazy(
        _("{who} asks for your help on {number}: {excerpt}"),
        who=who(event),
        number=ticket.number,
        excerpt=words,
    )
    yield Intent(users, K.CONSULTED, message, event.actor, _thread_url(ticket))


def thread_message(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """A message in the consultation thread: the people consulted by name and whoever
    opened a consultation still open (the consulted groups were told when consulted)."""
    comment = event.comment
    if event.action != EventAction.NOTE or comment is None or not comment.thread:
        return
    rows = TicketConsultation.objects.filter(ticket=ticket, closed_at=None).select_related(
        "user", "invited_by"
    )
    users = [person for row in rows for person in (row.user, row.invited_by) if person]
    message = format_lazy(
        _("{who} wrote in the consultation on {number}: {excerpt}"),
        who=who(event),
        number=ticket.number,
        excerpt=excerpt(comment.body),
    )
    yield Intent(users, K.THREAD_MESSAGE, message, event.actor, _thread_url(ticket))


def _thread_url(ticket: Ticket) -> str:
    return ticket.get_absolute_url() + "#consultation"


def sla(ticket: Ticket, event: TicketEvent) -> Iterable[Intent]:
    """Warnings and breaches: the assignee, else the group; on a breach the manager too."""
    if event.action not in (EventAction.SLA_WARNING, EventAction.SLA_BREACHED):
        return
    metric = Metric(event.field).label if event.field in Metric.values else event.field
    users = [ticket.assignee] if ticket.assignee else _members(ticket)
    if event.action == EventAction.SLA_BREACHED:
        if ticket.group_id and ticket.group.manager:
            users.append(ticket.group.manager)
        text = _("SLA breached on {number} ({metric}): {title}")
        kind = K.SLA_BREACH
    else:
        text = _("SLA warning on {number} ({metric}): {title}")
        kind = K.SLA_WARNING
    message = format_lazy(text, number=ticket.number, metric=metric, title=ticket.title)
    clock = _clock_of(ticket, event)
    if clock is not None:
        # The clock as every page reads it, in each recipient's language and time zone.
        message = format_lazy("{} — {}", message, _reading(clock))
    yield Intent(users, kind, message, None)


def _clock_of(ticket: Ticket, event: TicketEvent) -> SlaClock | None:
    """The clock the warning or breach is about: the event's metric (an OLA's group is the
    event's old value), latest cycle."""
    clocks = SlaClock.objects.filter(ticket=ticket, metric=event.field).select_related("calendar")
    if event.field == Metric.OLA:
        clocks = clocks.filter(group__name=event.old_value)
    return clocks.order_by("-cycle", "-id").first()


def _read(clock: SlaClock) -> str:
    return read_clock(clock).full


_reading = lazy(_read, str)


def watched(ticket: Ticket, events: Sequence[TicketEvent]) -> Iterable[Intent]:
    """Agent watchers, once for the whole batch, with what changed."""
    changes = [e for e in events if not _about_watching(e) and e.action not in NOT_A_CHANGE]
    if not changes:
        return
    watchers = [u for u in ticket.watchers.all() if u.is_agent or u.is_superuser]
    if not watchers:
        return
    parts = [describe(e) for e in changes[:4]]
    summary = format_lazy("; ".join("{}" for _part in parts), *parts)
    first = changes[0]
    message = format_lazy(
        _("{who} changed {number}: {summary}"),
        who=who(first),
        number=ticket.number,
        summary=summary,
    )
    url = _comment_url(ticket, first) if first.comment_id else ""
    # Whoever made any of these changes is not told about them.
    actors = {e.actor_id for e in changes if e.actor_id}
    users = [u for u in watchers if u.pk not in actors]
    yield Intent(users, K.WATCHED_TICKET_CHANGED, message, first.actor, url)


def _about_watching(event: TicketEvent) -> bool:
    return event.action == EventAction.FIELD and event.field == "watchers"


def describe(event: TicketEvent) -> str | Promise:
    """What one event changed, lazy: rendered in each recipient's language."""
    if event.action in (EventAction.REPLY, EventAction.NOTE) and event.comment is not None:
        label = _("added a note") if event.action == EventAction.NOTE else _("replied")
        return format_lazy("{}: {}", label, excerpt(event.comment.body, 80))
    return _summary(event)


def _change(event: TicketEvent) -> str:
    """As the timeline tells it (its label, and values as people read them: translated
    labels, not stored codes or English), in the active language."""
    entry = timeline_entry(event)
    change = " → ".join(str(v) for v in (entry.old, entry.new) if v)
    return f"{entry.label}: {change}" if change else str(entry.label)


_summary = lazy(_change, str)


PER_EVENT = (consulted, mentioned, thread_message, assigned, sla, conversation, group_ticket)


def intents_for(ticket: Ticket, events: Sequence[TicketEvent]) -> list[Intent]:
    """Every reason to tell someone, one notification per person (the highest RANK)."""
    found: list[Intent] = []
    for event in events:
        for rule in PER_EVENT:
            found.extend(rule(ticket, event))
    found.extend(watched(ticket, events))
    found.sort(key=lambda intent: RANK.index(intent.kind))
    told: set[int] = set()
    result = []
    for intent in found:
        actor_id = intent.actor.pk if intent.actor else None
        users = [u for u in intent.users if u.pk not in told and u.pk != actor_id]
        told.update(u.pk for u in users)
        if users:
            result.append(Intent(users, intent.kind, intent.text, intent.actor, intent.url))
    return result
