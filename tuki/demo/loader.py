"""Demo data: a service provider's desk with two client organisations and ~200 tickets.

Everything is created through tuki.tickets.services, so each ticket's timeline, counters and
events are the real ones; only the timestamps are moved back afterwards (timeline.py).
The people are in cast.py, the tickets' stories in stories.py, what people write in
data/texts.py. `random.Random(seed)` makes the data the same on every run.
"""

from __future__ import annotations

import random
from datetime import datetime

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext

from tuki.demo import knowledge, routing, sla, stories
from tuki.demo.cast import build_cast
from tuki.mail.models import OutboundMessage, OutboundStatus
from tuki.tickets.models import Ticket, TicketEvent


def load_demo(seed: int = 2024, now: datetime | None = None) -> dict[str, int] | None:
    """Load the demo into a database without tickets; None if it already holds tickets."""
    if Ticket.objects.exists():
        return None
    rnd = random.Random(seed)
    # The demo's replies and resolutions would otherwise queue ~300 notification emails
    # that the worker then sends the moment the demo starts.
    quiet = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=quiet), transaction.atomic():
        cast = build_cast(rnd)
        moment = now or timezone.now()
        # Before the tickets: their clocks start through the normal ticket events.
        sla.setup_sla(cast.admin, cast.groups, moment)
        with sla.frozen_rules():
            summary = stories.play(cast, rnd, moment)
            # After the backdating, which the clocks know nothing of (see sla.py).
            sla.replay_clocks(list(Ticket.objects.values_list("pk", flat=True)), moment)
        _never_send_demo_mail()
        routing.seed(cast, moment)  # after the stories: today's rules, not history's
        knowledge.seed(cast, moment)  # after the stories: articles name resolved tickets
        summary["events"] = TicketEvent.objects.count()
        return summary


def _never_send_demo_mail() -> None:
    """The demo's planned notifications stay unsent: their addresses are made up."""
    OutboundMessage.objects.filter(status=OutboundStatus.PENDING).update(
        status=OutboundStatus.SKIPPED, reason=gettext("Demo data: never sent.")
    )
