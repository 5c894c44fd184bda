"""The team view: live figures of one support group's open work, for its lead and the desk manager.

Who sees which team (`team_groups`):
- a group's lead is its manager (`SupportGroup.manager`) and sees that group;
- a desk manager (the manager of a service-desk group, tier 1) and superusers see every
  active group: the desk answers for every ticket it registered, wherever the work is.
Every figure counts only tickets the viewer may see (`Ticket.objects.visible_to`).

What the figures mean (docs/reports.md, "Team view"):
- the group's work: active tickets (new, open, pending) whose `group` is the team;
- breached: an open SLA clock past its deadline; at risk: an open clock past its first
  warning, not yet breached (a ticket counts once, in the worse of the two);
- today's intake: tickets created today (the desk's time zone) that the group works or owns;
  capacity: how many of those tickets the group resolves on a typical day, the median of the
  daily counts of the last 28 days on which it resolved any.

Live data on active tickets through the tickets' indexes (group + status, updated_at): the
page costs the same at 1,000 tickets as at 1,000,000 (tuki bench measures it).
"""

from __future__ import annotations

import statistics
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404

from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.reports.access import is_desk_manager
from tuki.sla.models import ClockState, SlaClock
from tuki.tickets.models import (
    ACTIVE_CATEGORIES,
    StatusCategory,
    Ticket,
    TicketQuerySet,
    status_ids_by_category,
)

CAPACITY_DAYS = 28
SHOWS = ("active", "pending", "at_risk", "breached", "intake")


def is_agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def team_groups(user: User) -> QuerySet[SupportGroup]:
    """The groups whose team view this user may open (see the module's docstring)."""
    if not is_agent(user):
        return SupportGroup.objects.none()
    groups = SupportGroup.objects.filter(is_active=True)
    if user.is_superuser or is_desk_manager(user):
        return groups
    return groups.filter(manager=user)


def get_team_for_user(
    user: User, pk: object, groups: QuerySet[SupportGroup] | None = None
) -> SupportGroup:
    """The group if this user may see its team view (among `groups`, their team_groups when
    already fetched); otherwise Http404."""
    number = parse_id(pk)
    groups = team_groups(user) if groups is None else groups
    group = groups.filter(pk=number).first() if number is not None else None
    if group is None:
        raise Http404("No such team")
    return group


# --- the figures -------------------------------------------------------------------------------


def desk_today(now: datetime) -> datetime:
    """Midnight of today in the desk's time zone (settings.TIME_ZONE)."""
    local = now.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _open_clocks() -> QuerySet[SlaClock]:
    return SlaClock.objects.filter(ticket=OuterRef("pk"), stopped_at__isnull=True)


def breached_q(now: datetime) -> Exists:
    late = Q(state=ClockState.BREACHED) | Q(state=ClockState.RUNNING, deadline__lte=now)
    return Exists(_open_clocks().filter(late))


def warned_q(now: datetime) -> Exists:
    return Exists(_open_clocks().filter(state=ClockState.RUNNING, warn_at__lte=now))


@dataclass
class Load:
    """One agent's share of the group's active tickets (agent None: unassigned)."""

    agent: User | None
    active: int = 0
    pending: int = 0
    at_risk: int = 0
    breached: int = 0
    unassigned: int = 0  # the index page's per-group rows only


@dataclass
class Team:
    group: SupportGroup
    total: Load
    unassigned: Load
    agents: list[Load]
    intake: int
    capacity: float | None
    oldest: list[Ticket] = field(default_factory=list)
    urgent: list[Ticket] = field(default_factory=list)

    @property
    def intake_share(self) -> int | None:
        """Today's intake as a percentage of the capacity (for the bar), at most 100."""
        if not self.capacity:
            return None
        return min(100, round(100 * self.intake / self.capacity))


def work_of(user: User, group: SupportGroup, ids: dict[str, list[int]]) -> TicketQuerySet:
    active = [pk for category in ACTIVE_CATEGORIES for pk in ids[category]]
    return Ticket.objects.visible_to(user).filter(group=group, status_id__in=active)


