"""The chat pages per role: the requester's window, the agent console, the shared doors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tuki.chat import services
from tuki.chat.models import Conversation, ConversationStatus, Message
from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets.models import Channel, Comment, Ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTMX = {"HTTP_HX_REQUEST": "true"}
# Session and user, state, queues, lists, the conversation, its messages and read marks,
# open tickets, agents and queues to pass to, macros.
CONSOLE_QUERIES = 16
PORTAL_QUERIES = 6  # session and user, queues, the open chat, messages, read marks
FRAGMENT_QUERIES = 5  # session and user, the chat, messages, read marks


# --- the requester's window ------------------------------------------------------------------


def test_the_requester_starts_a_chat_and_sees_it_wait(desk, queue) -> None:
    client = desk.client_for(desk.requester)
    page = client.get("/portal/chat/")
    assert page.status_code == 200 and b'id="chat-start-form"' in page.content
    assert b"Hello from the desk!" in page.content
    response = client.post("/portal/chat/start/", {"body": "VPN is down"})
    assert response.status_code == 302
    page = client.get("/portal/chat/")
    assert b"VPN is down" in page.content and b'id="chat-waiting"' in page.content
    assert b'data-live-topics="chat.' in page.content


def test_nobody_available_turns_the_form_into_a_request(desk, queue) -> None:
    desk.operator.chat_state.available = False
    desk.operator.chat_state.save()
    client = desk.client_for(desk.requester)
    page = client.get("/portal/chat/")
    assert b'id="chat-offline"' in page.content
    page = client.post("/portal/chat/start/", {"body": "Printer jammed"})
    assert b'id="chat-offline"' in page.content and b"Printer jammed" in page.content
    response = client.post("/portal/chat/request/", {"body": "Printer jammed"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/portal/tickets/{ticket.number}/"
    assert ticket.channel == Channel.WEB


def test_an_empty_request_is_a_field_error_and_no_ticket(desk, queue) -> None:
    response = desk.client_for(desk.requester).post("/portal/chat/request/", {"body": ""})
    assert response.status_code == 422 and b"Write something first." in response.content
    assert not Ticket.objects.exists()


def test_the_requester_writes_and_sends_a_file(desk, active) -> None:
    client = desk.client_for(desk.requester)
    response = client.post(
        f"/chat/{active.pk}/post/",
        {"body": "See the picture", "file": SimpleUploadedFile("error.png", PNG)},
        **HTMX,
    )
    assert response.status_code == 200 and response["HX-Trigger"] == "chat-posted"
    message = Message.objects.get(filename="error.png")
    assert message.content_type == "image/png"
    download = client.get(f"/chat/files/{message.pk}/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert desk.client_for(desk.colleague).get(f"/chat/files/{message.pk}/").status_code == 404


def test_an_empty_message_is_a_422_with_the_error(desk, active) -> None:
    response = desk.client_for(desk.requester).post(
        f"/chat/{active.pk}/post/", {"body": ""}, **HTMX
    )
    assert response.status_code == 422 and b"Write something first." in response.content


def test_the_saved_ticket_is_shown_to_the_requester(desk, active) -> None:
    ticket = services.convert_to_ticket(desk.operator, active, title="VPN")
    page = desk.client_for(desk.requester).get(f"/chat/{active.pk}/messages/")
    assert b"Your conversation was saved as" in page.content
    assert ticket.number.encode() in page.content


def test_read_marks_show_seen_to_the_writer(desk, active) -> None:
    last = active.messages.last()
    requester = desk.client_for(desk.requester)
    assert requester.post(f"/chat/{active.pk}/read/", {"upto": last.pk}).json() == {"moved": True}
    assert requester.post(f"/chat/{active.pk}/read/", {"upto": "x"}).status_code == 422
    page = desk.client_for(desk.operator).get(f"/chat/{active.pk}/messages/")
    assert b"Seen" in page.content


def test_the_requester_ends_the_chat(desk, active) -> None:
    response = desk.client_for(desk.requester).post(f"/chat/{active.pk}/end/")
    assert response.status_code == 302
    active.refresh_from_db()
    assert active.status == ConversationStatus.ENDED and active.ended_by == desk.requester


def test_the_button_loads_for_requesters_when_a_queue_is_active(desk, queue) -> None:
    assert desk.client_for(desk.requester).get("/portal/chat/button/").status_code == 200
    assert desk.client_for(desk.operator).get("/portal/chat/button/").status_code == 204
    assert Client().get("/portal/chat/button/").status_code == 204
    queue.is_active = False
    queue.save()
    assert desk.client_for(desk.requester).get("/portal/chat/button/").status_code == 204


def test_portal_pages_load_the_button(desk, queue) -> None:
    page = desk.client_for(desk.requester).get("/portal/")
    assert b'hx-get="/portal/chat/button/"' in page.content


# --- embedding -------------------------------------------------------------------------------


def test_the_embed_may_be_framed_only_by_the_listed_origins(desk, queue, settings) -> None:
    client = desk.client_for(desk.requester)
    plain = client.get("/portal/chat/?embed=1")
    assert plain["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in plain["Content-Security-Policy"]
    settings.CHAT_EMBED_ORIGINS = ["https://intranet.example.com"]
    framed = client.get("/portal/chat/?embed=1")
    assert "X-Frame-Options" not in framed
    assert (
        "frame-ancestors 'self' https://intranet.example.com" in framed["Content-Security-Policy"]
    )
    assert b'class="chat-embed"' in framed.content
    page = client.get("/portal/chat/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_the_embed_shows_the_sign_in_link_to_anonymous_visitors(desk, queue) -> None:
    page = Client().get("/portal/chat/?embed=1")
    assert page.status_code == 200 and b'id="chat-signin"' in page.content
    assert Client().get("/portal/chat/").status_code == 302


# --- the agent console -----------------------------------------------------------------------


def test_the_console_lists_waiting_chats_and_an_agent_takes_one(desk, chat) -> None:
    client = desk.client_for(desk.operator)
    page = client.get("/desk/chat/")
    assert page.status_code == 200 and b"My VPN will not connect" in page.content
    assert f'data-live-topics="chatqueue.{desk.service_desk.pk}"'.encode() in page.content
    response = client.post(f"/desk/chat/{chat.pk}/take/")
    assert response.status_code == 302 and response.url == f"/desk/chat/{chat.pk}/"
    page = client.get(response.url)
    assert b'id="chat-composer"' in page.content and b"Maija" in page.content


def test_a_second_agent_is_told_who_took_it(desk, chat, second_operator) -> None:
    desk.client_for(desk.operator).post(f"/desk/chat/{chat.pk}/take/")
    client = desk.client_for(second_operator)
    response = client.post(f"/desk/chat/{chat.pk}/take/", follow=True)
    assert b"Already taken by Olli Operator." in response.content


def test_the_agent_converts_the_chat_to_a_ticket(desk, active) -> None:
    client = desk.client_for(desk.operator)
    response = client.post(
        f"/desk/chat/{active.pk}/ticket/", {"kind": "incident", "title": "VPN down"}, follow=True
    )
    ticket = Ticket.objects.get()
    assert ticket.title == "VPN down" and ticket.channel == Channel.CHAT
    assert f"Saved as {ticket.number}.".encode() in response.content
    detail = client.get(f"/desk/tickets/{ticket.number}/")
    assert b'id="chat-section"' in detail.content
    assert f"/desk/chat/{active.pk}/".encode() in detail.content
    assert Comment.objects.get(ticket=ticket).channel == Channel.CHAT


def test_the_agent_adds_the_chat_to_an_open_ticket(desk, active, incident) -> None:
    client = desk.client_for(desk.operator)
    page = client.get(f"/desk/chat/{active.pk}/")
    assert incident.number.encode() in page.content
    client.post(f"/desk/chat/{active.pk}/join/", {"ticket": incident.number})
    active.refresh_from_db()
    assert active.ticket == incident


def test_knowledge_search_finds_what_the_requester_may_read(desk, active) -> None:
    response = desk.client_for(desk.operator).get(f"/desk/chat/{active.pk}/knowledge/?q=vpn")
    assert response.status_code == 200


def test_macros_are_rendered_for_the_requester(desk, active) -> None:
    from tuki.macros import services as macros

    macros.create_macro(
        desk.operator, name="Greeting", scope="personal", body="Hi {{requester.first_name}}!"
    )
    page = desk.client_for(desk.operator).get(f"/desk/chat/{active.pk}/")
    assert b'data-chat-insert="Hi Maija!"' in page.content


def test_availability_and_heartbeat(desk, queue) -> None:
    client = desk.client_for(desk.operator)
    client.post("/desk/chat/availability/", {"capacity": "4"})
    desk.operator.chat_state.refresh_from_db()
    assert not desk.operator.chat_state.available and desk.operator.chat_state.capacity == 4
    assert client.post("/desk/chat/heartbeat/").status_code == 204


def test_transfer_from_the_console(desk, active, second_operator) -> None:
    client = desk.client_for(desk.operator)
    client.post(f"/desk/chat/{active.pk}/transfer/", {"to": f"agent:{second_operator.pk}"})
    active.refresh_from_db()
    assert active.agent == second_operator


# --- who gets in -----------------------------------------------------------------------------

ROLES = ["requester", "colleague", "outsider", "operator", "specialist", "other_agent", "admin"]


@pytest.mark.parametrize("role", ROLES + ["anonymous"])
def test_who_may_open_the_conversation(desk, active, role) -> None:
    client = Client() if role == "anonymous" else desk.client_for(getattr(desk, role))
    messages = client.get(f"/chat/{active.pk}/messages/")
    console = client.get(f"/desk/chat/{active.pk}/")
    portal = client.get("/portal/chat/")
    expected = {
        "requester": (200, 404, 200),
        "colleague": (404, 404, 200),
        "outsider": (404, 404, 200),
        "operator": (200, 200, 404),
        "specialist": (404, 404, 404),
        "other_agent": (404, 404, 404),
        "admin": (200, 200, 404),
        "anonymous": (302, 302, 302),
    }[role]
    assert (messages.status_code, console.status_code, portal.status_code) == expected
    if role in ("colleague", "outsider"):
        assert b"Hello Maija" not in portal.content


@pytest.mark.parametrize("role", ["requester", "colleague", "specialist", "other_agent"])
def test_only_the_queues_agents_take_end_or_convert(desk, chat, role) -> None:
    client = desk.client_for(getattr(desk, role))
    assert client.post(f"/desk/chat/{chat.pk}/take/").status_code == 404
    assert (
        client.post(f"/desk/chat/{chat.pk}/ticket/", {"kind": "incident", "title": "x"}).status_code
        == 404
    )
    if role != "requester":
        assert client.post(f"/chat/{chat.pk}/end/").status_code == 404
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.WAITING and not Ticket.objects.exists()


def test_an_agent_outside_chat_queues_sees_no_console(desk, queue) -> None:
    assert desk.client_for(desk.specialist).get("/desk/chat/").status_code == 404
    assert desk.client_for(desk.requester).get("/desk/chat/").status_code == 404
    assert desk.client_for(desk.admin).get("/desk/chat/").status_code == 200


# --- query budgets ---------------------------------------------------------------------------


def _more_chats(desk, n: int) -> None:
    from tuki.conftest import make_user

    for i in range(n):
        user = make_user(f"r{i}@acme.fi", f"Requester {i}", organisation=desk.acme)
        services.open_conversation(user, f"Question {i}")


def test_the_console_has_a_fixed_query_budget(desk, active) -> None:
    client = desk.client_for(desk.operator)
    client.get(f"/desk/chat/{active.pk}/")
    with query_budget(CONSOLE_QUERIES, exact=True) as few:
        client.get(f"/desk/chat/{active.pk}/")
    _more_chats(desk, 6)
    for i in range(5):
        services.post_message(desk.operator, active, f"line {i}")
    with query_budget(CONSOLE_QUERIES, exact=True) as many:
        client.get(f"/desk/chat/{active.pk}/")
    assert_same_count(few, many)


def test_the_requester_page_has_a_fixed_query_budget(desk, active) -> None:
    client = desk.client_for(desk.requester)
    client.get("/portal/chat/")
    with query_budget(PORTAL_QUERIES, exact=True) as few:
        client.get("/portal/chat/")
    for i in range(5):
        services.post_message(desk.requester, active, f"line {i}", upload=None)
    with query_budget(PORTAL_QUERIES, exact=True) as many:
        client.get("/portal/chat/")
    assert_same_count(few, many)
    with query_budget(FRAGMENT_QUERIES, exact=True):
        client.get(f"/chat/{active.pk}/messages/")


def test_the_conversation_is_ordered(desk, active) -> None:
    assert list(Conversation.objects.all()) == [active]


def test_ending_in_the_widget_stays_in_the_widget(desk, active) -> None:
    response = desk.client_for(desk.requester).post(f"/chat/{active.pk}/end/", {"embed": "1"})
    assert response.url == f"/portal/chat/?c={active.pk}&embed=1"


def test_the_admin_lists_chat_queues(desk, queue) -> None:
    assert desk.client_for(desk.admin).get("/admin/chat/chatqueue/").status_code == 200
