"""A large, realistic desk for the benchmark suite, written with bulk inserts (COPY on PostgreSQL).

Two years of tickets of every kind with their replies, notes, events and attachment rows,
for a service provider: 40 client organisations, six offices, a central service desk and
second-line groups per service and office. The rates and durations come from the real
incident log of an IT company (tuki/demo/data/uci_profile.json, see derive_uci.py):
impact × urgency, channel, reassignments per incident, time to resolve, reopen rate and the
share of tickets that waited for the user.

Rows are written a chunk of tickets at a time, each chunk in one transaction, without the
services: the point is to load a million tickets in minutes. What the services would have
derived is written too (events, counters, timestamps); SLA clocks are started afterwards by
the SLA engine itself for the tickets still open. Nothing here runs outside the benchmark's
own database.
"""

from __future__ import annotations

import bisect
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from tuki.bench.rows import Table
from tuki.bench.world import KIND_MIX, PROBLEMS, THINGS, WORDS, Sizes, World, build_world
from tuki.demo.data.profile import PROFILE, RESOLUTION_CUTS, WAIT_RATE
from tuki.tickets.models import (
    Attachment,
    Comment,
    Ticket,
    TicketEvent,
)


def weighted(rng: random.Random, mix: dict[Any, float]) -> Callable[[], Any]:
    keys = list(mix)
    cumulative = []
    total = 0.0
    for key in keys:
        total += mix[key]
        cumulative.append(total)

    def pick() -> Any:
        return keys[bisect.bisect_left(cumulative, rng.random() * total)]

    return pick


def resolution_hours(rng: random.Random) -> float:
    """A draw from the log's distribution of time to resolve (between its vigintiles)."""
    i = rng.randrange(len(RESOLUTION_CUTS) - 1)
    low, high = RESOLUTION_CUTS[i], RESOLUTION_CUTS[i + 1]
    return rng.uniform(low, high)


@dataclass
class Loaded:
    tickets: int = 0
    comments: int = 0
    events: int = 0
    attachments: int = 0
    seconds: float = 0.0
    rich_ids: list[int] = field(default_factory=list)
    open_ids: list[int] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.tickets + self.comments + self.events + self.attachments


