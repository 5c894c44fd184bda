"""What stands in a change's way at its planned window, and the next windows free of it
(docs/change-calendar.md).

`check(change)` names every conflict with its reason in words:

- same item: another active change (not resolved, closed or cancelled) with an overlapping
  window names one of our items;
- related item: another overlapping change names an item one current relation away from one
  of ours, either way ("CHG-12 ... on db-01: app-02 runs on db-01");
- outside maintenance: an item of ours has maintenance windows and the change is not inside
  them;
- blackout: a blackout period or freeze overlaps the window, everywhere or on one of ours;
- implementer busy: the implementer has another overlapping change.

Windows that only touch (one ends when the other starts) do not overlap. The work is a fixed
number of indexed queries, whatever the number of changes and items: the data of a span is
loaded once (`_load`), then every candidate window is settled in Python (`_at`), which is how
`free_slots` steps through two weeks without a query per step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change, ChangeType
from tuki.cmdb.models import AffectedItem, MaintenanceWindow, Relation, RelationType
from tuki.lib.dates import absolute
from tuki.tickets.choices import ACTIVE_CATEGORIES, KIND_PREFIX, Kind
from tuki.tickets.models import Ticket, status_ids

if TYPE_CHECKING:
    from tuki.accounts.models import User


class ConflictKind:
    SAME_ITEM = "same_item"
    RELATED_ITEM = "related_item"
    OUTSIDE_MAINTENANCE = "outside_maintenance"
    BLACKOUT = "blackout"
    IMPLEMENTER_BUSY = "implementer_busy"


STEP = timedelta(minutes=30)
MAX_STEPS = 2000  # free_slots' bound: ~6 weeks of half hours, jumps aside
DEFAULT_DURATION = timedelta(hours=1)


@dataclass(frozen=True)
class Conflict:
    kind: str
    message: str  # the reason chain, in words
    starts_at: datetime  # the span in the way (the other change's, the blackout's, ours)
    ends_at: datetime
    ticket_id: int | None = None  # the other change
    blocking: bool = False  # a blackout refuses the move to "in progress"


@dataclass(frozen=True)
class _Other:
    ticket_id: int
    number: str
    title: str
    starts_at: datetime
    ends_at: datetime
    implementer_id: int | None
    items: dict[int, str]  # of ours and our neighbours only


@dataclass(frozen=True)
class _Blackout:
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    allow_emergency: bool
    items: tuple[str, ...]  # names of ours it holds; empty: a global one


@dataclass
class _Span:
    """Everything that may conflict with the change anywhere inside [start, end)."""

    items: dict[int, str]  # ours
    neighbours: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # id → [(ours, why)]
    others: list[_Other] = field(default_factory=list)
    blackouts: list[_Blackout] = field(default_factory=list)
    governed: set[int] = field(default_factory=set)  # ours with maintenance windows
    windows: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)


def _when(start: datetime, end: datetime) -> str:
    return f"{absolute(start)}–{absolute(end)}"


def _items(change: Change) -> dict[int, str]:
    return dict(
        AffectedItem.objects.filter(ticket_id=change.pk)
        .order_by("ci__name")
        .values_list("ci_id", "ci__name")
    )


def _neighbours(items: dict[int, str]) -> dict[int, list[tuple[int, str]]]:
    """Items one current relation away from ours, each with the relation in words."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not items:
        return found
    rows = (
        Relation.objects.filter(removed_at__isnull=True)
        .filter(Q(source_id__in=items) | Q(target_id__in=items))
        .values_list("source_id", "source__name", "type", "target_id", "target__name")
    )
    for source_id, source, kind, target_id, target in rows:
        why = f"{source} {RelationType(kind).label} {target}"
        if source_id in items and target_id not in items:
            found[target_id].append((source_id, why))
        if target_id in items and source_id not in items:
            found[source_id].append((target_id, why))
    return found


def _others(change: Change, start: datetime, end: datetime, wanted: set[int]) -> list[_Other]:
    """Active changes overlapping [start, end) that name a wanted item or share the
    implementer: two queries."""
    overlapping = Change.objects.filter(planned_start__lt=end, planned_end__gt=start)
    ids: set[int] = set()
    if wanted:  # by the items' index, then the few changes they name
        ids |= set(
            AffectedItem.objects.filter(
                ci_id__in=wanted, ticket_id__in=overlapping.values("pk")
            ).values_list("ticket_id", flat=True)
        )
    if change.implementer_id:  # by the index change_implementer
        ids |= set(
            overlapping.filter(implementer_id=change.implementer_id).values_list("pk", flat=True)
        )
    ids.discard(change.pk)
    rows = (
        list(
            Change.objects.filter(pk__in=ids, ticket__status_id__in=status_ids(ACTIVE_CATEGORIES))
            .order_by("planned_start", "pk")
            .values_list("pk", "ticket__title", "planned_start", "planned_end", "implementer_id")
        )
        if ids
        else []
    )
    named: dict[int, dict[int, str]] = defaultdict(dict)
    if rows and wanted:
        for ticket_id, ci_id, name in AffectedItem.objects.filter(
            ticket_id__in=[r[0] for r in rows], ci_id__in=wanted
        ).values_list("ticket_id", "ci_id", "ci__name"):
            named[ticket_id][ci_id] = name
    prefix = KIND_PREFIX[Kind.CHANGE]
    return [
        _Other(pk, f"{prefix}-{pk}", title, s, e, implementer, named.get(pk, {}))  # type: ignore[arg-type]  # filtered: not null
        for pk, title, s, e, implementer in rows
    ]


