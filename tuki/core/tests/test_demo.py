import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Min
from django.utils import timezone

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.calendars.models import Calendar
from tuki.core import demo_knowledge
from tuki.core.demo import build_cast, load_demo, logins
from tuki.core.demo_stories import Director
from tuki.sla.models import Agreement, ClockState, Metric, SlaClock, SlaClockLog, SlaPolicy
from tuki.tickets.models import (
    ActorKind,
    Category,
    Kind,
    Status,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)

pytestmark = pytest.mark.slow  # loads the whole demo (module fixture)

LOADED_AT: list[datetime] = []  # when load_demo returned: its catch-up of due SLA timers ran


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    """Loaded once for the module (it takes seconds), committed, and wiped afterwards."""
    with django_db_blocker.unblock():
        summary = load_demo()
    LOADED_AT[:] = [timezone.now()]
    assert summary is not None
    yield summary
    with django_db_blocker.unblock():
        demo_knowledge.wipe()  # articles, categories, deflections and their search documents
        Ticket.objects.all().delete()
        SlaPolicy.objects.all().delete()
        Calendar.objects.all().delete()
        Category.objects.all().delete()
        SupportGroup.objects.all().delete()
        User.objects.all().delete()
        Organisation.objects.all().delete()
        Location.objects.all().delete()
        Tag.objects.all().delete()


@pytest.fixture
def demo(loaded: dict[str, int], db: None) -> dict[str, int]:
    return loaded


def test_one_service_desk_and_three_second_line_groups_over_two_offices(demo):
    desk = SupportGroup.objects.get(tier=1)
    assert desk.may_write_to_requesters
    assert desk.members.count() == 3
    second = SupportGroup.objects.filter(tier=2)
    assert second.count() == 3
    assert len({g.location_id for g in second}) == 2
    assert all(g.manager and not g.may_write_to_requesters for g in second)


def test_two_client_organisations_with_about_twenty_requesters(demo):
    assert Organisation.objects.exclude(domains="").count() == 2
    requesters = User.objects.filter(is_agent=False, is_superuser=False)
    assert 18 <= requesters.count() <= 25
    assert {u.language for u in requesters} == {"en", "fi", "ro"}
    assert all(u.phone and u.time_zone and u.organisation_id for u in requesters)


def test_the_category_tree_has_default_groups(demo):
    paths = dict(Category.objects.values_list("path", "default_group__name"))
    assert paths["Network › VPN"] and paths["Workplace › Printer"]
    assert {"Accounts › Password reset", "Applications › ERP", "Network › Wi-Fi"} <= set(paths)


def test_about_two_hundred_tickets_in_every_status_with_real_history(demo):
    assert 180 <= Ticket.objects.count() <= 220
    used = set(Ticket.objects.values_list("status__key", flat=True))
    assert used == set(Status.objects.values_list("key", flat=True))
    assert set(Ticket.objects.values_list("kind", flat=True)) >= {
        Kind.INCIDENT,
        Kind.REQUEST,
        Kind.PROBLEM,
        Kind.CHANGE,
    }
    assert not Ticket.objects.filter(events__isnull=True).exists()
    actions = set(TicketEvent.objects.values_list("action", flat=True))
    assert {"escalated", "resolution", "note", "reply", "linked", "merged"} <= actions
    assert Ticket.objects.filter(reopen_count__gt=0).exists()
    assert TicketLink.objects.exists()


def test_history_is_spread_over_the_last_two_months_and_never_in_the_future(demo):
    now = timezone.now()
    oldest = Ticket.objects.aggregate(oldest=Min("created_at"))["oldest"]
    assert now - timedelta(days=62) < oldest < now - timedelta(days=40)
    assert not Ticket.objects.filter(updated_at__gt=now).exists()
    assert not TicketEvent.objects.filter(created_at__gt=now).exists()
    for ticket in Ticket.objects.filter(pk__in=range(1, 400, 7)):
        # SLA warnings and breaches come when due, without touching the ticket.
        events = ticket.events.exclude(actor_kind=ActorKind.SLA)
        times = list(events.values_list("created_at", flat=True))
        assert ticket.created_at <= min(times) and max(times) <= ticket.updated_at
        if ticket.closed_at:
            assert ticket.created_at <= ticket.closed_at <= now


def test_the_printed_logins_work(demo):
    for _role, email, password in logins():
        assert User.objects.get(email=email).check_password(password)


def test_loading_twice_adds_nothing(demo):
    counts = (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count())
    assert load_demo() is None
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "already holds tickets" in out.getvalue()
    assert "http://127.0.0.1:8000" in out.getvalue()
    assert (Ticket.objects.count(), User.objects.count(), TicketEvent.objects.count()) == counts


def test_the_same_seed_plans_the_same_tickets(demo):
    def plan(seed: int) -> list[tuple[str, str, datetime]]:
        rnd = random.Random(seed)
        director = Director(build_cast(rnd), rnd, datetime(2025, 3, 1, tzinfo=UTC))
        return [(p.kind, p.final, p.created) for p in director.plan()]

    assert plan(7) == plan(7)
    assert plan(7) != plan(8)


def test_each_client_has_an_agreement_on_its_office_calendar(demo):
    calendars = dict(Agreement.objects.values_list("organisation__name", "calendar__name"))
    assert calendars == {"Revontuli Oy": "Helsinki office", "Carpatica SRL": "Bucharest office"}
    helsinki = Calendar.objects.get(name="Helsinki office")
    assert (helsinki.time_zone, helsinki.holiday_country) == ("Europe/Helsinki", "FI")
    for policy in SlaPolicy.objects.all():
        assert policy.targets.count() == 5 and policy.ola_targets.exists()
        assert policy.warning_thresholds == [75, 90]


def test_clocks_follow_the_backdated_history_with_a_mix_of_states(demo):
    now = timezone.now()
    clocks = SlaClock.objects.all()
    incidents = Ticket.objects.filter(kind__in=[Kind.INCIDENT, Kind.REQUEST])
    assert not incidents.filter(sla_clocks__isnull=True).exists()
    assert not Ticket.objects.filter(kind=Kind.PROBLEM, sla_clocks__isnull=False).exists()
    states = set(clocks.values_list("state", flat=True))
    assert {ClockState.MET, ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED} <= states
    assert {Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.RESOLUTION, Metric.OLA} <= set(
        clocks.values_list("metric", flat=True)
    )
    assert clocks.filter(state=ClockState.PAUSED, ticket__status__key="pending_customer").exists()
    # Clocks start with their ticket's (backdated) registration, not when the demo loaded.
    for clock in clocks.filter(metric=Metric.FIRST_RESPONSE, cycle=1)[:50]:
        assert clock.started_at == clock.ticket.created_at
    running = clocks.filter(state=ClockState.RUNNING)
    # Overdue ones were announced when the demo loaded; later deadlines pass while tests run.
    assert not running.filter(deadline__lt=LOADED_AT[0]).exists()
    warned = SlaClockLog.objects.filter(what="warned", clock__state=ClockState.RUNNING)
    assert warned.exists()  # at risk
    breaches = TicketEvent.objects.filter(action="sla_breached")
    assert breaches.exists() and not breaches.filter(created_at__gt=now).exists()


def test_the_demo_never_sends_its_made_up_mail(demo):
    from tuki.mail.models import OutboundMessage, OutboundStatus

    assert OutboundMessage.objects.exists()
    assert not OutboundMessage.objects.exclude(status=OutboundStatus.SKIPPED).exists()
