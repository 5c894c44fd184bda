"""Who sees which ticket: the one helper every view and endpoint fetches through."""

import pytest
from django.http import Http404

from tuki.tickets import access, services
from tuki.tickets.models import Ticket


def visible(user) -> set[int]:
    return set(Ticket.objects.visible_to(user).values_list("pk", flat=True))


class TestRequesters:
    def test_a_requester_sees_their_own_ticket(self, desk, incident):
        assert visible(desk.requester) == {incident.pk}

    def test_a_colleague_sees_nothing_until_granted_the_organisation(self, desk, incident):
        assert visible(desk.colleague) == set()
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        assert visible(desk.colleague) == {incident.pk}

    def test_another_organisation_never_sees_it(self, desk, incident):
        desk.outsider.sees_organisation_tickets = True
        desk.outsider.save()
        assert visible(desk.outsider) == set()

    def test_a_watcher_sees_the_ticket_once(self, desk, incident):
        incident.watchers.add(desk.colleague)
        assert list(Ticket.objects.visible_to(desk.colleague).values_list("pk", flat=True)) == [
            incident.pk
        ]

    def test_the_organisation_grant_does_not_open_restricted_tickets(self, desk, incident):
        services.update_ticket(desk.operator, incident, restricted=True)
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        assert visible(desk.colleague) == set()
        assert visible(desk.requester) == {incident.pk}

    def test_someone_elses_ticket_by_number_is_a_404(self, desk, incident):
        with pytest.raises(Http404):
            access.get_ticket_for_user(desk.outsider, incident.number)
        with pytest.raises(Http404):
            access.get_ticket_for_user(desk.outsider, incident.pk)


class TestAgents:
    def test_agents_see_tickets_of_their_groups(self, desk, escalated):
        assert visible(desk.operator) == {escalated.pk}  # owner group: the desk
        assert visible(desk.specialist) == {escalated.pk}  # assigned group
        assert visible(desk.other_agent) == set()

    def test_a_grant_of_all_tickets_still_respects_restricted(self, desk, escalated):
        desk.other_agent.sees_all_tickets = True
        desk.other_agent.save()
        assert visible(desk.other_agent) == {escalated.pk}
        services.update_ticket(desk.operator, escalated, restricted=True)
        assert visible(desk.other_agent) == set()
        assert visible(desk.specialist) == {escalated.pk}

    def test_administrators_see_everything(self, desk, escalated):
        services.update_ticket(desk.operator, escalated, restricted=True)
        assert visible(desk.admin) == {escalated.pk}

    def test_inactive_users_see_nothing(self, desk, escalated):
        desk.operator.is_active = False
        assert visible(desk.operator) == set()

    def test_a_wrong_prefix_is_a_404(self, desk, incident):
        with pytest.raises(Http404):
            access.get_ticket_for_user(desk.operator, f"REQ-{incident.pk}")
        assert access.get_ticket_for_user(desk.operator, incident.number) == incident


class TestWriting:
    def test_only_groups_that_talk_to_requesters_reply_publicly(self, desk, escalated):
        assert access.can_reply_publicly(desk.operator, escalated)
        assert not access.can_reply_publicly(desk.specialist, escalated)
        assert access.can_note(desk.specialist, escalated)
        assert not access.can_note(desk.requester, escalated)

    def test_services_refuse_an_agent_who_cannot_see_the_ticket(self, desk, escalated):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            services.add_comment(desk.other_agent, escalated, "peek", internal=True)


class TestAgentsAsRequesters:
    def test_an_agent_sees_and_answers_their_own_request_outside_their_groups(self, desk):
        own = services.create_ticket(desk.operator, title="My laptop", requester=desk.specialist)
        services.escalate_ticket(desk.operator, own, group=desk.apps)
        assert own.pk in visible(desk.specialist)
        assert access.can_reply_publicly(desk.specialist, own)
