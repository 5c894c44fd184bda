"""Held messages: an agent reads one as text and accepts or rejects it; who may, per role."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.mail import services
from tuki.mail.models import InboundMessage, Mailbox, OutboundMessage, Proof
from tuki.mail.tests.mails import mail
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, Ticket
from tuki.tickets.tests.test_browser_story import sign_in


@pytest.fixture
def ticket(desk) -> Ticket:
    return tickets.create_ticket(
        desk.operator,
        title="VPN drops",
        description="Since this morning.",
        requester=desk.requester,
        channel=Channel.PHONE,
    )


@pytest.fixture
def held(desk, mailbox, ticket) -> InboundMessage:
    """A reply "from" the requester that nothing proves, with a remote image in its HTML."""
    raw = mail(
        "Still broken <img src=https://tracker.example/p.gif>",
        subject=f"Re: [{ticket.number}] VPN drops",
        message_id="held@acme.fi",
    )
    result = services.ingest_message(raw, mailbox)
    assert result.status == "held"
    return result.inbound


@pytest.fixture
def waiting(desk, mailbox) -> InboundMessage:
    """Mail that came before the desk was set up: it names no ticket."""
    desk.service_desk.is_active = False
    desk.service_desk.save()
    result = services.ingest_message(mail(message_id="early@acme.fi"), mailbox)
    desk.service_desk.is_active = True
    desk.service_desk.save()  # the on-commit release never runs here: it stays held
    assert result.inbound.reason_code == "no_desk"
    return result.inbound


def client(desk, role: str):
    from django.test import Client

    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


# Who may read (and so accept or reject) which held message.
READERS = {
    "anonymous": (False, False),
    "requester": (False, False),
    "outsider": (False, False),
    "other_agent": (False, False),  # Applications: does not see the Service Desk's ticket
    "operator": (True, False),  # sees the ticket; mail without a ticket is the admin's
    "admin": (True, True),
}


@pytest.mark.parametrize("role", READERS)
def test_who_may_read_a_held_message(desk, held, waiting, role):
    may_ticket, may_waiting = READERS[role]
    browser = client(desk, role)
    for message, allowed in ((held, may_ticket), (waiting, may_waiting)):
        response = browser.get(f"/mail/held/{message.pk}/")
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"]
        else:
            assert response.status_code == (200 if allowed else 404), (role, message.pk)
    listing = browser.get("/mail/held/")
    if role in ("anonymous", "requester", "outsider"):
        assert listing.status_code == 302
    else:
        page = listing.content.decode()
        assert (f"/mail/held/{held.pk}/" in page) == may_ticket
        assert (f"/mail/held/{waiting.pk}/" in page) == may_waiting


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("action", ["accept", "reject"])
def test_who_may_accept_or_reject(desk, held, ticket, role, action):
    response = client(desk, role).post(f"/mail/held/{held.pk}/{action}/")
    held.refresh_from_db()
    if READERS[role][0]:
        assert response.status_code == 302
        assert held.status == ("processed" if action == "accept" else "rejected")
    else:
        assert response.status_code in (302, 404)
        if role == "anonymous":
            assert "/login/" in response["Location"]
        assert held.status == "held"
        assert not ticket.comments.exists()


def test_the_page_shows_the_text_and_nothing_remote(desk, held):
    page = desk.client_for(desk.operator).get(f"/mail/held/{held.pk}/").content.decode()
    assert "Still broken" in page
    assert '<img src="https://tracker.example' not in page and "<img src=https" not in page
    assert "maija@acme.fi" in page


def test_accepting_applies_the_reply_as_its_sender_s(desk, held, ticket):
    desk.client_for(desk.operator).post(f"/mail/held/{held.pk}/accept/")
    held.refresh_from_db()
    comment = ticket.comments.get()
    assert (comment.author, comment.is_internal) == (desk.requester, False)
    assert (held.status, held.proof, held.reviewed_by) == ("processed", Proof.AGENT, desk.operator)
    assert held.comment == comment


def test_rejecting_does_nothing_with_it(desk, held, ticket):
    desk.client_for(desk.operator).post(f"/mail/held/{held.pk}/reject/")
    held.refresh_from_db()
    assert (held.status, held.reviewed_by) == ("rejected", desk.operator)
    assert not ticket.comments.exists()
    assert not OutboundMessage.objects.filter(what="reply").exists()


def test_a_message_is_reviewed_once(desk, held):
    operator = desk.client_for(desk.operator)
    operator.post(f"/mail/held/{held.pk}/reject/")
    assert operator.post(f"/mail/held/{held.pk}/accept/").status_code == 404
    held.refresh_from_db()
    assert held.status == "rejected"


def test_the_ticket_page_lists_its_held_messages(desk, held, ticket):
    page = desk.client_for(desk.operator).get(ticket.get_absolute_url()).content.decode()
    assert 'id="held-mail"' in page and f"/mail/held/{held.pk}/" in page


def test_a_mailbox_s_held_messages(desk, held, mailbox):
    other = Mailbox.objects.create(name="other", address="other@tuki.test")
    admin = desk.client_for(desk.admin)
    assert (
        f"/mail/held/{held.pk}/" in admin.get(f"/mail/held/?mailbox={mailbox.pk}").content.decode()
    )
    assert (
        f"/mail/held/{held.pk}/"
        not in admin.get(f"/mail/held/?mailbox={other.pk}").content.decode()
    )
    assert admin.get("/mail/held/?mailbox=%C2%B9%C2%B3").status_code == 200  # "¹³" is no id


@pytest.mark.browser
def test_held_pages_in_a_browser(chromium: Any, live_server: Any, desk, held, shoot) -> None:
    base = live_server.url
    page = sign_in(chromium, base, desk.operator.email)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/mail/held/")
        shoot(page, f"held-list-{width}")
        page.goto(f"{base}/mail/held/{held.pk}/")
        shoot(page, f"held-detail-{width}")
    page.click("form[action$='/accept/'] button")
    page.wait_for_url(lambda url: "/desk/tickets/" in url)
    shoot(page, "accepted-ticket-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    shoot(page, "accepted-ticket-1280")
    held.refresh_from_db()
    assert held.status == "processed"
