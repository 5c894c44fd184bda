"""Scheduled rules: planned as rows at their due instant on the ticket's calendar, re-checked
and fired exactly once, cancelled when the ticket changes. No periodic scan."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tuki.automation import services
from tuki.automation.engine import fire_due_scheduled
from tuki.automation.models import Rule, ScheduledRun
from tuki.automation.tests.test_engine_conditions import office_calendar
from tuki.calendars.arithmetic import add_business_minutes
from tuki.conftest import Desk
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Ticket, TicketEvent

pytestmark = pytest.mark.django_db

PENDING = {"match": "all", "items": [{"field": "status_category", "op": "eq", "value": "pending"}]}
DAY = 8 * 60  # business minutes in an office day


def pending_rules(desk: Desk) -> tuple[Rule, Rule]:
    remind = services.create_rule(
        desk.admin,
        name="Remind after 5 days",
        trigger="scheduled",
        kinds=["incident", "request"],
        conditions=PENDING,
        wait={"minutes": 5 * DAY, "business": True, "since": "status_changed"},
        actions=[{"type": "public_reply", "body": "Any news about {{ticket.number}}?"}],
    )
    resolve = services.create_rule(
        desk.admin,
        name="Resolve after 10 days",
        trigger="scheduled",
        kinds=["incident", "request"],
        conditions=PENDING,
        wait={"minutes": 10 * DAY, "business": True, "since": "status_changed"},
        actions=[{"type": "set_status", "status": "resolved", "reason": "No answer in 10 days."}],
    )
    return remind, resolve


def run_of(rule: Rule, ticket: Ticket) -> ScheduledRun:
    return ScheduledRun.objects.get(rule=rule, ticket=ticket, state=ScheduledRun.State.PENDING)


# The clock is frozen at each start: five business days from a Wednesday morning end a week
# later; from a Sunday night (outside hours) they end on Friday at closing time.
STARTS = {
    "wednesday morning": ("2026-11-25T10:00:00+02:00", "2026-12-02T10:00:00+02:00"),
    "sunday night": ("2026-11-29T23:30:00+02:00", "2026-12-04T16:00:00+02:00"),
}


@pytest.mark.parametrize("start", STARTS.values(), ids=STARTS.keys())
def test_pending_five_days_reminds_and_ten_resolves_once(
    desk: Desk, committed: Any, incident: Ticket, start: tuple[str, str]
) -> None:
    calendar = office_calendar()
    remind, resolve = pending_rules(desk)
    with time_machine.travel(start[0], tick=False), committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    anchor = TicketEvent.objects.get(ticket=incident, action="status").created_at
    assert anchor == datetime.fromisoformat(start[0])
    first, second = run_of(remind, incident), run_of(resolve, incident)
    assert first.anchor == second.anchor == anchor
    schedule = calendar.schedule()
    assert first.due_at == add_business_minutes(schedule, anchor, 5 * DAY)
    assert first.due_at == datetime.fromisoformat(start[1])
    assert second.due_at == add_business_minutes(schedule, anchor, 10 * DAY)

    early = first.due_at - timedelta(minutes=1)
    assert services.fire_scheduled(first.pk, first.due_at, now=early) == "not_due"
    assert services.fire_scheduled(first.pk, first.due_at - timedelta(hours=1)) == "stale"
    with committed():
        assert services.fire_scheduled(first.pk, first.due_at, now=first.due_at) == "fired"
    assert services.fire_scheduled(first.pk, first.due_at, now=first.due_at) == "already"
    reply = incident.comments.get()
    assert reply.body == f"Any news about {incident.number}?" and not reply.is_internal
    event = TicketEvent.objects.get(ticket=incident, action="reply")
    assert event.actor_kind == ActorKind.RULE and event.reason == "Remind after 5 days"
    assert remind.runs.get().trigger == "scheduled"
    # The reminder changed nothing the plans count from: the resolve plan stands.
    assert run_of(resolve, incident).pk == second.pk

    with committed():
        assert services.fire_scheduled(second.pk, second.due_at, now=second.due_at) == "fired"
    incident.refresh_from_db()
    assert incident.status.key == "resolved"
    assert incident.comments.count() == 1  # the reminder was not sent again
    assert ScheduledRun.objects.filter(state=ScheduledRun.State.PENDING).count() == 0


def test_a_change_cancels_the_plan_and_a_new_wait_starts(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    office_calendar()
    remind, _resolve = pending_rules(desk)
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    old = run_of(remind, incident)
    with committed():
        tickets.add_comment(desk.requester, incident, "Here is the log")  # wakes the ticket
    incident.refresh_from_db()
    assert incident.status.category == "open"
    old.refresh_from_db()
    assert old.state == ScheduledRun.State.CANCELLED
    assert services.fire_scheduled(old.pk, old.due_at, now=old.due_at) == "cancelled"
    assert incident.comments.count() == 1

    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    new = run_of(remind, incident)
    assert new.pk != old.pk and new.anchor > old.anchor


def test_the_fire_rechecks_the_conditions(desk: Desk, committed: Any, incident: Ticket) -> None:
    remind, _resolve = pending_rules(desk)
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    run = run_of(remind, incident)
    # A change nobody announced (an import, a fix in the database) still stops the rule.
    from tuki.tickets.models import Status

    Ticket.objects.filter(pk=incident.pk).update(status=Status.objects.get(key="in_progress"))
    assert services.fire_scheduled(run.pk, run.due_at, now=run.due_at) == "cancelled"
    assert incident.comments.count() == 0


def test_time_conditions_are_checked_when_it_fires(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    rule = services.create_rule(
        desk.admin,
        name="Nudge in office hours",
        trigger="scheduled",
        conditions={
            "match": "all",
            "items": [*PENDING["items"], {"field": "business_hours", "op": "eq", "value": True}],
        },
        kinds=["incident"],
        wait={"minutes": 60, "business": False, "since": "status_changed"},
        actions=[{"type": "add_note", "body": "nudge"}],
    )
    office_calendar()
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    run = run_of(rule, incident)
    sunday = timezone.make_aware(timezone.datetime(2030, 6, 2, 12, 0))
    assert services.fire_scheduled(run.pk, now=sunday) == "cancelled"


def test_catch_up_fires_what_is_due_once(desk: Desk, committed: Any, incident: Ticket) -> None:
    remind, resolve = pending_rules(desk)  # default calendar: 24×7
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    due = run_of(remind, incident).due_at
    with committed():
        assert fire_due_scheduled(now=due) == 1
        assert fire_due_scheduled(now=due) == 0
    assert incident.comments.count() == 1
    assert run_of(resolve, incident).due_at == due + timedelta(minutes=5 * DAY)


def test_a_rule_saved_later_plans_the_tickets_already_waiting(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    with committed():
        remind, _resolve = pending_rules(desk)
    assert run_of(remind, incident).anchor == (
        TicketEvent.objects.get(ticket=incident, action="status").created_at
    )
    with committed():
        services.update_rule(desk.admin, remind, is_active=False)
    assert not ScheduledRun.objects.filter(rule=remind, state=ScheduledRun.State.PENDING).exists()


def test_scheduled_rules_plan_nothing_for_tickets_they_do_not_match(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    pending_rules(desk)
    with committed():
        tickets.change_status(desk.operator, incident, "in_progress")
    assert not ScheduledRun.objects.exists()


def test_a_rule_saved_later_plans_tickets_whose_time_test_holds_only_later(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
        later = services.create_rule(
            desk.admin,
            name="Old and waiting",
            trigger="scheduled",
            kinds=["incident"],
            conditions={
                "match": "all",
                "items": [
                    *PENDING["items"],
                    {"field": "time_since.created", "op": "more_than", "value": {"minutes": 90}},
                ],
            },
            wait={"minutes": 120, "business": False, "since": "status_changed"},
            actions=[{"type": "add_note", "body": "old"}],
        )
    run = run_of(later, incident)
    assert services.fire_scheduled(run.pk, now=run.due_at) == "fired"
