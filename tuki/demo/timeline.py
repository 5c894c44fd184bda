"""Backdating for demo data: run service calls now, then move what they wrote into the past.

The services stamp every row with the current time. A Timeline runs a ticket's story step
by step, notes the real clock after each step and the demo time the step stands for, and at
the end rewrites the timestamps of the rows the story wrote (the mail it planned too) with
queryset .update() calls.
Bypassing the services like this is acceptable for demo data only: nothing else in Tuki
may rewrite a ticket's history.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db.models import Case, DateTimeField, F, Value, When
from django.utils import timezone

from tuki.mail.models import OutboundMessage
from tuki.surveys.models import SurveyResponse
from tuki.tickets.models import Attachment, Comment, Ticket, TicketEvent, TicketLink

T = TypeVar("T")
TICKET_STAMPS = ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at")


class Timeline:
    """One story (or one linking step) starting at `start`, never reaching past `now`."""

    def __init__(self, start: datetime, now: datetime, existing: Sequence[int] = ()) -> None:
        # In UTC: adding hours to a zoned time is wall-clock arithmetic, off by an hour
        # across a daylight-saving change.
        self.start = start.astimezone(UTC)
        self.room = max((now - start).total_seconds() / 3600 - 0.02, 0.0)  # hours
        self.offset = 0.0
        self.real_start = timezone.now()
        self.steps: list[tuple[datetime, float]] = []  # (real clock after the step, offset)
        # Tickets that existed before: their last update must not move backwards.
        self.updated_before = dict(
            Ticket.objects.filter(pk__in=existing).values_list("pk", "updated_at")
        )

    def do(self, delay: float, action: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one service call `delay` hours after the previous step."""
        self.offset += max(delay, 0.0)
        result = action(*args, **kwargs)
        self.steps.append((timezone.now(), self.offset))
        return result

    def when(self, offset: float) -> datetime:
        # A story too long for the time left before now is compressed to fit.
        scale = min(1.0, self.room / self.offset) if self.offset > self.room else 1.0
        return self.start + timedelta(hours=offset * scale)

    def demo_time(self, real: datetime) -> datetime:
        """The demo time of a value the services wrote at real time `real`."""
        index = bisect_left([clock for clock, _offset in self.steps], real)
        return self.when(self.steps[min(index, len(self.steps) - 1)][1])

    def finish(self, tickets: Sequence[int]) -> None:
        """Backdate every row the steps wrote for these tickets."""
        if not self.steps:
            return
        moved = Case(
            *[When(created_at__lte=real, then=Value(self.when(off))) for real, off in self.steps],
            default=F("created_at"),
            output_field=DateTimeField(),
        )
        fresh = {"created_at__gt": self.real_start}
        for model in (TicketEvent, Comment, Attachment, OutboundMessage):
            model.objects.filter(ticket_id__in=tickets, **fresh).update(created_at=moved)
        TicketLink.objects.filter(source_id__in=tickets, **fresh).update(created_at=moved)
        asked = Case(
            *[When(sent_at__lte=real, then=Value(self.when(off))) for real, off in self.steps],
            default=F("sent_at"),
            output_field=DateTimeField(),
        )
        SurveyResponse.objects.filter(ticket_id__in=tickets, sent_at__gt=self.real_start).update(
            sent_at=asked
        )
        for row in Ticket.objects.filter(pk__in=tickets).values("pk", *TICKET_STAMPS):
            Ticket.objects.filter(pk=row["pk"]).update(**self._ticket_stamps(row))

    def _ticket_stamps(self, row: dict[str, Any]) -> dict[str, datetime | None]:
        stamps = {
            name: self.demo_time(row[name])
            if row[name] and row[name] > self.real_start
            else row[name]
            for name in TICKET_STAMPS
        }
        before = self.updated_before.get(row["pk"])
        if before and stamps["updated_at"] and before > stamps["updated_at"]:
            stamps["updated_at"] = before
        return stamps
