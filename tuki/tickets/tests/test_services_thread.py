"""Swarming's services: consulting, the thread, closing, and who sees the ticket meanwhile
(docs/chat.md). The requester never sees a thread message: not in the portal, the API,
search, notifications or mail."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.lib.errors import ServiceError
from tuki.mail.models import OutboundMessage
from tuki.notifications import receivers
from tuki.notifications.models import Notification, NotificationKind as K
from tuki.search import documents, queries
from tuki.tickets import access, services
from tuki.tickets.models import Comment, EventAction, Ticket, TicketConsultation, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a service call and its after-commit work (notifications, mail, indexing)."""

    def run(fn, *args, **kwargs):
        receivers.forget_pending()
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def consult_apps(desk, ticket: Ticket, body: str = "Can you check the app logs?"):
    return services.consult(desk.operator, ticket, body, group=desk.apps)


def visible(user, ticket: Ticket) -> bool:
    return access.may_see(user, ticket) and ticket.pk in set(
        Ticket.objects.visible_to(user).values_list("pk", flat=True)
    )


class TestConsulting:
    def test_consulting_a_group_keeps_group_assignee_and_owner(self, desk, incident):
        incident = services.take_ticket(desk.operator, incident)
        before = (
            incident.group_id,
            incident.assignee_id,
            incident.owner_id,
            incident.owner_group_id,
        )
        consultation = consult_apps(desk, incident)
        incident.refresh_from_db()
        after = (
            incident.group_id,
            incident.assignee_id,
            incident.owner_id,
            incident.owner_group_id,
        )
        assert before == after
        assert consultation.group == desk.apps and consultation.invited_by == desk.operator
        assert consultation.is_open

    def test_it_records_a_consulted_event_and_the_first_message(self, desk, incident):
        consultation = consult_apps(desk, incident, "Check the mail gateway logs")
        event = TicketEvent.objects.get(ticket=incident, action=EventAction.CONSULTED)
        assert event.new_value == "Applications" and consultation.event == event
        message = Comment.objects.get(ticket=incident, thread=True)
        assert message.is_internal and message.body == "Check the mail gateway logs"
        assert TicketEvent.objects.filter(comment=message, action=EventAction.NOTE).exists()

    def test_a_person_of_a_group(self, desk, incident):
        consultation = services.consult(
            desk.operator, incident, "Help?", group=desk.network_hel, user=desk.specialist
        )
        assert consultation.who == "Sanna Specialist (Network Helsinki)"

    def test_someone_must_be_named(self, desk, incident):
        with pytest.raises(ServiceError) as error:
            services.consult(desk.operator, incident, "Help?")
        assert error.value.field == "group"
        assert not TicketConsultation.objects.exists() and not Comment.objects.exists()

    def test_a_message_is_needed(self, desk, incident):
        with pytest.raises(ServiceError) as error:
            services.consult(desk.operator, incident, "  ", group=desk.apps)
        assert error.value.field == "body"

    def test_a_requester_may_not_be_consulted(self, desk, incident):
        with pytest.raises(ServiceError) as error:
            services.consult(desk.operator, incident, "Help?", user=desk.colleague)
        assert error.value.code == "not_an_agent"

    def test_the_person_must_be_of_the_group_named(self, desk, incident):
        with pytest.raises(ServiceError) as error:
            services.consult(
                desk.operator, incident, "Help?", group=desk.apps, user=desk.specialist
            )
        assert error.value.field == "user" and error.value.code == "not_a_member"

    def test_twice_the_same_is_refused(self, desk, incident):
        consult_apps(desk, incident)
        with pytest.raises(ServiceError) as error:
            consult_apps(desk, incident)
        assert error.value.code == "already_consulted"
        assert TicketConsultation.objects.count() == 1

    def test_a_requester_may_not_consult(self, desk, incident):
        with pytest.raises(PermissionDenied):
            services.consult(desk.requester, incident, "Help?", group=desk.apps)

    def test_an_agent_who_cannot_see_the_ticket_may_not_consult(self, desk, incident):
        with pytest.raises(PermissionDenied):
            services.consult(desk.other_agent, incident, "Help?", group=desk.apps)


