"""Property: on random ticket histories made through the ticket services, the indicators
equal a direct computation over the TicketEvent rows, written here independently of
tuki/reports (docs/reports.md's definitions, read literally)."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from tuki.lib.errors import ServiceError
from tuki.reports import rollups
from tuki.reports.indicators import Filters, compute, tickets_behind
from tuki.reports.queries import percentile
from tuki.tickets import services
from tuki.tickets.models import Channel, ResolutionCode, Status, Ticket, TicketEvent

START = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("UTC"))
OPS = ("assign", "escalate", "move", "pend", "unpend", "reply", "resolve", "reopen", "close")


def _apply(desk, ticket: Ticket, op: str) -> None:
    ticket = Ticket.objects.get(pk=ticket.pk)
    if op == "assign":
        services.assign_ticket(desk.operator, ticket, assignee=desk.operator)
    elif op == "escalate":
        services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
    elif op == "move":
        services.escalate_ticket(desk.admin, ticket, group=desk.service_desk)
    elif op == "pend":
        services.change_status(desk.admin, ticket, "pending_customer")
    elif op == "unpend":
        services.change_status(desk.admin, ticket, "in_progress")
    elif op == "reply":
        services.add_comment(desk.operator, ticket, "We are on it.")
    elif op == "resolve":
        services.resolve_ticket(desk.admin, ticket, code=ResolutionCode.SOLVED)
    elif op == "reopen":
        services.reopen_ticket(desk.admin, ticket)
    elif op == "close":
        services.close_ticket(desk.admin, ticket)


def _bucketed_percentile(values: list[float], fraction: float) -> float | None:
    """docs/reports.md: values counted at the middle of their 1/100-of-e log bucket."""
    if not values:
        return None
    buckets = [math.floor(100 * math.log(1 + v)) for v in values]
    points = sorted(0.0 if b <= 0 else math.exp((b + 0.5) / 100) - 1 for b in buckets)
    position = fraction * (len(points) - 1)
    low, high = math.floor(position), math.ceil(position)
    return points[low] + (points[high] - points[low]) * (position - low)


def _within_half_percent(found: float | None, values: list[float], fraction: float) -> None:
    """docs/reports.md: each value is off by at most 0.5 % (of 1 + itself, in minutes), so
    the percentile is within that of the exact percentile_cont."""
    if not values:
        assert found is None
        return
    ordered = sorted(values)
    exact = percentile(ordered, fraction)
    upper = ordered[math.ceil(fraction * (len(ordered) - 1))]
    assert found is not None and exact is not None
    assert abs(found - exact) <= 0.0051 * (1 + upper) + 1e-3, (found, exact)


def _direct(ticket_ids: list[int]) -> dict[int, dict]:
    """Each ticket's figures straight from its events."""
    category = {s.name: s.category for s in Status.objects.all()}
    tiers = {"Service Desk": 1, "Network Helsinki": 2}
    found = {}
    for pk in ticket_ids:
        events = list(TicketEvent.objects.filter(ticket_id=pk).order_by("created_at", "id"))
        created = events[0].created_at
        state, resolved, reopens, hops, escalated, pending, since = (
            "new",
            None,
            0,
            0,
            False,
            0.0,
            None,
        )
        moved, first_reply = False, None
        for e in events[1:]:
            if e.action in ("group", "escalated") and e.field == "group":
                moved = True
                hops += 1
                escalated |= tiers.get(e.new_value, 1) >= 2
            if e.action == "reply" and first_reply is None:
                first_reply = e.created_at
            if e.action != "status":
                continue
            new = category[e.new_value]
            if state == "pending" and new != "pending":
                pending += (e.created_at - since).total_seconds() / 60
            if new == "pending" and state != "pending":
                since = e.created_at
            if new in ("resolved", "closed") and state not in ("resolved", "closed"):
                resolved = e.created_at
            if state in ("resolved", "closed") and new not in ("resolved", "closed"):
                reopens += 1
            state = new
        done = state in ("resolved", "closed")
        found[pk] = {
            "done": done,
            "resolve": (resolved - created).total_seconds() / 60 if done else None,
            "first_response": (first_reply - created).total_seconds() / 60 if first_reply else None,
            "reopens": reopens,
            "hops": hops,
            "escalated": escalated,
            "pending": pending,
            "fcr": done
            and not reopens
            and not moved
            and pending == 0
            and state != "pending"
            and (resolved - created) <= timedelta(minutes=30),
        }
    return found


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-3)