def _blackouts(items: dict[int, str], start: datetime, end: datetime) -> list[_Blackout]:
    through = BlackoutPeriod.items.through
    anywhere = ~Exists(through.objects.filter(blackoutperiod_id=OuterRef("pk")))
    rows = list(
        BlackoutPeriod.objects.filter(starts_at__lt=end, ends_at__gt=start)
        .annotate(everywhere=anywhere)
        .filter(Q(everywhere=True) | Q(items__in=list(items)))
        .distinct()
        .order_by("starts_at", "pk")
        .values_list("pk", "name", "kind", "starts_at", "ends_at", "allow_emergency", "everywhere")
    )
    ours: dict[int, list[str]] = defaultdict(list)
    if items and rows:
        for blackout_id, ci_id in through.objects.filter(
            blackoutperiod_id__in=[r[0] for r in rows], configurationitem_id__in=items
        ).values_list("blackoutperiod_id", "configurationitem_id"):
            ours[blackout_id].append(items[ci_id])
    return [
        _Blackout(name, kind, s, e, allowed, () if everywhere else tuple(sorted(ours[pk])))
        for pk, name, kind, s, e, allowed, everywhere in rows
    ]


def _maintenance(
    items: dict[int, str], start: datetime, end: datetime
) -> tuple[set[int], dict[int, list[tuple[datetime, datetime]]]]:
    """Our items that have maintenance windows at all, and their windows near the span."""
    if not items:
        return set(), {}
    governed = set(
        MaintenanceWindow.objects.filter(ci_id__in=items)
        .order_by()
        .values_list("ci_id", flat=True)
        .distinct()
    )
    windows: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if governed:
        for ci_id, s, e in (
            MaintenanceWindow.objects.filter(
                ci_id__in=governed, ends_at__gt=start, starts_at__lt=end
            )
            .order_by("starts_at")
            .values_list("ci_id", "starts_at", "ends_at")
        ):
            spans = windows[ci_id]
            if spans and s <= spans[-1][1]:  # touching or overlapping: one window
                spans[-1] = (spans[-1][0], max(spans[-1][1], e))
            else:
                spans.append((s, e))
    return governed, windows


def _load(change: Change, start: datetime, end: datetime) -> _Span:
    items = _items(change)
    span = _Span(items=items, neighbours=_neighbours(items))
    span.others = _others(change, start, end, set(items) | set(span.neighbours))
    span.blackouts = _blackouts(items, start, end)
    span.governed, span.windows = _maintenance(items, start, end)
    return span


def _same_or_related(span: _Span, other: _Other) -> list[Conflict]:
    found = []
    when = _when(other.starts_at, other.ends_at)
    for ci_id, name in other.items.items():
        if ci_id in span.items:
            message = _("%(number)s is scheduled %(when)s on %(item)s too.") % {
                "number": other.number,
                "when": when,
                "item": name,
            }
            kind = ConflictKind.SAME_ITEM
        else:
            message = _("%(number)s is scheduled %(when)s on %(item)s: %(why)s.") % {
                "number": other.number,
                "when": when,
                "item": name,
                "why": "; ".join(why for _ours, why in span.neighbours.get(ci_id, [])),
            }
            kind = ConflictKind.RELATED_ITEM
        found.append(Conflict(kind, message, other.starts_at, other.ends_at, other.ticket_id))
    return found


def _outside(span: _Span, start: datetime, end: datetime) -> list[Conflict]:
    found = []
    for ci_id in sorted(span.governed, key=lambda pk: span.items[pk]):
        inside = any(s <= start and end <= e for s, e in span.windows.get(ci_id, []))
        if not inside:
            message = _(
                "%(item)s has maintenance windows and %(when)s is not inside one of them."
            ) % {"item": span.items[ci_id], "when": _when(start, end)}
            found.append(Conflict(ConflictKind.OUTSIDE_MAINTENANCE, message, start, end))
    return found


