"""Per-group assignment: round robin and least open work, skipping inactive and away agents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.accounts import services as accounts
from tuki.accounts.models import Absence, SupportGroup
from tuki.routing import services
from tuki.routing.models import RoutingRule
from tuki.tickets import services as ticket_services
from tuki.tickets.models import ActorKind, TicketEvent

pytestmark = pytest.mark.django_db

RR = SupportGroup.Assignment.ROUND_ROBIN
LEAST = SupportGroup.Assignment.LEAST_WORK


def set_mode(group, mode):
    SupportGroup.objects.filter(pk=group.pk).update(assignment=mode)
    group.refresh_from_db()


def away_today(user, **extra):
    today = timezone.now().date()
    return Absence.objects.create(
        user=user, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1), **extra
    )


@pytest.fixture
def to_team(desk, team, new_ticket):
    """Tickets the operator escalates to the team's group; returns who got each."""

    def send(count, **kwargs):
        names = []
        for _ in range(count):
            ticket = new_ticket(group=team.group, **kwargs)
            names.append(ticket.assignee.full_name[0] if ticket.assignee else None)
        return "".join(n or "-" for n in names)

    return send


class TestRoundRobin:
    def test_turns_go_round(self, team, to_team):
        set_mode(team.group, RR)
        assert to_team(7) == "ABCABCA"

    def test_away_and_inactive_agents_are_skipped(self, team, to_team):
        set_mode(team.group, RR)
        assert to_team(1) == "A"
        away_today(team.b)
        assert to_team(4) == "CACA"
        Absence.objects.all().delete()
        team.c.is_active = False
        team.c.save()
        assert to_team(3) == "BAB"  # after A comes B (C is gone)

    def test_non_agents_in_the_group_get_nothing(self, desk, team, to_team):
        team.group.members.add(desk.colleague)  # a requester added by mistake
        set_mode(team.group, RR)
        assert to_team(4) == "ABCA"

    def test_nobody_available_leaves_it_unassigned(self, team, to_team):
        set_mode(team.group, RR)
        for person in (team.a, team.b, team.c):
            away_today(person)
        assert to_team(2) == "--"

    def test_manual_assigns_nothing(self, team, to_team):
        assert team.group.assignment == SupportGroup.Assignment.MANUAL
        assert to_team(2) == "--"

    def test_the_timeline_says_it_was_automatic_and_by_which_mode(self, team, new_ticket):
        set_mode(team.group, RR)
        ticket = new_ticket(group=team.group)
        event = TicketEvent.objects.get(ticket=ticket, action="assigned")
        assert event.actor is None and event.actor_kind == ActorKind.SYSTEM
        assert "round robin" in event.reason
        assert ticket.status.key == "assigned"

    def test_routing_then_assignment(self, desk, team, new_ticket):
        set_mode(team.group, RR)
        RoutingRule.objects.create(
            name="VPN incidents from Bucharest",
            category=desk.vpn,
            location=desk.bucharest,
            group=team.group,
        )
        ticket = new_ticket(category=desk.vpn, requester=desk.outsider)
        assert (ticket.group, ticket.assignee) == (team.group, team.a)
        assert ticket.owner_group == desk.service_desk
        actions = list(
            TicketEvent.objects.filter(ticket=ticket).values_list("action", "actor_kind")
        )
        assert ("escalated", "rule") in actions and ("assigned", "system") in actions

    def test_escalating_an_assigned_ticket_assigns_in_the_new_group(
        self, desk, team, committed, incident
    ):
        set_mode(team.group, RR)
        committed(ticket_services.assign_ticket, desk.operator, incident, assignee=desk.operator)
        committed(ticket_services.escalate_ticket, desk.operator, incident, group=team.group)
        incident.refresh_from_db()
        assert incident.assignee == team.a

    def test_a_person_unassigning_is_respected(self, desk, team, committed, new_ticket):
        set_mode(team.group, RR)
        ticket = new_ticket(group=team.group)
        committed(ticket_services.assign_ticket, desk.admin, ticket, assignee=None)
        ticket.refresh_from_db()
        assert ticket.assignee is None

    def test_an_agent_is_not_handed_their_own_ticket(self, desk, team, committed):
        set_mode(team.group, RR)
        ticket = committed(
            ticket_services.create_ticket,
            desk.operator,
            title="My laptop",
            requester=team.a,
            group=team.group,
        )
        ticket.refresh_from_db()
        assert ticket.assignee == team.b

    def test_auto_assign_twice_changes_nothing(self, team, new_ticket):
        set_mode(team.group, RR)
        ticket = new_ticket(group=team.group)
        assert services.auto_assign(ticket.pk) == "nothing to do"
        assert TicketEvent.objects.filter(ticket=ticket, action="assigned").count() == 1


