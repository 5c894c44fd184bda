"""Impact analysis: what a failure reaches, and what a service depends on (docs/cmdb.md).

Impact flows from what is needed to what needs it:

- `A runs_on B`, `A depends_on B`: B's failure reaches A;
- `M member_of C` (C of a redundant class, a cluster): M's failure degrades C, and C stops
  only when fewer than C's quorum (empty: one) of its operational members still run;
- `connected_to` is drawn but carries no impact.

One recursive query finds every item the failure could reach (a superset: it walks past
clusters and maintenance as if nothing held); a second reads the members of the clusters
reached and the maintenance windows open now. The states are then settled in Python over
that small subgraph, to a fixed point: an item is down when something it runs on or depends
on is down; degraded when what it needs is only degraded (a cluster that lost members but
kept its quorum, or what runs on it); a reached item inside a maintenance window is
reported as such and not walked past (its work is already planned to stop).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tuki.accounts.models import Organisation
from tuki.cmdb.models import (
    SERVICE_LAYERS,
    AffectedItem,
    ConfigurationItem,
    Lifecycle,
    MaintenanceWindow,
    Relation,
    RelationType,
)
from tuki.sla.models import Agreement
from tuki.tickets.choices import ACTIVE_CATEGORIES

if TYPE_CHECKING:
    from tuki.tickets.models import Ticket

DOWN = "down"
DEGRADED = "degraded"
MAINTENANCE = "maintenance"
_RANK = {None: 0, DEGRADED: 1, DOWN: 2}
HARD = (RelationType.RUNS_ON.value, RelationType.DEPENDS_ON.value)
MEMBER = RelationType.MEMBER_OF.value


@dataclass(frozen=True)
class Reached:
    """An item the failure reaches: its state, how many steps away, and through which item."""

    ci_id: int
    state: str
    depth: int
    via: int | None


@dataclass
class Impact:
    failed: frozenset[int]
    items: dict[int, Reached] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    _loaded: dict[int, ConfigurationItem] | None = None

    def _ids(self, state: str) -> set[int]:
        return {pk for pk, r in self.items.items() if r.state == state}

    def down_ids(self) -> set[int]:
        return self._ids(DOWN)

    def degraded_ids(self) -> set[int]:
        return self._ids(DEGRADED)

    def maintenance_ids(self) -> set[int]:
        return self._ids(MAINTENANCE)

    def load(self) -> dict[int, ConfigurationItem]:
        """Every reached item (and the failing ones), with its class: one query."""
        if self._loaded is None:
            ids = set(self.items) | set(self.failed)
            self._loaded = ConfigurationItem.objects.select_related("ci_class").in_bulk(ids)
        return self._loaded

    def services(self) -> list[ConfigurationItem]:
        """The reached services (down or degraded), business services first."""
        order = {str(layer): i for i, layer in enumerate(SERVICE_LAYERS)}
        loaded = self.load()
        found = [
            loaded[pk]
            for pk, r in self.items.items()
            if r.state in (DOWN, DEGRADED) and pk in loaded and loaded[pk].ci_class.layer in order
        ]
        return sorted(found, key=lambda ci: (order[ci.ci_class.layer], ci.name))


def _table(model: type) -> str:
    return connection.ops.quote_name(model._meta.db_table)  # type: ignore[attr-defined]


def _closure(start: list[int], *, upward: bool) -> list[tuple[int, int, str]]:
    """The edges (from, to, type) of the current relations reachable from `start`.

    Upward (impact): from what is needed to what needs it. Downward (dependencies): from what
    needs to what is needed. Only the impact-carrying types. The recursion keeps ids only,
    and UNION drops an id already found, so a cycle ends the walk.

    Each step must look up the relations of the ids just found through the partial indexes
    (`cmdb_relation_in`, `cmdb_relation_out`), never read the whole table: PostgreSQL cannot
    guess how many rows a recursive query finds, and given a join to the edges it hashes all
    of them at every step (1.7 s at 500,000 relations). A LATERAL subquery there is a
    nested loop of index scans. SQLite has no LATERAL but walks one id at a time and takes
    two recursive SELECTs (one per direction of edge), each an index lookup.
    """
    if not start:
        return []
    rel = _table(Relation)
    hard = ", ".join(["%s"] * len(HARD))
    # `near` is the column matched against the id in hand, `far` the id it leads to.
    near, far = ("target_id", "source_id") if upward else ("source_id", "target_id")
    seeds = ", ".join(["%s"] * len(start))
    anchor = f"SELECT id FROM {_table(ConfigurationItem)} WHERE id IN ({seeds})"
    steps = (
        (f"{near}", f"{far}", f"type IN ({hard})", list(HARD)),  # what needs it / what it needs
        (f"{far}", f"{near}", "type = %s", [MEMBER]),  # member → cluster, or cluster → member
    )
    params: list[int | str] = list(start)
    if connection.vendor == "postgresql":
        lateral = " UNION ALL ".join(
            f"SELECT {to} AS b, type FROM {rel} WHERE {at} = r.id AND removed_at IS NULL AND {cond}"
            for at, to, cond, _ in steps
        )
        step_params = [p for *_, ps in steps for p in ps]
        sql = (
            f"WITH RECURSIVE reach(id) AS ({anchor} UNION"
            f" SELECT e.b FROM reach r, LATERAL ({lateral}) e)"
            f" SELECT r.id, e.b, e.type FROM reach r, LATERAL ({lateral}) e"
        )
        params += step_params + step_params
    else:
        recursive = " UNION ".join(
            f"SELECT x.{to} FROM reach JOIN {rel} x ON x.{at} = reach.id"
            f" WHERE x.removed_at IS NULL AND x.{cond}"
            for at, to, cond, _ in steps
        )
        final = " UNION ALL ".join(
            f"SELECT x.{at}, x.{to}, x.type FROM reach JOIN {rel} x ON x.{at} = reach.id"
            f" WHERE x.removed_at IS NULL AND x.{cond}"
            for at, to, cond, _ in steps
        )
        sql = f"WITH RECURSIVE reach(id) AS ({anchor} UNION {recursive}) {final}"
        step_params = [p for *_, ps in steps for p in ps]
        params += step_params + step_params
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(a), int(b), str(t)) for a, b, t in cursor.fetchall()]


def _maintenance(ids: Iterable[int], at: datetime) -> set[int]:
    ids = list(ids)
    if not ids:
        return set()
    return set(
        MaintenanceWindow.objects.filter(
            ci_id__in=ids, starts_at__lte=at, ends_at__gt=at
        ).values_list("ci_id", flat=True)
    )


def analyse(failed_ids: Iterable[int], *, at: datetime | None = None) -> Impact:
    """What the failure of these items reaches now (or at `at`)."""
    at = at or timezone.now()
    failed = frozenset(int(pk) for pk in failed_ids)
    result = Impact(failed=failed)
    edges = _closure(sorted(failed), upward=True)
    if not edges:
        return result
    needs: dict[int, list[int]] = {}  # item → what it runs on / depends on (reached part)
    clusters: set[int] = set()
    onward: dict[int, list[int]] = {}
    for a, b, kind in edges:
        onward.setdefault(a, []).append(b)
        if kind == MEMBER:
            clusters.add(b)
        else:
            needs.setdefault(b, []).append(a)
    # Every operational member of each cluster reached, and each cluster's quorum.
    members: dict[int, set[int]] = {c: set() for c in clusters}
    quorum: dict[int, int] = {}
    if clusters:
        for source_id, target_id in Relation.objects.filter(
            target_id__in=clusters,
            type=MEMBER,
            removed_at__isnull=True,
            source__lifecycle=Lifecycle.OPERATIONAL,
        ).values_list("source_id", "target_id"):
            members[target_id].add(source_id)
        quorum = {
            pk: q or 1
            for pk, q in ConfigurationItem.objects.filter(pk__in=clusters).values_list(
                "pk", "quorum"
            )
        }
    nodes = {b for _, b, _ in edges} - failed
    in_maintenance = _maintenance(nodes | set().union(*members.values()) if members else nodes, at)

    state: dict[int, str | None] = {pk: DOWN for pk in failed}
    via: dict[int, int | None] = {}

    def settle(pk: int) -> tuple[str | None, int | None]:
        best: str | None = None
        cause: int | None = None
        for dep in needs.get(pk, ()):
            s = state.get(dep)
            if s == MAINTENANCE:
                continue
            if _RANK[s] > _RANK[best]:
                best, cause = s, dep
        if pk in clusters:
            all_members = members[pk]
            lost = {m for m in all_members if state.get(m) == DOWN}
            if lost:
                stopped = lost | (all_members & in_maintenance)
                running = len(all_members - stopped)
                verdict = DOWN if running < quorum[pk] else DEGRADED
                if _RANK[verdict] > _RANK[best]:
                    best, cause = verdict, min(lost)
            else:
                degraded = {m for m in all_members if state.get(m) == DEGRADED}
                if degraded and best is None:
                    best, cause = DEGRADED, min(degraded)
        return best, cause

    # States only rise (none → degraded → down), so this settles; a node is looked at again
    # when something it needs changed.
    queue = deque(sorted(nodes))
    queued = set(queue)
    while queue:
        pk = queue.popleft()
        queued.discard(pk)
        new, cause = settle(pk)
        if new is None:
            continue
        if pk in in_maintenance:
            if state.get(pk) != MAINTENANCE:
                state[pk], via[pk] = MAINTENANCE, cause
            continue  # not walked past
        if _RANK[new] > _RANK[state.get(pk)]:
            state[pk], via[pk] = new, cause
            for nxt in onward.get(pk, ()):
                if nxt not in failed and nxt not in queued:
                    queue.append(nxt)
                    queued.add(nxt)
    # Depth: steps from the failing items through reached ones.
    depth: dict[int, int] = {pk: 0 for pk in failed}
    frontier = deque(sorted(failed))
    while frontier:
        pk = frontier.popleft()
        if state.get(pk) == MAINTENANCE:
            continue
        for nxt in onward.get(pk, ()):
            if nxt in state and nxt not in depth:
                depth[nxt] = depth[pk] + 1
                frontier.append(nxt)
    for pk, s in state.items():
        if pk in failed or s is None:
            continue
        result.items[pk] = Reached(pk, s, depth.get(pk, 0), via.get(pk))
    _behind(result)
    return result


def _behind(result: Impact) -> None:
    """The agreements and clients behind the business services reached (and the items' own
    organisations)."""
    hit = set(result.down_ids()) | set(result.degraded_ids())
    if not hit:
        return
    rows = list(
        ConfigurationItem.objects.filter(pk__in=hit).values_list("service_id", "organisation_id")
    )
    services = {s for s, _ in rows if s}
    organisations = {o for _, o in rows if o}
    agreements: list[Agreement] = []
    if services:
        today = timezone.localdate()
        agreements = list(
            Agreement.objects.filter(is_active=True, valid_from__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .filter(Q(services__in=services) | Q(services__isnull=True))
            .select_related("organisation")
            .distinct()
            .order_by("organisation__name", "name")
        )
        organisations |= {a.organisation_id for a in agreements}
    result.agreements = agreements
    result.organisations = list(Organisation.objects.filter(pk__in=organisations).order_by("name"))


def dependencies(ci_id: int) -> dict[int, int]:
    """What this item or service needs, transitively: item id → steps away."""
    return _steps(ci_id, upward=False)


def dependants(ci_id: int) -> dict[int, int]:
    """What needs this item, transitively (a superset of what its failure stops: clusters
    and maintenance are not weighed): item id → steps away."""
    return _steps(ci_id, upward=True)


def _steps(ci_id: int, *, upward: bool) -> dict[int, int]:
    edges = _closure([int(ci_id)], upward=upward)
    onward: dict[int, list[int]] = {}
    for a, b, _ in edges:
        onward.setdefault(a, []).append(b)
    depth = {int(ci_id): 0}
    frontier = deque([int(ci_id)])
    while frontier:
        pk = frontier.popleft()
        for nxt in onward.get(pk, ()):
            if nxt not in depth:
                depth[nxt] = depth[pk] + 1
                frontier.append(nxt)
    depth.pop(int(ci_id))
    return depth


@dataclass
class TicketImpact:
    impact: Impact
    other_tickets: list[int]  # ids of other open tickets naming a reached or failing item


def for_ticket(ticket: Ticket) -> TicketImpact:
    """The impact of the items a ticket names, and the other open tickets naming what it reaches.

    The ticket ids are not filtered by who reads them: the caller shows only those the reader
    may see (Ticket.objects.visible_to)."""
    named = list(AffectedItem.objects.filter(ticket=ticket).values_list("ci_id", flat=True))
    impact = analyse(named)
    reached = set(impact.items) | set(impact.failed)
    others = (
        list(
            AffectedItem.objects.filter(
                ci_id__in=reached, ticket__status__category__in=ACTIVE_CATEGORIES
            )
            .exclude(ticket=ticket)
            .values_list("ticket_id", flat=True)
            .distinct()
        )
        if reached
        else []
    )
    return TicketImpact(impact, sorted(others))
