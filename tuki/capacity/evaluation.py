"""A series' breach state, moved one sample at a time, and the one ticket of each breach.

    ok ──value at or past warning──▶ warning ──past critical──▶ critical
     ▲                                   │                          │
     └──── back past warning by the hysteresis margin ◀─────────────┘

- ok → warning (or straight to critical) opens an incident for the threshold's group (else
  the item's): low priority for a warning, high for critical. The item is named on it.
- warning → critical raises the same ticket's impact and urgency (an event on the
  ticket's timeline) and adds a note.
- Back past the warning level by the hysteresis margin adds a note and resolves the
  ticket if nobody worked it (no assignee, no person's event); the series is ok again, and
  a later breach opens a new ticket. Within the margin the state stays: no flapping.
- While the item is in a maintenance window, a breach opens nothing (the state stays ok
  and the next sample after the window decides).

Callers hold the series' row lock (services.record_samples) and wrap the calls in
`system_acting()`, so the ticket's timeline says the system acted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.capacity.models import Series, State, Threshold
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.errors import ServiceError
from tuki.tickets import services as ticket_services
from tuki.tickets.models import (
    ActorKind,
    Channel,
    Kind,
    ResolutionCode,
    StatusCategory,
    Ticket,
    TicketEvent,
)

log = logging.getLogger(__name__)

# (impact, urgency) of a breach's ticket: a warning is low priority, critical high.
IMPACT_URGENCY = {State.WARNING: (3, 2), State.CRITICAL: (2, 1)}
CLOSED = (StatusCategory.RESOLVED, StatusCategory.CLOSED)


@dataclass(frozen=True)
class Change:
    """A series moved from one state to another at `at`; `ticket` is its breach's ticket."""

    series_id: int
    ci_id: int
    metric: str
    old: str
    new: str
    value: float
    at: datetime
    ticket: Ticket | None


@contextmanager
def system_acting() -> Iterator[None]:
    with ticket_services.acting_as(ActorKind.SYSTEM, "capacity"):
        yield


def _number(value: float) -> str:
    return f"{value:.6g}"


def _shown(value: float, unit: str) -> str:
    return f"{_number(value)} {unit}".strip()


def step(
    s: Series,
    ci: ConfigurationItem,
    threshold: Threshold | None,
    value: float,
    at: datetime,
    *,
    quiet: bool = False,
) -> Change | None:
    """Move `s` by one sample; returns the change, if its state changed. `quiet`: the item
    is in maintenance (a breach opens nothing)."""
    old = s.state
    new = old
    if threshold is None:
        new = State.OK
        if old != State.OK:
            s.ticket = None
    else:
        level = threshold.level_of(value)
        if old == State.OK and level != State.OK:
            if quiet:
                return None
            s.ticket = _open(s, ci, threshold, level, value)
            new = level
        elif old == State.WARNING and level == State.CRITICAL:
            s.ticket = _escalate(s, ci, threshold, value)
            new = level
        elif old == State.CRITICAL and level == State.WARNING:
            new = level  # better, still breached: the ticket keeps its priority
        elif old != State.OK and level == State.OK and threshold.recovered(value):
            _recover(s, threshold, value)
            s.ticket = None
            new = State.OK
    if new == old:
        return None
    s.state, s.state_since = new, at
    return Change(s.pk, s.ci_id, s.metric, old, new, value, at, s.ticket)


def requester_for(ci: ConfigurationItem, threshold: Threshold) -> User | None:
    """Who a breach's ticket is for: the item's owner, else whoever set the threshold, else
    the first administrator."""
    for user in (ci.owner, threshold.created_by):
        if user is not None and user.is_active:
            return user
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _texts(
    s: Series, ci: ConfigurationItem, threshold: Threshold, level: str, value: float
) -> tuple[str, str]:
    limit = threshold.critical if level == State.CRITICAL and threshold.critical else None
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "item": ci.name,
            "metric": s.metric,
            "value": _shown(value, s.unit),
            "warning": _shown(threshold.warning, s.unit),
            "critical": _shown(limit, s.unit) if limit is not None else "",
        }
        if level == State.CRITICAL:
            title = _("%(item)s: %(metric)s at %(value)s, past the critical level") % values
        else:
            title = _("%(item)s: %(metric)s at %(value)s, past the warning level") % values
        description = (
            _(
                "Capacity management measured %(metric)s of %(item)s at %(value)s (warning level "
                "%(warning)s). This ticket follows the breach: it is raised if the value reaches "
                "the critical level, and resolved if the value comes back before anyone works "
                "on it."
            )
            % values
        )
    return title, description


def _open(
    s: Series, ci: ConfigurationItem, threshold: Threshold, level: str, value: float
) -> Ticket | None:
    requester = requester_for(ci, threshold)
    if requester is None:
        log.warning("capacity: no requester for the breach of %s on item %s", s.metric, ci.pk)
        return None
    title, description = _texts(s, ci, threshold, level, value)
    impact, urgency = IMPACT_URGENCY[State(level)]
    ticket = ticket_services.create_ticket(
        None,
        title=title,
        description=description,
        requester=requester,
        kind=Kind.INCIDENT,
        category=threshold.category,
        impact=impact,
        urgency=urgency,
        channel=Channel.API,
        group=threshold.group or ci.support_group,
        actor_kind=ActorKind.SYSTEM,
    )
    cmdb_services.name_affected(None, ticket, [ci])
    return ticket


def _note(ticket: Ticket, text: str) -> None:
    ticket_services.add_comment(None, ticket, text, internal=True, actor_kind=ActorKind.SYSTEM)


def _escalate(
    s: Series, ci: ConfigurationItem, threshold: Threshold, value: float
) -> Ticket | None:
    ticket = s.ticket
    if ticket is None or ticket.status.category in CLOSED:
        return _open(s, ci, threshold, State.CRITICAL, value)
    impact, urgency = IMPACT_URGENCY[State.CRITICAL]
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Now past the critical level: %(metric)s at %(value)s (critical level %(level)s)."
        ) % {
            "metric": s.metric,
            "value": _shown(value, s.unit),
            "level": _shown(threshold.critical or threshold.warning, s.unit),
        }
    ticket = ticket_services.update_ticket(
        None,
        ticket,
        impact=min(ticket.impact, impact),
        urgency=min(ticket.urgency, urgency),
        reason=text,
    )
    _note(ticket, text)
    return ticket


def worked(ticket: Ticket) -> bool:
    """Somebody took it up: an assignee, or any change or note made by a person."""
    return ticket.assignee_id is not None or (
        TicketEvent.objects.filter(ticket=ticket, actor__isnull=False).exists()
    )


def _recover(s: Series, threshold: Threshold, value: float) -> None:
    ticket = s.ticket
    if ticket is None:
        return
    ticket.refresh_from_db()
    if ticket.status.category in CLOSED:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Back to normal: %(metric)s at %(value)s, past the warning level %(level)s by the "
            "hysteresis margin %(margin)s."
        ) % {
            "metric": s.metric,
            "value": _shown(value, s.unit),
            "level": _shown(threshold.warning, s.unit),
            "margin": _shown(threshold.margin, s.unit),
        }
        resolution = _("The value came back below the threshold before anyone worked on it.")
    _note(ticket, text)
    if worked(ticket):
        return
    try:
        ticket_services.resolve_ticket(
            None, ticket, code=ResolutionCode.SOLVED, resolution=resolution
        )
    except ServiceError as exc:  # the workflow does not allow it from here: the note says it
        log.info("capacity: ticket %s not resolved: %s", ticket.pk, exc.message)
