"""What other apps add to intake (Log a call) without the tickets app importing them.

- Outage sources (majors, availability) say which open tickets stand for a live outage:
  each registers a query of ticket ids over its own small table; `live_outages` ORs them with the desk's own sign of one
  (an open P1 or P2 incident that already has children).
- One advisor (assist) finds the open tickets a new call duplicates and suggests a group,
  category and priority; it also records, once the ticket exists, what was shown and what
  the operator did with it. Without an advisor, Log a call shows the caller's own open
  tickets with a similar title (similar.py) and no suggestion.

They register from their `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from tuki.tickets.choices import Kind, LinkType
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from django.http import QueryDict

    from tuki.accounts.models import User
    from tuki.tickets.models import Category, TicketQuerySet

# The desk's own sign of an outage: a high-priority incident others are attached to.
OUTAGE_PRIORITY = 2
OUTAGE_DAYS = 30  # opened in the last 30 days (majors and declared outages: any age)


@dataclass(frozen=True)
class Call:
    """What the operator has typed so far (nothing saved)."""

    caller: User | None
    title: str
    description: str = ""
    category: Category | None = None
    language: str = "en"
    impact: int | None = None
    urgency: int | None = None
    kind: str = Kind.INCIDENT


@dataclass(frozen=True)
class Duplicate:
    ticket: Ticket
    reasons: list[str]  # translated: "same caller", "an outage", ...
    similarity: float  # 0..1
    own: bool  # the caller's own ticket: the call can be added to it
    outage: bool  # a live outage: the call's ticket can be its child

    @property
    def percent(self) -> int:
        return round(self.similarity * 100)


@dataclass(frozen=True)
class Advice:
    """One suggested value, ready to show: labels, not ids; reason tickets already checked."""

    kind: str
    value: str
    label: str
    confidence: float
    top: list[tuple[str, float]]  # (label, confidence)
    reason: list[Ticket] = field(default_factory=list)
    # Categories: the services the suggested category stands for (a ticket's service is
    # its category's: sla.Service.categories), so the operator sees which service it is.
    services: list[str] = field(default_factory=list)
    top_values: list[str] = field(default_factory=list)  # the values of `top`, in its order

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def others(self) -> list[tuple[str, int]]:
        """The runners-up of the best three, with their confidence in percent."""
        return [(label, round(p * 100)) for label, p in self.top if label != self.label]


@dataclass(frozen=True)
class Advisor:
    duplicates: Callable[[User, Call], list[Duplicate]]
    advise: Callable[[User, Call], tuple[list[Advice], str]]  # the advice, a signed token
    registered: Callable[[User, QueryDict, Ticket], None]


_OUTAGES: dict[str, QuerySet[Any, int]] = {}  # ticket ids (values_list, flat)
_ADVISOR: list[Advisor] = []


def register_outage_source(key: str, ticket_ids: QuerySet[Any, int]) -> None:
    """`ticket_ids`: a flat values_list of the ids of open tickets standing for an outage."""
    _OUTAGES[key] = ticket_ids


def register_advisor(advisor: Advisor) -> None:
    _ADVISOR[:] = [advisor]


def unregister_advisor() -> None:
    _ADVISOR.clear()


def advisor() -> Advisor | None:
    return _ADVISOR[0] if _ADVISOR else None


def first_id_since(days: int) -> int:
    """The id of the first ticket opened in the last `days` (the created_at index): an id
    range from it reads the tickets of the window, whatever the size of the table."""
    since = timezone.now() - timedelta(days=days)
    first = Ticket.objects.filter(created_at__gte=since).order_by("created_at", "id")
    pk = first.values_list("pk", flat=True).first()
    return pk if pk is not None else 2**62


def outage_ids() -> set[int]:
    """The ids of the tickets standing for a live outage, from small sets only (the open
    P1/P2 incidents with children opened in the last OUTAGE_DAYS, the live majors, the
    ongoing outages): two queries."""
    parents = (
        Ticket.objects.filter(pk__gte=first_id_since(OUTAGE_DAYS))
        .active()
        .filter(kind=Kind.INCIDENT, priority__lte=OUTAGE_PRIORITY)
        .filter(links_out__type=LinkType.PARENT_OF)
        .values_list("pk", flat=True)
        .order_by()
    )
    others = [_OUTAGES[key].order_by() for key in sorted(_OUTAGES)]  # no ORDER BY in a UNION
    return set(parents.union(*others)) if others else set(parents)


def live_outages(user: User) -> TicketQuerySet:
    """Open tickets standing for a live outage that `user` may see."""
    return (
        Ticket.objects.visible_to(user)
        .active()
        .filter(merged_into=None)
        .filter(pk__in=outage_ids())
    )