def load(
    tickets: int,
    *,
    seed: int = 7,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> Loaded:
    """Add `tickets` tickets (and their conversation and history) to the current database."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or timezone.now()
    sizes = Sizes(tickets)
    world = build_world(sizes, rng)
    first_id = (Ticket.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
    generator = Generator(world, rng, now, sizes, first_id)
    loaded = Loaded()
    done = 0
    while done < tickets:
        count = min(sizes.chunk, tickets - done)
        with transaction.atomic():
            _skip_constraint_triggers()
            generator.chunk(count, loaded)
        done += count
        if progress:
            rate = done / (time.perf_counter() - started)
            progress(f"{done:,} tickets ({rate:,.0f}/s)")
    _reset_sequences()
    loaded.seconds = time.perf_counter() - started
    return loaded


def _skip_constraint_triggers() -> None:
    """On PostgreSQL, as a superuser: no foreign-key trigger per row for this transaction.

    The generator only writes ids it has just written or read, so the checks would find
    nothing; they would cost a lookup per reference, most of the load's time. Without the
    privilege the checks simply run.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows explicit ids by itself
    sql = connection.ops.sequence_reset_sql(no_style(), [Ticket, Comment, TicketEvent, Attachment])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


class Generator:
    def __init__(
        self, world: World, rng: random.Random, now: datetime, sizes: Sizes, first_id: int
    ):
        self.world, self.rng, self.now, self.sizes = world, rng, now, sizes
        self.next_ticket = first_id
        self.next_comment = (Comment.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.next_event = (TicketEvent.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.next_attachment = (Attachment.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.kind = weighted(rng, KIND_MIX)
        self.impact_urgency = weighted(rng, PROFILE["impact_urgency"])
        self.channel = weighted(rng, _channel_mix())
        self.reassignments = weighted(rng, {int(k): v for k, v in PROFILE["reassignments"].items()})
        self.span = timedelta(days=730)
        # Bodies and descriptions drawn from pools made once: fresh random text per row
        # would be most of the generator's time and tell the database nothing more.
        self.bodies = [
            " ".join(rng.sample(WORDS, rng.randrange(8, 30))).capitalize() + "." for _ in range(997)
        ]
        self.descriptions = [" ".join(rng.sample(WORDS, 18)).capitalize() + "." for _ in range(991)]
        self.titles = [
            f"{a.capitalize()}: {p} {b}" for a in THINGS for p in PROBLEMS for b in THINGS if a != b
        ]
        self.matrix = {(1, 1): 1, (1, 2): 2, (1, 3): 3, (2, 1): 2, (2, 2): 3, (2, 3): 4}
        self.matrix.update({(3, 1): 3, (3, 2): 4, (3, 3): 5})

    def chunk(self, count: int, loaded: Loaded) -> None:
        tickets = Table(
            Ticket,
            [
                "id", "kind", "title", "description", "status", "impact", "urgency",
                "priority", "category", "channel", "requester", "organisation", "location",
                "owner_group", "owner", "group", "assignee", "created_by", "created_at",
                "updated_at", "first_response_at", "resolved_at", "closed_at",
                "reopen_count", "reassignment_count", "resolution_code",
            ],
        )  # fmt: skip
        comments = Table(
            Comment, ["id", "ticket", "author", "body", "is_internal", "channel", "created_at"]
        )
        events = Table(
            TicketEvent,
            [
                "id", "ticket", "actor", "actor_kind", "action", "field", "old_value",
                "new_value", "comment", "created_at",
            ],
        )  # fmt: skip
        attachments = Table(
            Attachment,
            [
                "id", "ticket", "file", "filename", "content_type", "size", "sha256",
                "is_internal", "uploaded_by", "created_at",
            ],
        )  # fmt: skip
        tags = Table(Ticket.tags.through, ["ticket", "tag"])
        for _ in range(count):
            self.ticket(tickets, comments, events, attachments, tags, loaded)
        for table in (tickets, comments, events, attachments, tags):
            table.flush()
        loaded.tickets += tickets.written
        loaded.comments += comments.written
        loaded.events += events.written
        loaded.attachments += attachments.written

    def ticket(
        self,
        tickets: Table,
        comments: Table,
        events: Table,
        attachments: Table,
        tags: Table,
        loaded: Loaded,
    ) -> None:
        rng, world, now = self.rng, self.world, self.now
        tid = self.next_ticket
        self.next_ticket += 1
        rich = tid % self.sizes.rich_every == 0
        kind = self.kind()
        pair = self.impact_urgency()
        impact, urgency = int(pair[0]), int(pair[1])
        created = now - self.span * (1 - rng.random() ** 1.15)  # a little busier lately
        requester, organisation, location = rng.choice(world.requesters)
        moves = self.reassignments() if kind in ("incident", "request") else 1
        group = world.desk.pk
        assignee = rng.choice(world.desk_agents)
        if moves:
            local = world.groups_by_location.get(location) or [g.pk for g in world.groups]
            group = rng.choice(local)
            assignee = rng.choice(world.members[group])
        hours = resolution_hours(rng) * (4 if kind in ("problem", "change", "release") else 1)
        resolved = created + timedelta(hours=hours)
        waited = rng.random() < WAIT_RATE
        reopened = rng.random() < PROFILE["reopened"]
        if rich and resolved < now:
            resolved = now + timedelta(hours=4)  # rich tickets stay open: the agents' view
        active = resolved >= now
        t = created
        timeline: list[tuple[str, datetime, dict[str, Any]]] = [("created", t, {})]
        step = max(timedelta(minutes=2), (min(resolved, now) - created) / 12)
        t += step / 3
        timeline.append(("assigned", t, {}))
        for i in range(moves):
            t += step / 2
            timeline.append(("escalated", t, {"i": i}))
        t += step / 2
        timeline.append(("reply", t, {}))
        first_response = t
        notes = moves + rng.randrange(0, 3)
        for _ in range(notes):
            t += step / 3
            timeline.append(("note", t, {}))
        if waited:
            t += step / 2
            timeline.append(("status", t, {"to": "pending_customer"}))
            t += step
            timeline.append(("reply_requester", t, {}))
            timeline.append(("status", t, {"to": "in_progress"}))
        if rich:
            while len(timeline) < 30:
                t += step / 10
                timeline.append(("note" if len(timeline) % 2 else "reply", t, {}))
        if active:
            status = "pending_customer" if waited and rng.random() < 0.5 else "in_progress"
            if rich:
                status = "in_progress"
            elif created > now - timedelta(hours=1):
                status = "new" if not moves else "assigned"
            resolved_at = closed_at = None
            loaded.open_ids.append(tid)
            if rich:
                loaded.rich_ids.append(tid)
        else:
            timeline.append(("resolution", resolved, {}))
            resolved_at = resolved
            closed_at = resolved + timedelta(days=3)
            if reopened:
                timeline.append(("status", resolved + timedelta(hours=5), {"to": "in_progress"}))
                resolved_at = resolved + timedelta(hours=30)
                closed_at = resolved_at + timedelta(days=3)
                timeline.append(("resolution", resolved_at, {}))
            status = "closed" if closed_at < now else "resolved"
            if status == "closed":
                timeline.append(("status", closed_at, {"to": "closed"}))
            else:
                closed_at = None
        timeline = [entry for entry in timeline if entry[1] <= now]
        updated = max(entry[1] for entry in timeline)
        title = self.titles[tid * 7919 % len(self.titles)]
        description = self.descriptions[tid % len(self.descriptions)]
        tickets.add(
            tid, kind, title, description, world.status[status], impact, urgency,
            self.matrix[(impact, urgency)], rng.choice(world.categories), self.channel(),
            requester, organisation, location, world.desk.pk, rng.choice(world.desk_agents),
            group, assignee, None, created, updated, first_response if first_response <= now
            else None, resolved_at, closed_at, 1 if reopened and not active else 0, moves,
            "" if active else "solved",
        )  # fmt: skip
        previous_status = "new"
        for action, at, extra in timeline:
            eid = self.next_event
            self.next_event += 1
            actor = assignee
            field_name = old = new = ""
            comment_id = None
            if action in ("reply", "note", "reply_requester"):
                cid = self.next_comment
                self.next_comment += 1
                internal = action == "note"
                author = requester if action == "reply_requester" else assignee
                body = self.bodies[cid % len(self.bodies)]
                comments.add(cid, tid, author, body, internal, "web", at)
                comment_id, actor = cid, author
                action = "reply" if action == "reply_requester" else action
            elif action == "status":
                field_name, old, new = "status", previous_status, extra["to"]
                previous_status = extra["to"]
            elif action == "escalated":
                field_name, old, new = "group", "Service Desk", "second line"
            elif action == "assigned":
                field_name, new = "assignee", "agent"
            events.add(eid, tid, actor, "user", action, field_name, old, new, comment_id, at)
        if rng.random() < 0.08 or rich:
            aid = self.next_attachment
            self.next_attachment += 1
            attachments.add(
                aid, tid, f"bench/{tid}.png", "screenshot.png", "image/png",
                rng.randrange(20_000, 900_000), "", False, requester, created,
            )  # fmt: skip
        if rng.random() < 0.15:
            tags.add(tid, rng.choice(world.tags))


def _channel_mix() -> dict[str, float]:
    """The log's desk took nearly every call by phone; a portal-era desk mixes more."""
    mix = dict(PROFILE["channel"])
    blended = {key: 0.5 * share for key, share in mix.items()}
    for key, share in {"email": 0.25, "web": 0.2, "phone": 0.05}.items():
        blended[key] = blended.get(key, 0) + share
    return blended


def analyse() -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL plans by them)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vacuum() -> None:
    """Leave the data as a running server's autovacuum would keep it, then fresh statistics.

    On PostgreSQL a bulk load leaves no visibility map (so no index-only scans) and the
    full-text GIN index's pending list unmerged (every search scans it); autovacuum would
    clear both within minutes, but a server may run with it off, so the load does it itself.
    """
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")


def describe(loaded: Loaded) -> dict[str, Any]:
    return {
        "tickets": loaded.tickets,
        "comments": loaded.comments,
        "events": loaded.events,
        "attachments": loaded.attachments,
        "seconds": round(loaded.seconds, 1),
        "rows_per_second": round(loaded.rows / loaded.seconds) if loaded.seconds else 0,
    }
