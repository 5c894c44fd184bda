"""Warnings and breaches: at their instant, as ticket events, each exactly once."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tuki.sla.models import ClockChange, ClockState, Metric, SlaClock, SlaTimer
from tuki.sla.services import fire_due_timers, fire_timer
from tuki.sla.tasks import fire_sla_timer
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def timer_tasks():
    """The timer tasks in the database queue (other apps enqueue their own work too)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=fire_sla_timer.module_path)


def first_response(ticket) -> SlaClock:
    return SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)


def timer(clock: SlaClock, percent: int) -> SlaTimer:
    return clock.timers.get(percent=percent)


def sla_events(ticket) -> list[tuple[str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, actor_kind="sla")
        .order_by("id")
        .values_list("action", "field", "new_value")
    )


@pytest.fixture
def ticket(desk, sla, frozen):
    return services.create_ticket(desk.operator, title="Mail", requester=desk.requester)


class TestFiring:
    def test_thresholds_are_due_at_their_share_of_business_time(self, ticket):
        clock = first_response(ticket)
        assert [(t.percent, t.due_at) for t in clock.timers.all()] == [
            (75, hel(3, 9, 45)),
            (90, hel(3, 9, 54)),
            (100, hel(3, 10)),
        ]

    def test_a_warning_becomes_a_ticket_event_once(self, ticket):
        warning = timer(first_response(ticket), 75)
        assert fire_timer(warning.pk, now=hel(3, 9, 46)) == "fired"
        assert fire_timer(warning.pk, now=hel(3, 9, 47)) == "already"
        assert sla_events(ticket) == [("sla_warning", "first_response", "75")]
        assert first_response(ticket).logs.last().what == ClockChange.WARNED

    def test_nothing_happens_before_the_instant(self, ticket):
        assert fire_timer(timer(first_response(ticket), 75).pk, now=hel(3, 9, 44)) == "not_due"
        assert sla_events(ticket) == []

    def test_a_task_planned_for_a_moved_deadline_does_nothing(self, desk, ticket, frozen):
        warning = timer(first_response(ticket), 75)
        planned_for = warning.due_at
        frozen.at(hel(3, 9, 30))
        services.change_status(desk.operator, ticket, "pending_customer")
        assert fire_timer(warning.pk, due_at=planned_for, now=hel(3, 9, 50)) == "stale"
        frozen.at(hel(3, 11))
        services.change_status(desk.operator, ticket, "in_progress")
        warning.refresh_from_db()
        assert warning.due_at == hel(3, 11, 15)
        assert fire_timer(warning.pk, due_at=warning.due_at, now=hel(3, 11, 15)) == "fired"

    def test_the_breach_marks_the_clock_and_a_late_reply_keeps_it(self, desk, ticket, frozen):
        clock = first_response(ticket)
        assert fire_due_timers(now=hel(3, 10)) == 3  # both warnings and the breach
        assert first_response(ticket).state == ClockState.BREACHED
        frozen.at(hel(3, 10, 30))
        services.add_comment(desk.operator, ticket, "Sorry for the wait.")
        clock.refresh_from_db()
        assert (clock.state, clock.stopped_at, clock.elapsed_minutes) == (
            ClockState.BREACHED,
            hel(3, 10, 30),
            90,
        )
        actions = [a for a, field, _ in sla_events(ticket) if field == "first_response"]
        assert actions == ["sla_warning", "sla_warning", "sla_breached"]

    def test_a_met_clock_fires_nothing(self, desk, ticket, frozen):
        frozen.at(hel(3, 9, 10))
        services.add_comment(desk.operator, ticket, "On it.")
        assert fire_due_timers(now=hel(3, 10)) == 0
        assert sla_events(ticket) == []


class TestPlanning:
    def test_the_immediate_backend_gets_no_timer_tasks(self, ticket):
        # Tests run tasks at once; a timer task would fire too early, so none is enqueued.
        assert SlaTimer.objects.filter(planned_for__isnull=False).exists()

    @override_settings(TASKS=DB_TASKS)
    def test_the_next_threshold_is_enqueued_for_its_exact_instant(
        self, desk, sla, frozen, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.create_ticket(desk.operator, title="Mail", requester=desk.requester)
        planned = {(r.run_after, r.args_kwargs["kwargs"]["timer_id"]) for r in timer_tasks()}
        first, resolution = SlaClock.objects.filter(ticket=ticket).order_by("id")
        assert planned == {
            (hel(3, 9, 45), timer(first, 75).pk),
            (hel(3, 15), timer(resolution, 75).pk),  # 6 h of 8
        }

    @override_settings(TASKS=DB_TASKS)
    def test_a_moved_deadline_is_planned_again(
        self, desk, sla, frozen, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.create_ticket(desk.operator, title="Mail", requester=desk.requester)
        frozen.at(hel(3, 9, 30))
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(desk.operator, ticket, "pending_customer")
        assert timer_tasks().count() == 2  # paused: nothing new
        frozen.at(hel(3, 10))
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(desk.operator, ticket, "in_progress")
        latest = {r.run_after for r in timer_tasks().order_by("-enqueued_at")[:2]}
        assert latest == {hel(3, 10, 15), hel(3, 15, 30)}

    @override_settings(TASKS=DB_TASKS)
    def test_firing_a_warning_plans_the_next_threshold(
        self, desk, sla, frozen, django_capture_on_commit_callbacks
    ):
        ticket = services.create_ticket(desk.operator, title="Mail", requester=desk.requester)
        warning = timer(first_response(ticket), 75)
        # The database queue gets the creation's timer tasks inside its transaction already.
        planned_before = set(timer_tasks().values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            assert fire_timer(warning.pk, now=hel(3, 9, 45)) == "fired"
        planned = timer_tasks().exclude(pk__in=planned_before)
        assert list(planned.values_list("run_after", flat=True)) == [hel(3, 9, 54)]