class TestVisibility:
    def test_a_consulted_group_sees_the_ticket_while_it_is_open(self, desk, incident):
        assert not visible(desk.other_agent, incident)
        consultation = consult_apps(desk, incident)
        assert visible(desk.other_agent, incident)
        assert access.who_may_see([desk.other_agent], incident) == {desk.other_agent.pk}
        services.close_consultation(desk.operator, incident, consultation)
        assert not visible(desk.other_agent, incident)
        assert access.who_may_see([desk.other_agent], incident) == set()

    def test_a_consulted_person_sees_it_and_their_group_does_not(self, desk, incident):
        desk.network_buc.members.add(desk.lead)
        services.consult(desk.operator, incident, "Help?", user=desk.other_agent)
        assert visible(desk.other_agent, incident)
        assert access.who_may_see([desk.other_agent], incident) == {desk.other_agent.pk}

    def test_the_ticket_stays_out_of_the_consulted_groups_queue(self, desk, incident):
        consult_apps(desk, incident)
        queue = Ticket.objects.visible_to(desk.other_agent).filter(group__in=[desk.apps.pk])
        assert not queue.exists()

    def test_who_may_see_agrees_with_visible_to(self, desk, incident, escalated):
        consult_apps(desk, incident)
        people = [desk.operator, desk.specialist, desk.lead, desk.other_agent, desk.requester]
        for user in people:
            expected = visible(user, incident)
            fresh = type(user).objects.get(pk=user.pk)  # no cached group_ids
            assert (user.pk in access.who_may_see([fresh], incident)) == expected, user

    def test_a_requester_never_sees_thread_messages_anywhere(self, desk, incident, committed):
        consult = services.consult
        committed(consult, desk.operator, incident, "Secret gateway kumquat", group=desk.apps)
        committed(services.post_thread_message, desk.other_agent, incident, "Kumquat found")
        client = desk.client_for(desk.requester)
        portal = client.get(f"/portal/tickets/{incident.number}/")
        assert portal.status_code == 200 and b"umquat" not in portal.content
        api = client.get(f"/api/v1/tickets/{incident.number}/comments")
        assert api.status_code == 200 and "umquat" not in api.content.decode()
        assert client.get(f"/api/v1/tickets/{incident.number}/thread").status_code == 404
        assert not Notification.objects.filter(recipient=desk.requester).exists()
        mailed = OutboundMessage.objects.filter(to_address=desk.requester.email)
        assert not [m for m in mailed if "umquat" in m.subject]


class TestRestricted:
    @pytest.fixture
    def restricted(self, desk, escalated):
        return services.update_ticket(desk.operator, escalated, restricted=True)

    def test_only_its_two_groups_may_be_consulted(self, desk, restricted):
        with pytest.raises(ServiceError) as error:
            consult_apps(desk, restricted)
        assert error.value.code == "restricted" and error.value.field == "group"
        with pytest.raises(ServiceError) as error:
            services.consult(desk.operator, restricted, "Help?", user=desk.other_agent)
        assert error.value.code == "restricted" and error.value.field == "user"
        consultation = services.consult(desk.operator, restricted, "Help?", user=desk.lead)
        assert consultation.is_open

    def test_restricting_ends_the_extra_visibility(self, desk, escalated):
        consult_apps(desk, escalated)
        assert visible(desk.other_agent, escalated)
        services.update_ticket(desk.operator, escalated, restricted=True)
        assert not visible(desk.other_agent, escalated)
        assert access.who_may_see([desk.other_agent], escalated) == set()

    def test_mentioning_an_outsider_is_refused(self, desk, restricted):
        services.consult(desk.operator, restricted, "Help?", user=desk.lead)
        with pytest.raises(ServiceError) as error:
            services.post_thread_message(desk.operator, restricted, "@apps can you look?")
        assert error.value.code == "restricted"
        assert Comment.objects.filter(thread=True).count() == 1