def loads(qs: TicketQuerySet, ids: dict[str, list[int]], now: datetime) -> dict[int | None, Load]:
    """Active, pending, at risk and breached per assignee, in one query."""
    rows = (
        qs.annotate(late=breached_q(now), warned=warned_q(now))
        .values("assignee")
        .annotate(
            active=Count("pk"),
            pending=Count("pk", filter=Q(status_id__in=ids[StatusCategory.PENDING])),
            at_risk=Count("pk", filter=Q(warned=True, late=False)),
            breached=Count("pk", filter=Q(late=True)),
        )
        .order_by()
    )
    return {
        row["assignee"]: Load(None, row["active"], row["pending"], row["at_risk"], row["breached"])
        for row in rows
    }


def intake_q(group: SupportGroup) -> Q:
    """The tickets a group works or owns (the desk owns what it registered)."""
    return Q(group=group) | Q(owner_group=group)


def intake_today(user: User, group: SupportGroup, now: datetime) -> TicketQuerySet:
    start = desk_today(now)
    # updated_at >= created_at always: the condition lets the database read only the tickets
    # changed today through its index on updated_at rather than every ticket of the group.
    return Ticket.objects.visible_to(user).filter(
        intake_q(group), created_at__gte=start, updated_at__gte=start
    )


def capacity(user: User, group: SupportGroup, now: datetime) -> float | None:
    """Median tickets resolved a day over the last 28 days, counting days with any."""
    end = desk_today(now)
    since = end - timedelta(days=CAPACITY_DAYS)
    days = (
        Ticket.objects.visible_to(user)
        .filter(intake_q(group), resolved_at__gte=since, resolved_at__lt=end, updated_at__gte=since)
        .annotate(day=TruncDate("resolved_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = [row["n"] for row in days]
    return float(statistics.median(counts)) if counts else None


def team(user: User, group: SupportGroup, now: datetime, ids: dict[str, list[int]]) -> Team:
    """The figures of one group's team view; `ids` are status_ids_by_category()."""
    work = work_of(user, group, ids)
    by_agent = loads(work, ids, now)
    unassigned = by_agent.pop(None, Load(None))
    people = User.objects.filter(
        Q(pk__in=list(by_agent)) | Q(support_groups=group, is_active=True)
    ).distinct()
    agents = []
    for person in people.order_by("full_name").only("id", "full_name", "email"):
        load = by_agent.get(person.pk, Load(None))
        load.agent = person
        agents.append(load)
    total = Load(None)
    for load in [unassigned, *agents]:
        total.active += load.active
        total.pending += load.pending
        total.at_risk += load.at_risk
        total.breached += load.breached
    return Team(
        group=group,
        total=total,
        unassigned=unassigned,
        agents=agents,
        intake=intake_today(user, group, now).count(),
        capacity=capacity(user, group, now),
    )


def overview(user: User, groups: list[SupportGroup], now: datetime) -> dict[int, Load]:
    """Active, pending, at risk and breached per group, in one query, for the index page."""
    ids = status_ids_by_category()
    active = [pk for category in ACTIVE_CATEGORIES for pk in ids[category]]
    rows = (
        Ticket.objects.visible_to(user)
        .filter(group__in=groups, status_id__in=active)
        .annotate(late=breached_q(now), warned=warned_q(now))
        .values("group")
        .annotate(
            active=Count("pk"),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            at_risk=Count("pk", filter=Q(warned=True, late=False)),
            breached=Count("pk", filter=Q(late=True)),
        )
        .order_by()
    )
    return {
        row["group"]: Load(
            None,
            active=row["active"],
            at_risk=row["at_risk"],
            breached=row["breached"],
            unassigned=row["unassigned"],
        )
        for row in rows
    }


def tickets_of(
    user: User, group: SupportGroup, show: str, agent: str, now: datetime
) -> TicketQuerySet:
    """Exactly the tickets behind one number of the team view.

    `show` is one of SHOWS; `agent` an agent's id, "none" (unassigned) or "" (everyone).
    """
    if show == "intake":
        return intake_today(user, group, now)
    ids = status_ids_by_category()
    qs = work_of(user, group, ids)
    if agent == "none":
        qs = qs.filter(assignee__isnull=True)
    elif agent:
        number = parse_id(agent)
        if number is None:
            raise Http404("No such agent")
        qs = qs.filter(assignee_id=number)
    if show == "pending":
        qs = qs.filter(status_id__in=ids[StatusCategory.PENDING])
    elif show == "breached":
        qs = qs.filter(breached_q(now))
    elif show == "at_risk":
        qs = qs.filter(warned_q(now)).exclude(breached_q(now))
    return qs