histories = st.lists(
    st.tuples(
        st.sampled_from([Channel.PHONE, Channel.EMAIL, Channel.WEB]),
        st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 600)), max_size=8),
    ),
    min_size=1,
    max_size=4,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking a history is slow
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(histories=histories)
def test_indicators_equal_a_direct_computation_over_the_events(
    desk, django_capture_on_commit_callbacks, histories
):
    Ticket.objects.all().delete()
    ids = []
    with time_machine.travel(START, tick=False) as clock:
        for channel, steps in histories:
            with django_capture_on_commit_callbacks(execute=True):
                ticket = services.create_ticket(
                    desk.operator, title="A", requester=desk.requester, channel=channel
                )
            ids.append(ticket.pk)
            for op, minutes in steps:
                clock.shift(timedelta(minutes=minutes, seconds=7))
                try:
                    with django_capture_on_commit_callbacks(execute=True):
                        _apply(desk, ticket, op)
                except (ServiceError, PermissionDenied):
                    pass
        direct = _direct(ids)
        filters = Filters(
            start=START.date() - timedelta(days=1), end=START.date() + timedelta(days=30)
        )
        admin = desk.admin

        def value(code: str, **kw: object) -> float | None:
            return compute(admin, code, filters, **kw).total.value

        def check() -> None:
            done = [d for d in direct.values() if d["done"]]
            assert value("volume") == len(ids)
            assert compute(admin, "resolve_time", filters).total.count == len(done)
            for clock_name in (
                "calendar",
                "business",
            ):  # no SLA clock: the default calendar is 24x7
                assert _close(
                    value("resolve_time", clock=clock_name, statistic="mean"),
                    mean(d["resolve"] for d in done) if done else None,
                )
                assert _close(
                    value("resolve_time", clock=clock_name),
                    _bucketed_percentile([d["resolve"] for d in done], 0.5),
                )
                _within_half_percent(
                    value("resolve_time", clock=clock_name), [d["resolve"] for d in done], 0.5
                )
            assert _close(
                value("reopen_rate"),
                100 * sum(1 for d in done if d["reopens"]) / len(done) if done else None,
            )
            assert _close(value("reassignments"), mean(d["hops"] for d in direct.values()))
            assert _close(
                value("escalation_rate"),
                100 * sum(d["escalated"] for d in direct.values()) / len(ids),
            )
            assert _close(
                value("first_contact_resolution"),
                100 * sum(bool(d["fcr"]) for d in direct.values()) / len(ids),
            )
            assert _close(
                value("pending_time", statistic="mean"),
                mean(d["pending"] for d in done) if done else None,
            )
            responded = [
                d["first_response"] for d in direct.values() if d["first_response"] is not None
            ]
            assert _close(
                value("first_response_time", clock="calendar", statistic="p90"),
                _bucketed_percentile(responded, 0.9),
            )
            assert value("backlog") == len(ids) - len(done)
            behind = set(tickets_behind(admin, "backlog", filters).values_list("pk", flat=True))
            assert behind == {pk for pk, d in direct.items() if not d["done"]}

        check()  # from the facts
        # And from the monthly rollups, once March is rolled up (rollups.py): the same.
        assert rollups.roll_all() >= 1
        assert date(2026, 3, 1) in rollups.clean_months()
        check()
        by_channel = compute(admin, "volume", filters, by="channel")
        assert {r.key: r.count for r in by_channel.rows} == {
            c: sum(1 for ch, _s in histories if ch == c) for c in {ch for ch, _s in histories}
        }