class TestThread:
    def test_a_message_needs_an_open_consultation(self, desk, incident):
        with pytest.raises(ServiceError) as error:
            services.post_thread_message(desk.operator, incident, "Anyone?")
        assert error.value.code == "no_consultation"
        consultation = consult_apps(desk, incident)
        services.close_consultation(desk.operator, incident, consultation)
        with pytest.raises(ServiceError):
            services.post_thread_message(desk.operator, incident, "Anyone?")

    def test_the_consulted_answer_and_the_thread_stays_after_closing(self, desk, incident):
        consultation = consult_apps(desk, incident)
        answer = services.post_thread_message(desk.other_agent, incident, "Logs are clean")
        assert answer.thread and answer.is_internal and answer.author == desk.other_agent
        closed = services.close_consultation(desk.other_agent, incident, consultation)
        assert closed.closed_by == desk.other_agent and not closed.is_open
        assert Comment.objects.filter(ticket=incident, thread=True).count() == 2
        assert TicketEvent.objects.filter(action=EventAction.CONSULTATION_CLOSED).count() == 1

    def test_closing_twice_is_refused(self, desk, incident):
        consultation = consult_apps(desk, incident)
        services.close_consultation(desk.operator, incident, consultation)
        with pytest.raises(ServiceError) as error:
            services.close_consultation(desk.operator, incident, consultation)
        assert error.value.code == "closed"

    def test_a_requester_may_not_write_in_the_thread(self, desk, incident):
        consult_apps(desk, incident)
        with pytest.raises(PermissionDenied):
            services.post_thread_message(desk.requester, incident, "Me too")

    def test_mentioning_an_agent_who_cannot_see_it_invites_them(self, desk, incident):
        consult_apps(desk, incident)
        assert not visible(desk.specialist, incident)
        services.post_thread_message(desk.operator, incident, "@specialist any VPN issue?")
        invited = TicketConsultation.objects.get(user=desk.specialist)
        assert invited.is_open and invited.invited_by == desk.operator
        assert invited.event.reason == "Mentioned in the consultation thread."
        assert visible(desk.specialist, incident)

    def test_mentioning_who_sees_it_already_invites_nobody(self, desk, incident):
        consult_apps(desk, incident)
        services.post_thread_message(desk.other_agent, incident, "@operator done")
        assert TicketConsultation.objects.count() == 1


class TestNotifications:
    def test_the_consulted_groups_members_are_asked(self, desk, incident, committed):
        committed(consult_apps, desk, incident, "Can you check the mail gateway logs?")
        asked = Notification.objects.get(kind=K.CONSULTED)
        assert asked.recipient == desk.other_agent
        assert asked.text == (
            f"Olli Operator asks for your help on {incident.number}: "
            "Can you check the mail gateway logs?"
        )

    def test_a_consulted_person_is_asked_and_mailed(self, desk, incident, committed):
        committed(services.consult, desk.operator, incident, "Look?", user=desk.specialist)
        asked = Notification.objects.get(kind=K.CONSULTED)
        assert asked.recipient == desk.specialist
        assert OutboundMessage.objects.filter(to_address=desk.specialist.email).exists()

    def test_a_mention_in_the_thread_reaches_the_mentioned(self, desk, escalated, committed):
        committed(services.consult, desk.operator, escalated, "Look?", user=desk.other_agent)
        committed(services.post_thread_message, desk.other_agent, escalated, "@lead please see")
        told = Notification.objects.filter(recipient=desk.lead).values_list("kind", flat=True)
        assert K.MENTION in told

    def test_an_invited_agent_is_told(self, desk, incident, committed):
        committed(consult_apps, desk, incident)
        committed(services.post_thread_message, desk.operator, incident, "@specialist see this")
        told = set(
            Notification.objects.filter(recipient=desk.specialist).values_list("kind", flat=True)
        )
        assert told & {K.CONSULTED, K.MENTION}

    def test_thread_messages_reach_the_consulted_person_and_the_inviter(
        self, desk, incident, committed
    ):
        committed(services.consult, desk.operator, incident, "Look?", user=desk.other_agent)
        committed(services.post_thread_message, desk.other_agent, incident, "Found it")
        told = Notification.objects.filter(kind=K.THREAD_MESSAGE, recipient=desk.operator)
        assert told.exists()


class TestSearch:
    def test_an_agent_finds_a_thread_message_and_the_requester_does_not(
        self, desk, incident, committed
    ):
        committed(consult_apps, desk, incident, "Quokka gateway timeout")
        documents.rebuild(documents.TICKET)

        def found(user, portal=False):
            results, _total = queries.run(
                user, queries.Filters(q="quokka"), portal=portal, limit=10
            )
            return {r.label for r in results}

        assert incident.number in found(desk.operator)
        assert incident.number in found(desk.other_agent)  # consulted
        assert found(desk.requester) == set() and found(desk.requester, portal=True) == set()
