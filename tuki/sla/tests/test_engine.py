"""The clock rules, one at a time (docs/sla.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tuki.sla import services as engine
from tuki.sla.models import (
    Agreement,
    ClockChange,
    ClockState,
    Metric,
    Service,
    SlaClock,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
)
from tuki.sla.tests.conftest import hel
from tuki.tickets import services
from tuki.tickets.models import Kind, TicketEvent

pytestmark = pytest.mark.django_db


def clocks(ticket, metric=None):
    qs = SlaClock.objects.filter(ticket=ticket).order_by("id")
    return list(qs.filter(metric=metric) if metric else qs)


def new_ticket(desk, **extra):
    extra.setdefault("title", "VPN down")
    extra.setdefault("requester", desk.requester)
    return services.create_ticket(desk.operator, **extra)


class TestStarting:
    def test_no_policy_means_no_clocks(self, desk, frozen):
        assert clocks(new_ticket(desk)) == []

    def test_first_response_and_resolution_start_with_the_ticket(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        assert [c.metric for c in clocks(ticket)] == [Metric.FIRST_RESPONSE, Metric.RESOLUTION]
        first = clocks(ticket, Metric.FIRST_RESPONSE)[0]
        assert first.started_at == hel(3, 9)
        assert first.calendar == sla.office
        assert [t.percent for t in first.timers.all()] == [75, 90, 100]
        assert first.warn_at == hel(3, 9, 45)

    def test_a_group_with_an_ola_target_gets_its_own_clock(self, desk, sla, frozen):
        ticket = new_ticket(desk, group=desk.network_hel)
        ola = clocks(ticket, Metric.OLA)[0]
        assert (ola.group, ola.target_minutes, ola.deadline) == (desk.network_hel, 240, hel(3, 13))

    def test_the_started_log_says_which_policy_and_why(self, desk, sla, frozen):
        log = clocks(new_ticket(desk), Metric.RESOLUTION)[0].logs.get()
        assert log.what == ClockChange.STARTED
        assert log.details["policy"] == "Standard"
        assert log.details["conditions"] == [["any", ""]]
        assert log.details["calendar_source"] == "policy"
        assert log.new_deadline == hel(4, 9)


class TestMatching:
    def test_policies_are_tried_in_order_and_conditions_must_all_hold(self, desk, sla, frozen):
        vip = SlaPolicy.objects.create(name="VIP", order=10, kinds=[Kind.INCIDENT], priorities=[1])
        SlaTarget.objects.create(policy=vip, priority=1, resolution_minutes=60)
        low = new_ticket(desk)  # priority 4: not VIP
        assert clocks(low, Metric.RESOLUTION)[0].policy == sla.policy
        urgent = new_ticket(desk, impact=1, urgency=1)
        clock = clocks(urgent, Metric.RESOLUTION)[0]
        assert clock.policy == vip
        assert clock.logs.get().details["conditions"] == [["kind", "incident"], ["priority", "1"]]
        # No calendar on the policy nor an agreement: the default (24×7) counts.
        assert clock.deadline == hel(3, 10)

    def test_the_agreement_of_the_organisation_names_policy_and_calendar(self, desk, sla, frozen):
        gold = SlaPolicy.objects.create(name="Gold", order=500)
        SlaTarget.objects.create(policy=gold, priority=4, resolution_minutes=120)
        vpn = Service.objects.create(name="VPN")
        vpn.categories.add(desk.vpn.parent)
        agreement = Agreement.objects.create(
            name="Acme 2025",
            organisation=desk.acme,
            policy=gold,
            calendar=sla.office,
            valid_from=hel(1, 9).date(),
        )
        agreement.services.add(vpn)
        ticket = new_ticket(desk, category=desk.vpn)
        clock = clocks(ticket, Metric.RESOLUTION)[0]
        assert (clock.policy, clock.agreement, clock.calendar) == (gold, agreement, sla.office)
        details = clock.logs.get().details
        assert details["conditions"][0] == ["agreement_policy", "Acme 2025"]
        assert (details["service"], details["calendar_source"]) == ("VPN", "agreement")
        # A ticket outside the agreement's services falls back to the ordered policies.
        other = new_ticket(desk)
        assert clocks(other, Metric.RESOLUTION)[0].policy == sla.policy

    def test_an_expired_agreement_does_not_apply(self, desk, sla, frozen):
        gold = SlaPolicy.objects.create(name="Gold", order=500)
        SlaTarget.objects.create(policy=gold, priority=4, resolution_minutes=120)
        Agreement.objects.create(
            name="Old",
            organisation=desk.acme,
            policy=gold,
            valid_from=hel(1, 9).date() - timedelta(days=400),
            valid_until=hel(1, 9).date(),
        )
        assert clocks(new_ticket(desk), Metric.RESOLUTION)[0].policy == sla.policy

    def test_category_conditions_match_subcategories(self, desk, sla, frozen):
        network = SlaPolicy.objects.create(name="Network", order=1)
        network.categories.add(desk.vpn.parent)
        network.organisations.add(desk.acme)
        SlaTarget.objects.create(policy=network, priority=4, resolution_minutes=30)
        clock = clocks(new_ticket(desk, category=desk.vpn), Metric.RESOLUTION)[0]
        assert clock.policy == network
        assert clock.logs.get().details["conditions"] == [
            ["organisation", "Acme Oy"],
            ["category", "Network › VPN"],
        ]
        outsider = new_ticket(desk, requester=desk.outsider, category=desk.vpn)
        assert clocks(outsider, Metric.RESOLUTION)[0].policy == sla.policy


class TestStops:
    def test_an_internal_note_is_not_a_response(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        services.add_comment(desk.operator, ticket, "note to self", internal=True)
        assert clocks(ticket, Metric.FIRST_RESPONSE)[0].state == ClockState.RUNNING

    def test_leaving_the_group_stops_its_ola(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        frozen.at(hel(3, 10))
        services.escalate_ticket(desk.operator, ticket, group=desk.network_hel)
        frozen.at(hel(3, 15))
        services.escalate_ticket(desk.specialist, ticket, group=desk.apps)
        ola = clocks(ticket, Metric.OLA)[0]
        assert (ola.state, ola.elapsed_minutes, ola.stopped_at) == (
            ClockState.BREACHED,
            300,
            hel(3, 15),
        )
        stop = ola.logs.get(what=ClockChange.STOPPED_LATE)
        assert stop.details == {"group": "Network Helsinki", "to": "Applications"}
        assert TicketEvent.objects.filter(ticket=ticket, action="sla_breached").count() == 1

    def test_reopening_starts_new_cycles_and_keeps_the_old(self, desk, sla, frozen):
        ticket = new_ticket(desk, group=desk.network_hel)
        frozen.at(hel(3, 10))
        services.resolve_ticket(desk.operator, ticket, code="solved")
        frozen.at(hel(3, 11))
        services.reopen_ticket(desk.requester, ticket, reason="Still broken")
        resolution = clocks(ticket, Metric.RESOLUTION)
        assert [(c.cycle, c.state) for c in resolution] == [
            (1, ClockState.MET),
            (2, ClockState.RUNNING),
        ]
        assert resolution[1].started_at == hel(3, 11)
        assert resolution[1].deadline == hel(4, 11)
        assert [c.cycle for c in clocks(ticket, Metric.OLA)] == [1, 2]
        assert resolution[1].logs.get().why == "reopened"


class TestRecompute:
    def test_a_new_priority_moves_the_deadline_and_says_so(self, desk, sla, frozen):
        SlaTarget.objects.filter(policy=sla.policy, priority=2).update(resolution_minutes=120)
        ticket = new_ticket(desk, impact=2, urgency=3)  # priority 4: 8 h
        frozen.at(hel(3, 10))
        services.update_ticket(desk.operator, ticket, impact=1, urgency=2)  # priority 2: 2 h
        clock = clocks(ticket, Metric.RESOLUTION)[0]
        assert clock.deadline == hel(3, 11)
        log = clock.logs.last()
        assert (log.what, log.why, log.old_deadline, log.new_deadline) == (
            ClockChange.RECOMPUTED,
            "priority",
            hel(4, 9),
            hel(3, 11),
        )
        assert log.details["old_target"] == 480 and log.details["new_target"] == 120

    def test_a_policy_without_a_target_cancels_the_clock(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        SlaTarget.objects.filter(policy=sla.policy).update(first_response_minutes=None)
        engine.recompute_tickets([ticket.pk], why="policy", at=hel(3, 9, 5))
        first = clocks(ticket, Metric.FIRST_RESPONSE)[0]
        assert (first.state, first.deadline) == (ClockState.CANCELLED, None)
        assert not SlaTimer.objects.filter(clock=first, due_at__isnull=False).exists()

    def test_a_calendar_change_recomputes_its_open_clocks(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        sla.office.week = {**sla.office.week, "mon": [["08:00", "12:00"]]}
        frozen.tick(seconds=1)  # Calendar.schedule() caches per (row, updated_at)
        sla.office.save()
        changed = engine.recompute_calendar(sla.office.pk, name="Helsinki office", at=hel(3, 9, 5))
        assert changed == 1  # the first response's hour (09-10) is still Monday morning
        resolution = clocks(ticket, Metric.RESOLUTION)[0]
        assert resolution.deadline == hel(4, 13)  # Mon 09-12 is 3 h, Tue 08-13 is 5 h
        assert resolution.logs.last().why == "calendar"

    def test_a_breach_is_final(self, desk, sla, frozen):
        ticket = new_ticket(desk)
        first = clocks(ticket, Metric.FIRST_RESPONSE)[0]
        breach = first.timers.get(percent=100)
        assert engine.fire_timer(breach.pk, now=hel(3, 10)) == "fired"
        services.update_ticket(desk.operator, ticket, impact=3, urgency=3)
        first.refresh_from_db()
        assert first.state == ClockState.BREACHED
        assert first.deadline == hel(3, 10)
