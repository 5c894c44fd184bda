"""Demo data: a service provider's desk with two client organisations and ~200 tickets.

Everything is created through tuki.tickets.services, so each ticket's timeline, counters and
events are the real ones; only the timestamps are moved back afterwards (timeline.py).
The people are in cast.py, the tickets' stories in stories.py, what people write in
data/texts.py; service levels in sla.py, routing in routing.py, the knowledge base in
knowledge.py, the configuration database in cmdb.py, rules, macros, approvals and webhooks in workflows.py. `random.Random(seed)`
makes the data the same on every run.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings
from django.utils import timezone

from tuki.demo import (
    catalogue,
    changes,
    chat,
    cmdb,
    knowledge,
    operations,
    routing,
    scripts,
    sla,
    stories,
    surveys,
    workflows,
)
from tuki.demo.cast import Cast, build_cast
from tuki.mail.models import OutboundMessage, OutboundStatus
from tuki.reports import facts
from tuki.search import documents
from tuki.tickets.models import Ticket, TicketEvent


def load_demo(
    seed: int = 2024, now: datetime | None = None, progress: Callable[[str], None] | None = None
) -> dict[str, int] | None:
    """Load the demo into a database without tickets; None if it already holds tickets.

    `progress` hears a line per stage (and per few tickets while they load)."""
    if Ticket.objects.exists():
        return None
    say = progress or _silent
    rnd = random.Random(seed)
    # The demo's history queues its follow-up work as it happens, and the dummy backend
    # drops all of it: ~700 notification emails the worker would send the moment the demo
    # starts, routing decided by the stories already, mail recorded as sent
    # (_mail_was_sent). What the present needs is redone below instead: the search index
    # (its tasks were dropped with the rest) and the SLA timers still ahead, which the
    # workers' periodic catch-up (sla.fire_due_timers, tuki/lib/periodic.py) fires when due.
    quiet = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=quiet):
        with transaction.atomic():
            cast, summary = _history(rnd, now or timezone.now(), say)
        # Automation rules act on the events of the transactions that commit after they
        # exist: made before the history committed, they would all answer two months of
        # tickets at once. So they come in a transaction of their own, afterwards.
        with transaction.atomic():
            tools = workflows.seed(cast)
        say(
            f"Automation: {tools['rules']} rules, {tools['macros']} macros, "
            f"{tools['approval_templates']} approval template, {tools['webhooks']} webhook"
        )
    answers = surveys.answer_some(random.Random(seed + 1), now or timezone.now())
    say(f"Satisfaction: {answers} surveys answered")
    say(f"Search index: {documents.rebuild(documents.TICKET)} tickets")
    say(f"Report figures: {facts.rebuild()} tickets")  # their tasks were dropped too
    return summary


def _history(
    rnd: random.Random, moment: datetime, say: Callable[[str], None]
) -> tuple[Cast, dict[str, int]]:
    """People, service levels, two months of tickets, routing and the knowledge base."""
    cast = build_cast(rnd)
    say(
        f"People: {len(cast.people)} in {len(cast.groups)} groups, "
        f"{len(cast.requesters)} of them requesters at {len(cast.locations)} offices"
    )
    # Before the tickets: their clocks start through the normal ticket events.
    sla.setup_sla(cast.admin, cast.groups, moment)
    say("Service levels: office calendars, a policy and an agreement per client")
    with sla.frozen_rules():
        summary = stories.play(cast, rnd, moment, say)
        # After the backdating, which the clocks know nothing of (see sla.py).
        sla.replay_clocks(list(Ticket.objects.values_list("pk", flat=True)), moment, say)
    say(f"Mail history: {_mail_was_sent()} emails to requesters, marked as sent")
    routing.seed(cast, moment)  # after the stories: today's rules, not history's
    say("Routing: office rules, automatic assignment, one agent away")
    articles = knowledge.seed(cast, moment)  # after the stories: they name resolved tickets
    say(f"Knowledge base: {articles['articles']} articles")
    say(f"Service catalogue: {catalogue.seed(cast)['items']} items")
    configuration = cmdb.seed(cast, moment)  # after the stories: incidents name its items
    say(
        f"Configuration database: {configuration['items']} items, "
        f"{configuration['relations']} relations, {configuration['incidents']} incidents naming them"
    )
    say("Guided scripts: {scripts} published, {runs} runs".format(**scripts.seed(cast, moment)))
    say(
        "Live chat: {conversations} conversations saved as tickets".format(
            **chat.seed(cast, moment)
        )
    )
    ops = operations.seed(cast, moment)  # after the CMDB: alerts and metrics name its items
    say(
        f"IT operations: {ops['outages']} outages, {ops['alerts']} alerts received, "
        f"{ops['samples']} capacity samples"
    )
    planned = changes.seed(cast, moment)  # after the stories: they made the changes
    _mail_was_sent()  # the release's acknowledgement to its requester, as the history's
    say(
        f"Change calendar: {planned['windows']} change windows, {planned['freezes']} release "
        f"freeze, {planned['releases']} release"
    )
    summary["events"] = TicketEvent.objects.count()
    return cast, summary


def _silent(line: str) -> None:
    """No progress wanted."""


def _mail_was_sent() -> int:
    """The demo's history happened: its emails went out when their events did.

    Nothing is sent now (the addresses are made up): the mail the stories planned is
    recorded as sent at the moment it was planned (the timeline backdated that), as the
    worker would have done, so the ticket page shows "emailed" on the replies. The ones
    the mail app held back only because the whole history was played within minutes
    (too many acknowledgements to one address in an hour) went out too.
    """
    planned = OutboundMessage.objects.filter(
        status__in=(OutboundStatus.PENDING, OutboundStatus.SKIPPED)
    )
    return planned.update(
        status=OutboundStatus.SENT,
        sent_at=F("created_at"),
        attempts=1,
        reason="",
        next_attempt_at=None,
    )
