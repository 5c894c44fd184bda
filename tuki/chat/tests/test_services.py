"""The chat's services: routing, taking, messages, read marks, missed chats, tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.accounts.models import Absence
from tuki.chat import services
from tuki.chat.models import ChatQueue, Conversation, ConversationStatus, Message, ReadMark
from tuki.chat.tests.conftest import online
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload
from tuki.live import bus
from tuki.tickets import services as tickets
from tuki.tickets.models import Attachment, Channel, Comment, Kind, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_routing_offers_only_available_agents_with_capacity(desk, queue, second_operator) -> None:
    assert {u.pk for u in services.available_agents(queue)} == {
        desk.operator.pk,
        second_operator.pk,
    }
    online(second_operator).__class__.objects.filter(user=second_operator).update(available=False)
    assert [u.pk for u in services.available_agents(queue)] == [desk.operator.pk]


def test_an_agent_not_seen_for_a_minute_is_not_offered_chats(desk, queue) -> None:
    desk.operator.chat_state.last_seen = timezone.now() - timedelta(seconds=61)
    desk.operator.chat_state.save()
    assert services.available_agents(queue) == []
    assert not services.can_chat(queue)


def test_an_agent_away_today_is_not_offered_chats(desk, queue) -> None:
    today = timezone.now().date()
    Absence.objects.create(
        user=desk.operator, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=1)
    )
    assert services.available_agents(queue) == []


def test_an_agent_at_capacity_is_not_offered_more(desk, queue, colleague_chat_factory) -> None:
    online(desk.operator, capacity=1)
    colleague_chat_factory(desk.colleague)
    assert services.available_agents(queue) == []


@pytest.fixture
def colleague_chat_factory(desk, queue):
    def make(user):
        conversation = services.open_conversation(user, "Printer")
        return services.accept(desk.operator, conversation)

    return make


def test_opening_a_chat_waits_in_the_default_queue_and_tells_its_agents(
    desk, queue, django_capture_on_commit_callbacks
) -> None:
    with bus.capture() as told, django_capture_on_commit_callbacks(execute=True):
        chat = services.open_conversation(desk.requester, "  My VPN will not connect\nsince today ")
    assert chat.status == ConversationStatus.WAITING
    assert chat.queue == queue and chat.subject == "My VPN will not connect"
    assert chat.messages.get().body == "My VPN will not connect\nsince today"
    assert [(m.topic, m.kind, m.data) for m in told] == [
        (f"chatqueue.{desk.service_desk.pk}", "waiting", {"id": chat.pk})
    ]


def test_messages_reads_and_the_end_are_told_on_the_conversation_topic(
    desk, active, django_capture_on_commit_callbacks
) -> None:
    with bus.capture() as told, django_capture_on_commit_callbacks(execute=True):
        message = services.post_message(desk.requester, active, "Thanks")
        services.mark_read(desk.operator, active, message.pk)
        services.end(desk.operator, active)
    topic = f"chat.{active.pk}"
    assert [(m.topic, m.kind) for m in told] == [
        (topic, "message"),
        (topic, "read"),
        (topic, "ended"),
    ]
    assert told[0].data == {"id": active.pk, "message": message.pk, "author": desk.requester.pk}


def test_who_may_follow_the_chat_topics(desk, active, second_operator) -> None:
    topic, queue_topic = f"chat.{active.pk}", f"chatqueue.{desk.service_desk.pk}"
    assert bus.may_subscribe(desk.requester, topic)
    assert bus.may_subscribe(desk.operator, topic) and bus.may_subscribe(second_operator, topic)
    assert bus.may_subscribe(desk.admin, topic)
    for user in (desk.colleague, desk.outsider, desk.specialist, desk.other_agent):
        assert not bus.may_subscribe(user, topic)
    assert bus.may_subscribe(desk.operator, queue_topic)
    for user in (desk.requester, desk.specialist, desk.other_agent):
        assert not bus.may_subscribe(user, queue_topic)
    assert not bus.may_subscribe(desk.operator, "chat.x")


def test_nobody_available_refuses_the_chat_so_the_page_offers_a_ticket(desk, queue) -> None:
    desk.operator.chat_state.available = False
    desk.operator.chat_state.save()
    with pytest.raises(ServiceError) as refused:
        services.open_conversation(desk.requester, "Help")
    assert refused.value.code == "nobody_available"
    assert not Conversation.objects.exists()
    ticket = services.send_as_request(desk.requester, "Help with my VPN")
    assert ticket.channel == Channel.WEB and ticket.requester == desk.requester
    assert ticket.title == "Help with my VPN"


def test_agents_may_not_open_chats_and_a_second_open_chat_is_refused(desk, chat) -> None:
    with pytest.raises(PermissionDenied):
        services.open_conversation(desk.operator, "Hi")
    with pytest.raises(ServiceError) as refused:
        services.open_conversation(desk.requester, "Again")
    assert refused.value.code == "already_open"


def test_one_winner_when_two_agents_take_a_chat(desk, chat, second_operator) -> None:
    services.accept(desk.operator, Conversation.objects.get(pk=chat.pk))
    with pytest.raises(ServiceError) as lost:
        services.accept(second_operator, Conversation.objects.get(pk=chat.pk))
    assert lost.value.code == "taken"
    assert "Already taken by Olli Operator" in lost.value.message
    chat.refresh_from_db()
    assert chat.agent == desk.operator and chat.status == ConversationStatus.ACTIVE
    assert chat.messages.last().shown == "Olli Operator joined the chat."


def test_agents_outside_the_queue_may_not_take_it(desk, chat) -> None:
    with pytest.raises(PermissionDenied):
        services.accept(desk.specialist, chat)


def test_messages_only_from_participants_and_not_after_the_end(desk, active) -> None:
    with pytest.raises(PermissionDenied):
        services.post_message(desk.colleague, active, "Hi")
    with pytest.raises(ServiceError):
        services.post_message(desk.requester, active, "   ")
    services.post_message(desk.requester, active, "Thanks")
    services.end(desk.requester, active)
    with pytest.raises(ServiceError) as refused:
        services.post_message(desk.requester, active, "One more")
    assert refused.value.code == "ended"


def test_files_are_checked_like_ticket_attachments(desk, active, settings) -> None:
    message = services.post_message(
        desk.requester, active, "", upload=Upload(name="shot.txt", content=PNG)
    )
    assert message.content_type == "image/png" and message.size == len(PNG)
    settings.MAX_ATTACHMENT_SIZE = 10
    with pytest.raises(ServiceError) as refused:
        services.post_message(desk.requester, active, "", upload=Upload("big.bin", PNG))
    assert refused.value.code == "attachment_too_large"
    assert Message.objects.filter(filename="big.bin").count() == 0


def test_read_marks_move_forward_only(desk, active) -> None:
    last = active.messages.last()
    assert services.mark_read(desk.requester, active, last.pk)
    assert not services.mark_read(desk.requester, active, last.pk)
    assert not services.mark_read(desk.requester, active, last.pk - 1)
    assert not services.mark_read(desk.colleague, active, last.pk)
    assert ReadMark.objects.get(user=desk.requester).last_read == last.pk


def test_a_chat_nobody_takes_in_time_is_missed_and_offers_a_request(desk, chat, settings) -> None:
    settings.CHAT_MISSED_MINUTES = 5
    assert services.mark_missed(now=timezone.now() + timedelta(minutes=4)) == 0
    assert services.mark_missed(now=timezone.now() + timedelta(minutes=6)) == 1
    assert services.mark_missed(now=timezone.now() + timedelta(minutes=7)) == 0  # twice: once
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.MISSED
    ticket = services.send_as_request(desk.requester, "Still broken", conversation=chat)
    chat.refresh_from_db()
    assert chat.ticket == ticket
    assert "My VPN will not connect" in ticket.description and "Still broken" in ticket.description


def test_the_requester_page_expires_a_wait_past_the_limit(desk, chat, settings) -> None:
    Conversation.objects.filter(pk=chat.pk).update(
        waiting_since=timezone.now() - timedelta(minutes=settings.CHAT_MISSED_MINUTES + 1)
    )
    chat.refresh_from_db()
    assert services.expire_if_missed(chat).status == ConversationStatus.MISSED


def test_converting_records_the_whole_transcript_as_one_public_chat_comment(desk, active) -> None:
    services.post_message(
        desk.requester, active, "Here is the error", upload=Upload("error.png", PNG)
    )
    ticket = services.convert_to_ticket(desk.operator, active, kind=Kind.REQUEST, title="")
    active.refresh_from_db()
    assert active.ticket == ticket
    assert ticket.channel == Channel.CHAT and ticket.kind == Kind.REQUEST
    assert ticket.requester == desk.requester and ticket.title == "My VPN will not connect"
    comment = Comment.objects.get(ticket=ticket)
    assert comment.channel == Channel.CHAT and not comment.is_internal
    assert comment.author == desk.operator
    for line in (
        "Maija Meikäläinen: My VPN will not connect",
        "Olli Operator joined the chat.",
        "Olli Operator: Hello Maija, let us look.",
        "Maija Meikäläinen: Here is the error [file: error.png]",
    ):
        assert line in comment.body
    assert Attachment.objects.get(ticket=ticket).filename == "error.png"
    with pytest.raises(ServiceError):
        services.convert_to_ticket(desk.operator, active)
    assert Ticket.objects.count() == 1


def test_messages_after_the_conversion_are_appended_when_the_chat_ends(desk, active) -> None:
    ticket = services.convert_to_ticket(desk.operator, active, title="VPN")
    services.post_message(desk.requester, active, "It works now, thanks!")
    services.end(desk.operator, active)
    bodies = list(Comment.objects.filter(ticket=ticket).values_list("body", flat=True))
    assert len(bodies) == 2
    assert "It works now, thanks!" in bodies[1] and "It works now" not in bodies[0]
    assert "saved as" in bodies[1]  # the system line written at the conversion


def test_joining_an_open_ticket_of_the_requester(desk, active, incident) -> None:
    ticket = services.join_ticket(desk.operator, active, incident.number)
    assert ticket == incident
    comment = Comment.objects.filter(ticket=incident).get()
    assert comment.channel == Channel.CHAT and "Hello Maija" in comment.body


def test_joining_another_requesters_ticket_is_refused_whole(desk, active) -> None:
    other = tickets.create_ticket(desk.operator, title="Theirs", requester=desk.colleague)
    with pytest.raises(ServiceError) as refused:
        services.join_ticket(desk.operator, active, other.number)
    assert refused.value.code == "other_requester"
    with pytest.raises(ServiceError):
        services.join_ticket(desk.operator, active, "INC-999999")
    active.refresh_from_db()
    assert active.ticket is None and not Comment.objects.filter(ticket=other).exists()


def test_a_failed_conversion_leaves_no_half_made_ticket(desk, active, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ServiceError("disk full", code="broken")

    monkeypatch.setattr(services.tickets, "add_comment", broken)
    with pytest.raises(ServiceError):
        services.convert_to_ticket(desk.operator, active, title="VPN")
    assert not Ticket.objects.exists()
    active.refresh_from_db()
    assert active.ticket is None


def test_transfer_to_an_agent_and_to_a_queue(desk, active, second_operator) -> None:
    services.transfer(desk.operator, active, to_agent=second_operator)
    active.refresh_from_db()
    assert active.agent == second_operator
    network = ChatQueue.objects.create(group=desk.network_hel, topic="Network")
    services.transfer(second_operator, active, to_queue=network)
    active.refresh_from_db()
    assert active.status == ConversationStatus.WAITING and active.agent is None
    assert active.queue == network
    with pytest.raises(ServiceError):
        services.transfer(desk.specialist, active)


def test_availability_is_for_chat_agents(desk, queue) -> None:
    state = services.set_availability(desk.operator, available=True, capacity=5)
    assert state.capacity == 5
    with pytest.raises(ServiceError):
        services.set_availability(desk.operator, available=True, capacity=0)
    with pytest.raises(PermissionDenied):
        services.set_availability(desk.other_agent, available=True)
    with pytest.raises(PermissionDenied):
        services.set_availability(desk.requester, available=True)


def test_the_missed_chats_job_is_offered_to_the_workers() -> None:
    from tuki.lib import periodic

    assert "chat.mark_missed" in {job.name for job in periodic.jobs()}
