"""The monthly rollups answer exactly what the facts answer: on random facts over fourteen
months, every indicator, breakdown, filter, clock and statistic reads the same before the
months are rolled up (everything from the facts) and after (clean months from the rollups),
for viewers who read the rollups and for those who cannot; and a change after the roll is
seen at once."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tuki.conftest import make_user
from tuki.reports import rollups
from tuki.reports.filters import day_bounds
from tuki.reports.indicators import INDICATORS, SPECS, Filters, compute, summary
from tuki.reports.models import Rollup, RollupMonth, RollupSpan, TicketFact
from tuki.tickets import services
from tuki.tickets.models import Channel, Kind

FIRST = date(2024, 11, 1)
LAST = date(2026, 1, 31)
PERIODS = [
    (date(2025, 1, 1), date(2025, 12, 31)),  # whole months, previous period too
    (date(2025, 2, 15), date(2025, 11, 3)),  # cut months at both ends
    (date(2025, 3, 1), date(2025, 3, 31)),  # one month
    (date(2025, 6, 10), date(2025, 6, 20)),  # inside one month: no rollup at all
]


def _tickets(desk, count):
    return [
        services.create_ticket(desk.operator, title=f"T{i}", requester=desk.requester)
        for i in range(count)
    ]


def _random_facts(desk, tickets, seed):
    rng = random.Random(seed)
    groups = [desk.service_desk, desk.network_hel, desk.apps]
    span = (LAST - FIRST).days
    TicketFact.objects.all().delete()
    facts = []
    for ticket in tickets:
        created = FIRST + timedelta(days=rng.randrange(span))
        resolved = None
        if rng.random() < 0.8:
            resolved = min(created + timedelta(days=int(rng.expovariate(1 / 12))), LAST)
        done = resolved is not None
        minutes = rng.choice([None, rng.uniform(0, 3000), 0.0])
        resolve = rng.uniform(1, 60000) if done else None
        facts.append(
            TicketFact(
                ticket=ticket,
                created_at=day_bounds(created) + timedelta(hours=rng.randrange(24)),
                created_day=created,
                kind=rng.choice([Kind.INCIDENT, Kind.REQUEST]),
                channel=rng.choice([Channel.PHONE, Channel.EMAIL, Channel.WEB]),
                priority=rng.randint(1, 4),
                category=rng.choice([None, desk.vpn]),
                organisation=rng.choice([None, desk.acme, desk.globex]),
                owner_group=desk.service_desk,
                group=rng.choice(groups),
                assignee=rng.choice([None, desk.operator, desk.specialist]),
                requester=desk.requester,
                restricted=rng.random() < 0.15,
                status_category="resolved" if done else "open",
                first_response_minutes=minutes,
                first_response_business=None if minutes is None else minutes * rng.random(),
                resolved_at=day_bounds(resolved) + timedelta(hours=3) if done else None,
                resolved_day=resolved,
                resolve_minutes=resolve,
                resolve_business=None if resolve is None else resolve * rng.random(),
                reopen_count=rng.choice([0, 0, 0, 1, 2]),
                hops=rng.randint(0, 3),
                escalated=rng.random() < 0.3,
                pending_minutes=rng.choice([0.0, rng.uniform(0, 5000)]),
                first_contact=rng.random() < 0.4,
                sla_response_met=rng.choice([None, True, True, False]),
                sla_resolution_met=rng.choice([None, True, False]) if done else None,
                ola_met=rng.choice([None, True, False]) if done else None,
                satisfaction=rng.choice([None, None, 1, 3, 5]) if done else None,
            )
        )
    TicketFact.objects.bulk_create(facts)
    day = FIRST
    while day <= LAST:
        rollups.mark([day])
        day = rollups.month_end(day) + timedelta(days=1)


def _cases(desk):
    f = Filters
    for start, end in PERIODS:
        base = f(start=start, end=end)
        yield base, None
        yield base, "month"
        yield base, "group"
        yield base, "week"
        yield f(start=start, end=end, groups=(desk.network_hel.pk,)), None
        yield f(start=start, end=end, groups=(desk.network_hel.pk, desk.apps.pk)), "group"
        yield f(start=start, end=end, channels=("phone",)), "month"
        yield f(start=start, end=end, channels=("phone",)), "priority"
        yield f(start=start, end=end, channels=("email",), kinds=("request",)), None


def _read(viewers, desk):
    """Every figure, as plain tuples."""
    found = {}
    for name, viewer in viewers.items():
        for filters, by in _cases(desk):
            found[(name, filters, by, "summary")] = [
                (r.indicator.code, r.total.value, r.total.count, r.total.previous)
                for r in summary(viewer, filters, compare=True)
            ]
            for code in INDICATORS:
                variants = [("business", "median")]
                if SPECS[code].measure == "stat":
                    variants += [("calendar", "p90"), ("business", "mean")]
                for clock, statistic in variants:
                    result = compute(
                        viewer, code, filters, by, compare=True, clock=clock, statistic=statistic
                    )
                    cells = [result.total, *result.rows]
                    found[(name, filters, by, code, clock, statistic)] = [
                        (c.key, c.value, c.count, c.previous) for c in cells
                    ]
    return found


def _same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("seed", [1, 2])
def test_rolled_up_months_read_the_same_figures_as_the_facts(desk, analyst, seed):
    tickets = _tickets(desk, 160)
    _random_facts(desk, tickets, seed)
    boss = make_user("boss@tuki.test", "Boss", is_agent=True, is_superuser=True)
    viewers = {"analyst": analyst, "superuser": boss, "specialist": desk.specialist}
    assert rollups.sees_unrestricted(analyst) and rollups.sees_unrestricted(boss)
    assert not rollups.sees_unrestricted(desk.specialist)

    assert not rollups.clean_months()
    live = _read(viewers, desk)
    assert rollups.roll_all() == 15
    assert len(rollups.clean_months()) == 15 and Rollup.objects.exists()
    assert RollupSpan.objects.exists()
    rolled = _read(viewers, desk)
    differ = [key for key in live if not _same(live[key], rolled[key])]
    shown = [(k[0], k[1].start, k[1].end, k[2:], live[k], rolled[k]) for k in differ[:4]]
    assert not differ, "\n".join(map(str, shown))
    # And the rolled path was taken: the rollups are read, and leave restricted tickets out.
    with CaptureQueriesContext(connection) as ctx:
        compute(analyst, "resolve_time", Filters(start=date(2025, 1, 1), end=date(2025, 6, 30)))
    assert any('"reports_rollup"' in q["sql"] for q in ctx.captured_queries)
    unrestricted = TicketFact.objects.filter(restricted=False, created_day__month=3)
    march = Rollup.objects.filter(
        cohort="created", dimension="", figure="count", month=date(2025, 3, 1)
    ).get()
    assert march.n == unrestricted.filter(created_day__year=2025).count()


def test_a_change_after_the_roll_is_read_at_once(desk, analyst):
    tickets = _tickets(desk, 30)
    _random_facts(desk, tickets, 7)
    rollups.roll_all()
    march = Filters(start=date(2025, 3, 1), end=date(2025, 3, 31))
    before = compute(analyst, "volume", march).total.count
    moved = TicketFact.objects.exclude(created_day__month=3).filter(restricted=False).first()
    TicketFact.objects.filter(pk=moved.pk).update(created_day=date(2025, 3, 5))
    rollups.mark([date(2025, 3, 5)])  # what facts.refresh does in the fact's transaction
    assert date(2025, 3, 1) not in rollups.clean_months()
    assert compute(analyst, "volume", march).total.count == before + 1
    rollups.roll_all()
    assert date(2025, 3, 1) in rollups.clean_months()
    assert compute(analyst, "volume", march).total.count == before + 1


def test_a_month_changed_while_rolling_stays_unclean(desk, analyst, monkeypatch):
    tickets = _tickets(desk, 10)
    _random_facts(desk, tickets, 3)
    month = TicketFact.objects.order_by("created_day").first().created_day.replace(day=1)
    real = rollups._span_rows

    def changed_meanwhile(first, last):
        rollups.mark([first])  # another worker refreshed a fact of this month
        return real(first, last)

    monkeypatch.setattr(rollups, "_span_rows", changed_meanwhile)
    assert rollups.roll(month) is False
    assert month not in rollups.clean_months()
    monkeypatch.setattr(rollups, "_span_rows", real)
    assert rollups.roll(month) is True


def test_refreshing_and_deleting_facts_mark_their_months(
    desk, analyst, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(desk.operator, title="Printer", requester=desk.requester)
    fact = TicketFact.objects.get(ticket=ticket)
    month = fact.created_day.replace(day=1)
    assert RollupMonth.objects.filter(month=month).exists()
    rollups.roll_all()
    assert month in rollups.clean_months()
    ticket.delete()
    assert month not in rollups.clean_months()
    rollups.roll_all()
    assert not Rollup.objects.filter(month=month, figure="count", n__gt=0).exists()


def test_the_periodic_job_queues_the_changed_months(desk, django_capture_on_commit_callbacks):
    tickets = _tickets(desk, 5)
    _random_facts(desk, tickets, 11)
    changed = len(rollups.changed_months())
    assert changed
    assert rollups.roll_changed() == changed  # the test task backend runs the task at once
    assert rollups.changed_months() == []


def test_only_a_changed_fact_marks_its_months_and_the_current_month_waits(
    desk, django_capture_on_commit_callbacks
):
    from tuki.reports import facts
    from tuki.reports.filters import today

    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(desk.operator, title="Printer", requester=desk.requester)
    month = TicketFact.objects.get(ticket=ticket).created_day.replace(day=1)
    version = RollupMonth.objects.get(month=month).version
    facts.refresh([ticket.pk])  # nothing changed: the month stays as it was
    assert RollupMonth.objects.get(month=month).version == version
    with django_capture_on_commit_callbacks(execute=True):
        services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
    assert RollupMonth.objects.get(month=month).version > version
    # The current month changes all day: the periodic job leaves it to the facts.
    assert month == today().replace(day=1)
    assert month in rollups.changed_months()
    assert rollups.roll_changed() == 0
    assert month in rollups.changed_months()
