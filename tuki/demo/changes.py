"""The demo's change calendar: the stories' changes get their windows, a year-end release
freeze is planned, and the change still waiting to go out travels in a release
(docs/changes.md, docs/change-calendar.md, docs/releases.md).

Run after the stories (they make the changes) and the configuration database. A change that
was implemented gets a window around the moment it went "In progress"; one still scheduled
or waiting for its board gets an evening window in the coming days. The window events are
dated when the change was registered, as if planned then.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from tuki.changes import scheduling
from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change
from tuki.demo.cast import Cast
from tuki.releases import services as releases
from tuki.releases.models import Release, Stage
from tuki.tickets.models import TicketEvent

WINDOW_FIELDS = ("planned_start", "planned_end", "implementer")


def seed(cast: Cast, now: datetime) -> dict[str, int]:
    rnd = random.Random(17)
    windows = _windows(cast, rnd, now)
    freezes = _freeze(cast, now)
    release = _release(cast)
    return {"windows": windows, "freezes": freezes, "releases": release}


def _windows(cast: Cast, rnd: random.Random, now: datetime) -> int:
    planned = 0
    changes = Change.objects.select_related("ticket", "ticket__status", "ticket__assignee")
    for change in changes.order_by("pk"):
        ticket = change.ticket
        if change.planned_start is not None or ticket.status.key == "cancelled":
            continue
        started = (
            TicketEvent.objects.filter(ticket=ticket, field="status", new_value="In progress")
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if started is not None:
            start = started.replace(minute=0, second=0, microsecond=0)
        elif ticket.status.is_active:
            day = (now + timedelta(days=rnd.randint(2, 9))).astimezone(UTC)
            start = day.replace(hour=18, minute=0, second=0, microsecond=0)
        else:
            continue
        before = timezone.now()
        scheduling.set_window(
            ticket.assignee or cast.admin,  # who planned it
            change,
            start=start,
            end=start + timedelta(hours=rnd.choice((1, 2, 3))),
            implementer=ticket.assignee,
        )
        # Planned when the change was registered, not now.
        TicketEvent.objects.filter(
            ticket=ticket, field__in=WINDOW_FIELDS, created_at__gte=before
        ).update(created_at=ticket.created_at + timedelta(minutes=30))
        planned += 1
    return planned


def _freeze(cast: Cast, now: datetime) -> int:
    year = now.year if now.month == 12 else now.year - 1
    name = f"Year-end freeze {year}"
    if BlackoutPeriod.objects.filter(name=name).exists():
        return 0
    releases.create_freeze(
        cast.admin,
        name=name,
        starts_at=datetime(year, 12, 21, tzinfo=UTC),
        ends_at=datetime(year + 1, 1, 4, tzinfo=UTC),
        reason="Closing the books: only emergency fixes until the new year.",
        allow_emergency=True,
    )
    return 1 if BlackoutPeriod.objects.filter(kind=BlackoutKind.FREEZE).exists() else 0


def _release(cast: Cast) -> int:
    waiting = (
        Change.objects.filter(ticket__status__key__in=("scheduled", "awaiting_approval"))
        .exclude(planned_start=None)
        .select_related("ticket")
        .order_by("planned_start")
    )
    change = waiting.first()
    if change is None or Release.objects.exists():
        return 0
    release = releases.create_release(
        cast.admin,
        title="Quarterly platform release",
        version="2026.4",
        planned_start=change.planned_start,
        planned_end=change.planned_end,
        description="The fixes of the quarter's problems, deployed together.",
        group=change.ticket.group,
    )
    releases.add_change(cast.admin, release, change.ticket.number)
    releases.move_stage(cast.admin, release, Stage.TEST)
    return 1