def _blackout(change: Change, blackout: _Blackout) -> Conflict:
    emergency = change.change_type == ChangeType.EMERGENCY
    values = {
        "name": blackout.name,
        "when": _when(blackout.starts_at, blackout.ends_at),
        "items": ", ".join(blackout.items),
    }
    if blackout.kind == BlackoutKind.FREEZE:
        message = (
            _("Freeze %(name)s (%(when)s) holds %(items)s.") % values
            if blackout.items
            else _("Freeze %(name)s (%(when)s) holds every item.") % values
        )
    else:
        message = (
            _("Blackout %(name)s (%(when)s) holds %(items)s.") % values
            if blackout.items
            else _("Blackout %(name)s (%(when)s) holds every item.") % values
        )
    if emergency and blackout.allow_emergency:
        message += " " + _("Emergency changes are allowed in it.")
    blocking = not (emergency and blackout.allow_emergency)
    return Conflict(
        ConflictKind.BLACKOUT, message, blackout.starts_at, blackout.ends_at, blocking=blocking
    )


def _at(change: Change, span: _Span, start: datetime, end: datetime) -> list[Conflict]:
    """The conflicts of [start, end), settled from a span loaded around it: no query."""
    found: list[Conflict] = []
    for other in span.others:
        if not (other.starts_at < end and other.ends_at > start):
            continue
        found += _same_or_related(span, other)
        if change.implementer_id and other.implementer_id == change.implementer_id:
            message = _("The implementer has %(number)s at %(when)s.") % {
                "number": other.number,
                "when": _when(other.starts_at, other.ends_at),
            }
            found.append(
                Conflict(
                    ConflictKind.IMPLEMENTER_BUSY,
                    message,
                    other.starts_at,
                    other.ends_at,
                    other.ticket_id,
                )
            )
    for blackout in span.blackouts:
        if blackout.starts_at < end and blackout.ends_at > start:
            found.append(_blackout(change, blackout))
    found += _outside(span, start, end)
    return found


def _hide(conflicts: list[Conflict], viewer: User | None) -> list[Conflict]:
    """A change the viewer may not see is named only as "another change"."""
    ids = {c.ticket_id for c in conflicts if c.ticket_id}
    if viewer is None or not ids:
        return conflicts
    visible = set(Ticket.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    shown = []
    for conflict in conflicts:
        if conflict.ticket_id and conflict.ticket_id not in visible:
            message = _("Another change you may not see overlaps this window.")
            conflict = Conflict(
                conflict.kind,
                message,
                conflict.starts_at,
                conflict.ends_at,
                None,
                conflict.blocking,
            )
        shown.append(conflict)
    return list(dict.fromkeys(shown))  # two hidden ones read the same


def check(change: Change, viewer: User | None = None) -> list[Conflict]:
    """The conflicts of the change's planned window; none while it has no window.

    `viewer`: name only the changes that person may see (pages and the API pass it)."""
    start, end = change.planned_start, change.planned_end
    if start is None or end is None:
        return []
    return _hide(_at(change, _load(change, start, end), start, end), viewer)


def _ceil(moment: datetime) -> datetime:
    """Up to the next whole half hour."""
    moment = moment.replace(second=0, microsecond=0)
    extra = moment.minute % 30
    return moment + timedelta(minutes=30 - extra) if extra else moment


def _next_start(
    change: Change, span: _Span, start: datetime, conflicts: list[Conflict]
) -> datetime:
    """Where to try next: past whatever is in the way, else past the next half hour."""
    later = [c.ends_at for c in conflicts if c.kind != ConflictKind.OUTSIDE_MAINTENANCE]
    if any(c.kind == ConflictKind.OUTSIDE_MAINTENANCE for c in conflicts):
        # the next window of an item that has them, after this candidate
        starts = [s for spans in span.windows.values() for s, _e in spans if s > start]
        later.append(min(starts) if starts else start + STEP)
    return max(_ceil(max(later)) if later else start, start + STEP)


def free_slots(
    change: Change,
    count: int = 3,
    horizon_days: int = 14,
    *,
    after: datetime | None = None,
) -> list[tuple[datetime, datetime]]:
    """The next `count` windows of the change's duration (an hour without one) with no
    conflict, from `after` (now), within `horizon_days`, on half hours or where something in
    the way ends. Blackouts an emergency change may ignore are not in the way."""
    duration = DEFAULT_DURATION
    if change.planned_start and change.planned_end:
        duration = change.planned_end - change.planned_start
    begin = _ceil(after or timezone.now())
    horizon = begin + timedelta(days=horizon_days)
    span = _load(change, begin, horizon + duration)
    slots: list[tuple[datetime, datetime]] = []
    start = begin
    for _step in range(MAX_STEPS):
        if len(slots) >= count or start + duration > horizon:
            break
        conflicts = [c for c in _at(change, span, start, start + duration) if _in_way(c)]
        if not conflicts:
            slots.append((start, start + duration))
            start = start + duration
            continue
        start = _next_start(change, span, start, conflicts)
    return slots


def _in_way(conflict: Conflict) -> bool:
    return conflict.kind != ConflictKind.BLACKOUT or conflict.blocking
