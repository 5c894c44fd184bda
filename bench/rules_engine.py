"""Automation rules: ticket events processed per second with 100 active rules.

Builds its own data in a throwaway database (a temporary SQLite file, or a scratch
PostgreSQL database when TUKI_DATABASE_URL names a server), never the configured one:
TUKI_BENCH_RULES_TICKETS open incidents (default 200), 100 active event rules of the kinds admins write (priority, category,
group, tags, text, requester's organisation, "changed to" tests in all/any groups; most do
not match a given event, a few act: a tag, a note) and 5 scheduled rules (pending
reminders), so every pass also plans or cancels scheduled runs.

- engine pass: `engine.run_pass` on one recorded event, the rules' whole evaluation and the
  actions of those that match; what the receiver does after each service call's commit;
- end to end: `update_ticket` (urgency up or down: two events, urgency and priority) with its
  commit, the rules' pass and every other app's receivers; counted in ticket events;
- the same service calls with every rule switched off, for the engine's share.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from tuki.bench.database import throwaway_database

RULES = 100
TICKETS = int(os.environ.get("TUKI_BENCH_RULES_TICKETS", "200"))


def _rule_data(n: int, ids: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One of a few shapes of rule, with values that rarely all hold for one event."""
    shape = n % 6
    items: list[dict[str, Any]]
    if shape == 0:
        items = [
            {"field": "priority", "op": "eq", "value": rng.choice([1, 2])},
            {"field": "category", "op": "eq", "value": rng.choice(ids["categories"])},
        ]
    elif shape == 1:
        items = [
            {"field": "urgency", "op": "changed_to", "value": 1},
            {"field": "group", "op": "in", "value": ids["groups"][:2]},
        ]
    elif shape == 2:
        items = [
            {"field": "text", "op": "contains", "value": f"keyword{n}"},
            {"field": "requester.organisation", "op": "eq", "value": ids["organisation"]},
        ]
    elif shape == 3:
        items = [
            {
                "match": "any",
                "items": [
                    {"field": "tags", "op": "contains", "value": f"tag{n}"},
                    {"field": "title", "op": "starts_with", "value": f"Rule {n}"},
                ],
            },
            {"field": "status_category", "op": "in", "value": ["new", "open"]},
        ]
    elif shape == 4:
        items = [
            {"field": "assignee", "op": "is_set"},
            {"field": "impact", "op": "lte", "value": 1},
        ]
    else:
        items = [
            {"field": "channel", "op": "eq", "value": "email"},
            {"field": "priority", "op": "lt", "value": 3},
        ]
    actions: list[dict[str, Any]] = [{"type": "add_tags", "tags": [f"rule{n}"]}]
    if n % 25 == 0:
        actions.append({"type": "add_note", "body": "Rule {{ticket.number}}"})
    return {
        "name": f"Rule {n}",
        "position": n,
        "events": ["created", "updated", "reply", "status_changed"],
        "conditions": {"match": "all", "items": items},
        "actions": actions,
    }


def make_data() -> dict[str, Any]:
    from tuki.accounts.models import Organisation, SupportGroup, User
    from tuki.automation import services
    from tuki.tickets import services as tickets
    from tuki.tickets.models import Category

    rng = random.Random(5)
    org = Organisation.objects.create(name="Acme")
    desk = SupportGroup.objects.create(name="Service Desk", tier=1, may_write_to_requesters=True)
    groups = [desk] + [SupportGroup.objects.create(name=f"Group {i}", tier=2) for i in range(4)]
    admin = User.objects.create_superuser("admin@bench.test", "x", full_name="Admin")
    agent = User.objects.create_user("agent@bench.test", "x", full_name="Agent", is_agent=True)
    desk.members.add(agent)
    requester = User.objects.create_user("user@acme.test", "x", full_name="User", organisation=org)
    categories = [Category.objects.create(name=f"Category {i}") for i in range(10)]
    ids = {
        "groups": [g.pk for g in groups],
        "categories": [c.pk for c in categories],
        "organisation": org.pk,
    }
    for n in range(RULES):
        services.create_rule(admin, **_rule_data(n, ids, rng))
    for n in range(5):
        services.create_rule(
            admin,
            name=f"Pending reminder {n}",
            trigger="scheduled",
            kinds=["incident"],
            conditions={
                "match": "all",
                "items": [{"field": "status_category", "op": "eq", "value": "pending"}],
            },
            wait={"minutes": 480 * (n + 1), "business": True, "since": "status_changed"},
            actions=[{"type": "public_reply", "body": "Any news?"}],
        )
    made = [
        tickets.create_ticket(
            agent,
            title=f"Ticket {i}",
            description="Something is broken",
            requester=requester,
            category=rng.choice(categories),
            impact=rng.choice([1, 2, 3]),
            urgency=rng.choice([2, 3]),
        )
        for i in range(TICKETS)
    ]
    return {"agent": agent, "tickets": made, "rng": rng}


def per_second(work: Callable[[int], int], seconds: float) -> float:
    """Units of work per second, `work(i)` returning how many units it did."""
    done = calls = 0
    started = time.perf_counter()
    while True:
        done += work(calls)
        calls += 1
        now = time.perf_counter()
        if now - started >= seconds:
            return done / (now - started)


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    from django.utils import timezone

    from tuki.automation import engine
    from tuki.automation.models import Rule
    from tuki.tickets import services as tickets
    from tuki.tickets.models import Ticket, TicketEvent

    with throwaway_database("rules"):
        data = make_data()
        agent, made = data["agent"], data["tickets"]
        events = list(
            TicketEvent.objects.filter(action="created").values_list("ticket_id", "pk")[:TICKETS]
        )
        by_id = {pk: TicketEvent.objects.get(pk=pk) for _t, pk in events}

        def one_pass(i: int) -> int:
            ticket_id, pk = events[i % len(events)]
            engine.run_pass(ticket_id, [by_id[pk]])
            return 1

        yield (f"engine pass, {RULES} active rules", per_second(one_pass, seconds), "events/s")

        def update(i: int) -> int:
            ticket = Ticket.objects.get(pk=made[i % len(made)].pk)
            mine = TicketEvent.objects.filter(ticket=ticket, actor=agent)
            before = mine.count()
            tickets.update_ticket(agent, ticket, urgency=2 if ticket.urgency == 3 else 3)
            return mine.count() - before  # the person's events; the rules' come on top

        with_rules = per_second(update, seconds)
        yield (f"service calls end to end, {RULES} active rules", with_rules, "events/s")
        Rule.objects.update(is_active=False, updated_at=timezone.now())
        without = per_second(update, seconds)
        yield ("service calls end to end, no active rule", without, "events/s")
