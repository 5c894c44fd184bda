"""compose_ticket_email: what a requester receives, in their language, never a note."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.mail import replytoken
from tuki.mail.inbound.parsing import parse_message
from tuki.mail.models import Mailbox
from tuki.mail.outbound import compose
from tuki.mail.outbound.compose import compose_ticket_email
from tuki.tickets import services
from tuki.tickets.models import Ticket

FROM = "Acme Service Desk <desk@tuki.example>"


def mail(ticket: Ticket, what: str = "reply", **kwargs):
    options = {"to": ticket.requester.email, "from_email": FROM, "message_id": "m1@tuki.example"}
    return compose_ticket_email(ticket, what=what, **(options | kwargs))


@pytest.fixture
def reply(desk: Desk, incident: Ticket):
    return services.add_comment(desk.operator, incident, "Please restart the <b>VPN</b> client.")


def test_a_reply_carries_the_comment_in_text_and_escaped_html(incident: Ticket, reply) -> None:
    message = mail(incident, comment=reply)
    assert message.subject == f"[{incident.number}] VPN drops every few minutes"
    assert "Please restart the <b>VPN</b> client." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Please restart the &lt;b&gt;VPN&lt;/b&gt; client." in html
    assert "<b>VPN</b>" not in html
    assert "Olli Operator" in message.body
    assert f"/portal/tickets/{incident.number}/" in message.body
    assert message.to == ["maija@acme.fi"]
    assert message.reply_to == ["Acme Service Desk <desk@tuki.example>"]


def test_the_reply_address_carries_the_token_when_the_mailbox_says_so(
    incident: Ticket, reply
) -> None:
    Mailbox.objects.create(name="desk", address="desk@tuki.example", reply_token_address=True)
    message = mail(incident, comment=reply)
    token = replytoken.mac(incident.pk, "maija@acme.fi")
    assert message.reply_to == [f"Acme Service Desk <desk+t{incident.pk}-{token}@tuki.example>"]
    assert replytoken.ticket_proven(message.reply_to, "maija@acme.fi") == incident.pk
    assert replytoken.ticket_proven(message.reply_to, "matti@acme.fi") is None


def test_a_reply_by_a_person_is_not_marked_automatic(incident: Ticket, reply) -> None:
    headers = mail(incident, comment=reply).message()
    assert headers["Auto-Submitted"] is None
    assert headers["X-Auto-Response-Suppress"] is None


@pytest.mark.parametrize("what", ["created", "resolved", "closed"])
def test_messages_the_desk_sends_on_its_own_are_auto_generated(incident: Ticket, what) -> None:
    headers = mail(incident, what).message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["X-Auto-Response-Suppress"] == "All"


def test_threading_headers_are_set_with_angle_brackets(incident: Ticket, reply) -> None:
    message = mail(
        incident,
        comment=reply,
        message_id="<new@tuki.example>",
        in_reply_to="last@acme.fi",
        references=["first@tuki.example", "<last@acme.fi>"],
    ).message()
    assert message["Message-ID"] == "<new@tuki.example>"
    assert message["In-Reply-To"] == "<last@acme.fi>"
    assert message["References"] == "<first@tuki.example> <last@acme.fi>"


def test_without_a_parent_there_are_no_in_reply_to_or_references(incident: Ticket) -> None:
    message = mail(incident, "created").message()
    assert message["In-Reply-To"] is None
    assert message["References"] is None


def test_an_internal_note_is_never_composed(desk: Desk, incident: Ticket) -> None:
    note = services.add_comment(desk.operator, incident, "Password is hunter2", internal=True)
    with pytest.raises(ValueError, match="internal"):
        mail(incident, comment=note)


def test_a_reply_without_a_comment_or_an_unknown_kind_is_refused(incident: Ticket) -> None:
    with pytest.raises(ValueError):
        mail(incident, "reply")
    with pytest.raises(ValueError):
        mail(incident, "escalated")


def test_the_requester_reads_it_in_their_language(desk: Desk, incident: Ticket) -> None:
    desk.requester.language = "fi"
    desk.requester.save()
    incident.refresh_from_db()
    message = mail(incident, "resolved")
    assert message.subject == f"[{incident.number}] Ratkaistu: VPN drops every few minutes"
    assert message.body.startswith("Hei Maija,")
    assert 'lang="fi"' in message.alternatives[0][0]


def test_the_subject_of_a_closed_ticket_is_marked(incident: Ticket) -> None:
    assert (
        mail(incident, "closed").subject
        == f"[{incident.number}] Closed: VPN drops every few minutes"
    )


def test_a_header_injection_in_the_title_does_not_reach_the_headers(incident: Ticket) -> None:
    Ticket.objects.filter(pk=incident.pk).update(title="Hi\r\nBcc: victim@example.com")
    incident.refresh_from_db()
    message = mail(incident, "created").message()
    assert message["Bcc"] is None
    assert message["Subject"] == f"[{incident.number}] Hi Bcc: victim@example.com"


def test_public_attachments_of_the_comment_are_attached(desk: Desk, incident: Ticket) -> None:
    upload = services.Upload(name="steps.txt", content=b"1. restart\n")
    comment = services.add_comment(desk.operator, incident, "See the steps.", uploads=[upload])
    message = mail(incident, comment=comment)
    [(name, content, mimetype)] = message.attachments
    assert name == "steps.txt"
    assert content == "1. restart\n"  # Django hands text/* attachments over decoded
    assert mimetype.startswith("text/plain")


def test_files_over_the_size_budget_are_linked_instead(
    desk: Desk, incident: Ticket, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compose, "MAX_ATTACHED_BYTES", 10)
    uploads = [
        services.Upload(name="small.txt", content=b"12345"),
        services.Upload(name="large.txt", content=b"x" * 100),
    ]
    comment = services.add_comment(desk.operator, incident, "Two files.", uploads=uploads)
    message = mail(incident, comment=comment)
    assert [name for name, _, _ in message.attachments] == ["small.txt"]
    assert "large.txt: http" in message.body
    assert "/portal/attachments/" in message.alternatives[0][0]


def test_what_we_send_parses_back_to_the_same_ticket_and_text(incident: Ticket, reply) -> None:
    parsed = parse_message(mail(incident, comment=reply).message().as_bytes())
    assert parsed.subject.startswith(f"[{incident.number}]")
    assert parsed.message_id == "m1@tuki.example"
    assert "Please restart the <b>VPN</b> client." in parsed.text
    assert parsed.new_text.endswith(f"/portal/tickets/{incident.number}/")
    assert parsed.auto_reasons == []


def test_the_title_and_resolution_are_escaped_in_html(incident: Ticket) -> None:
    Ticket.objects.filter(pk=incident.pk).update(
        title="<script>alert(1)</script>", resolution="Fixed <img src=x onerror=alert(1)>"
    )
    incident.refresh_from_db()
    html = mail(incident, "resolved").alternatives[0][0]
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fixed &lt;img src=x onerror=alert(1)&gt;" in html
    assert "Fixed <img src=x onerror=alert(1)>" in mail(incident, "resolved").body


def test_romanian_requesters_get_romanian_mail(desk: Desk, incident: Ticket) -> None:
    desk.requester.language = "ro"
    desk.requester.save()
    incident.refresh_from_db()
    message = mail(incident, "resolved")
    assert message.subject == f"[{incident.number}] Rezolvat: VPN drops every few minutes"
    assert message.body.startswith("Bună ziua, Maija,")


def test_the_active_language_is_left_as_it_was(desk: Desk, incident: Ticket) -> None:
    from django.utils import translation

    desk.requester.language = "fi"
    desk.requester.save()
    incident.refresh_from_db()
    with translation.override("ro"):
        mail(incident, "created")
        assert translation.get_language() == "ro"


def test_cc_recipients_are_kept(incident: Ticket) -> None:
    message = mail(incident, "created", cc=["matti@acme.fi"])
    assert message.cc == ["matti@acme.fi"]
    assert message.recipients() == ["maija@acme.fi", "matti@acme.fi"]