class TestLeastWork:
    def test_the_least_loaded_member_gets_it(self, desk, team, to_team, new_ticket):
        for person, count in ((team.a, 2), (team.b, 0), (team.c, 1)):
            for _ in range(count):
                new_ticket(group=team.group, assignee=person)
        set_mode(team.group, LEAST)
        # B has 0 → B; then B 1, C 1, A 2 → C (rotation after B); then A2 B1 C2 → B ...
        assert to_team(4) == "BCBC"

    def test_only_open_work_counts(self, desk, team, to_team, new_ticket):
        done = new_ticket(group=team.group, assignee=team.a)
        ticket_services.resolve_ticket(desk.admin, done, code="solved", resolution="Fixed")
        new_ticket(group=team.group, assignee=team.b)
        new_ticket(group=team.group, assignee=team.c)
        set_mode(team.group, LEAST)
        assert to_team(1) == "A"

    def test_away_agents_are_skipped_however_idle(self, team, to_team, new_ticket):
        new_ticket(group=team.group, assignee=team.b)
        new_ticket(group=team.group, assignee=team.c)
        away_today(team.a)
        set_mode(team.group, LEAST)
        assert to_team(2) == "BC"


class TestAwayDates:
    def test_today_is_the_agents_own_day(self, team):
        # 23:30 UTC on 1 June is already 2 June in Bucharest (UTC+3).
        late = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
        Absence.objects.create(
            user=team.a,
            starts_on=late.date() + timedelta(days=1),
            ends_on=late.date() + timedelta(days=3),
        )
        team.b.time_zone = "UTC"
        team.b.save()
        Absence.objects.create(
            user=team.b,
            starts_on=late.date() + timedelta(days=1),
            ends_on=late.date() + timedelta(days=3),
        )
        assert accounts.away_user_ids([team.a, team.b, team.c], late) == {team.a.pk}
        set_mode(team.group, RR)
        assert services.pick_agent(team.group, now=late) == team.b

    def test_agents_keep_their_own_and_managers_their_members(self, desk, team):
        today = timezone.now().date()
        own = accounts.add_absence(desk.specialist, desk.specialist, starts_on=today, ends_on=today)
        assert own.created_by == desk.specialist
        accounts.add_absence(desk.lead, desk.specialist, starts_on=today, ends_on=today)
        accounts.add_absence(desk.admin, team.a, starts_on=today, ends_on=today)
        for actor, user in (
            (desk.lead, team.a),  # not a member of the lead's group
            (desk.other_agent, desk.specialist),
            (desk.requester, desk.requester),
            (desk.operator, desk.specialist),
        ):
            with pytest.raises(PermissionDenied):
                accounts.add_absence(actor, user, starts_on=today, ends_on=today)
        with pytest.raises(PermissionDenied):
            accounts.delete_absence(desk.other_agent, own)
        accounts.delete_absence(desk.lead, own)
        assert Absence.objects.count() == 2

    @pytest.mark.parametrize(
        ("days", "note", "field"),
        [(-1, "", "ends_on"), (400, "", "ends_on"), (0, "x" * 201, "note")],
    )
    def test_bad_dates_name_the_field(self, desk, days, note, field):
        from tuki.lib.errors import ServiceError

        today = timezone.now().date()
        with pytest.raises(ServiceError) as caught:
            accounts.add_absence(
                desk.specialist,
                desk.specialist,
                starts_on=today,
                ends_on=today + timedelta(days=days),
                note=note,
            )
        assert caught.value.field == field
        assert not Absence.objects.exists()


class TestAssignmentMode:
    def test_staff_and_the_groups_manager_set_it(self, desk):
        accounts.set_assignment_mode(desk.lead, desk.network_hel, RR)
        accounts.set_assignment_mode(desk.admin, desk.apps, LEAST)
        for actor, group in (
            (desk.lead, desk.apps),
            (desk.specialist, desk.network_hel),
            (desk.operator, desk.network_hel),
            (desk.requester, desk.network_hel),
        ):
            with pytest.raises(PermissionDenied):
                accounts.set_assignment_mode(actor, group, LEAST)
        desk.network_hel.refresh_from_db()
        assert desk.network_hel.assignment == RR

    def test_an_unknown_mode_is_a_field_error(self, desk):
        from tuki.lib.errors import ServiceError

        with pytest.raises(ServiceError) as caught:
            accounts.set_assignment_mode(desk.admin, desk.apps, "lottery")
        assert caught.value.field == "assignment"
