"""Replies join their ticket, and only a sender who may see it posts into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail as outbox

from tuki.mail import services
from tuki.mail.models import ClosedReplies, InboundMessage, Mailbox, OutboundMessage
from tuki.mail.tests.mails import TRUSTED_SERVER, mail
from tuki.tickets import services as tickets
from tuki.tickets.models import LinkType, Status, Ticket, TicketLink

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def mailbox(desk) -> Mailbox:
    return Mailbox.objects.create(
        name="support", address="support@tuki.test", trusted_authserv_ids=TRUSTED_SERVER
    )


@pytest.fixture
def emailed(desk, mailbox) -> Ticket:
    """A ticket the requester opened by email (message id opened@acme.fi)."""
    services.ingest_message(mail(message_id="opened@acme.fi"), mailbox)
    return Ticket.objects.get()


def ack_id(ticket: Ticket) -> str:
    return OutboundMessage.objects.filter(ticket=ticket, what="created").get().message_id


def ingest(raw: bytes, mailbox: Mailbox) -> services.IngestResult:
    result = services.ingest_message(raw, mailbox)
    assert result.status == "processed", result.reason
    return result


class TestJoining:
    def test_in_reply_to_a_message_tuki_sent_joins_its_ticket(self, desk, mailbox, emailed):
        result = ingest(mail("More detail", subject="Re: hm", in_reply_to=ack_id(emailed)), mailbox)
        assert result.inbound.ticket == emailed and result.inbound.action == "reply"
        comment = emailed.comments.get()
        assert (comment.author, comment.body, comment.channel) == (
            desk.requester,
            "More detail",
            "email",
        )

    def test_references_to_a_message_tuki_received_join_its_ticket(self, desk, mailbox, emailed):
        raw = mail(
            "Also this",
            subject="other",
            references="unknown@x.example opened@acme.fi",
            proven=True,
        )
        assert ingest(raw, mailbox).inbound.ticket == emailed

    def test_the_number_in_the_subject_joins_its_ticket(self, desk, mailbox, emailed):
        raw = mail("Still broken", subject=f"Re: [{emailed.number}] VPN", proven=True)
        result = ingest(raw, mailbox)
        assert result.inbound.ticket == emailed

    def test_references_tuki_never_saw_match_nothing(self, desk, mailbox, emailed):
        raw = mail(
            "Hi", subject="Fwd: something", in_reply_to="foreign@x.example", references="a@x b@y"
        )
        result = ingest(raw, mailbox)
        assert result.inbound.ticket != emailed and result.inbound.action == "created"

    def test_a_reply_to_a_merged_ticket_lands_in_the_ticket_it_was_merged_into(
        self, desk, mailbox, emailed, incident
    ):
        tickets.merge_tickets(desk.operator, emailed, incident)
        result = ingest(mail("Any news?", in_reply_to=ack_id(emailed)), mailbox)
        assert result.inbound.ticket == incident

    def test_a_new_ticket_does_not_keep_a_stale_number_in_its_title(self, desk, mailbox):
        result = ingest(mail(subject="Re: [INC-99999] printer"), mailbox)
        assert result.inbound.ticket.title == "Re: printer"


class TestWhoMayPost:
    def test_a_stranger_quoting_a_ticket_number_gets_a_new_ticket(self, desk, mailbox, emailed):
        raw = mail("Let me in", sender="ion@globex.ro", subject=f"Re: [{emailed.number}] VPN")
        result = ingest(raw, mailbox)
        assert result.inbound.ticket != emailed and result.inbound.ticket.requester == desk.outsider
        assert emailed.number in result.reason
        assert not emailed.comments.exists()

    def test_a_stranger_replying_to_tuki_s_message_gets_a_new_ticket(self, desk, mailbox, emailed):
        raw = mail("Forwarded to me", sender="matti@acme.fi", in_reply_to=ack_id(emailed))
        result = ingest(raw, mailbox)
        assert result.inbound.ticket.requester == desk.colleague
        assert not emailed.comments.exists()

    def test_a_watcher_may_reply(self, desk, mailbox, emailed):
        emailed.watchers.add(desk.colleague)
        result = ingest(
            mail(
                "I see it too", sender="matti@acme.fi", subject=f"[{emailed.number}]", proven=True
            ),
            mailbox,
        )
        assert result.inbound.ticket == emailed

    def test_an_agent_s_reply_is_public_and_mailed_to_the_requester(
        self, desk, mailbox, emailed, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            raw = mail(
                "Restart the client",
                sender="operator@tuki.test",
                subject=f"[{emailed.number}]",
                proven=True,
            )
            result = ingest(raw, mailbox)
        comment = result.inbound.comment
        assert not comment.is_internal and comment.author == desk.operator
        assert outbox.outbox[-1].to == ["maija@acme.fi"]
        assert "Restart the client" in outbox.outbox[-1].body

    def test_a_specialist_s_reply_is_an_internal_note(self, desk, mailbox, emailed):
        tickets.escalate_ticket(desk.operator, emailed, group=desk.network_hel)
        raw = mail(
            "Port flapping",
            sender="specialist@tuki.test",
            subject=f"[{emailed.number}]",
            proven=True,
        )
        result = ingest(raw, mailbox)
        assert result.inbound.comment.is_internal and result.inbound.action == "note"
        assert not OutboundMessage.objects.filter(what="reply").exists()

    def test_an_agent_who_may_not_see_the_ticket_does_not_post_into_it(
        self, desk, mailbox, emailed
    ):
        raw = mail("Hi", sender="apps@tuki.test", subject=f"[{emailed.number}]", proven=True)
        assert ingest(raw, mailbox).inbound.ticket != emailed


class TestClosedAndResolved:
    def test_a_reply_to_a_resolved_ticket_reopens_it(self, desk, mailbox, emailed):
        tickets.resolve_ticket(desk.operator, emailed, code="solved")
        result = ingest(mail("Still broken", in_reply_to=ack_id(emailed)), mailbox)
        emailed.refresh_from_db()
        assert emailed.status.category == "open" and emailed.reopen_count == 1
        assert result.inbound.action == "reopened"

    def test_a_reply_to_a_closed_ticket_reopens_it_by_default(self, desk, mailbox, emailed):
        tickets.resolve_ticket(desk.operator, emailed, code="solved")
        tickets.close_ticket(desk.operator, emailed)
        ingest(mail("Broken again", subject=f"Re: [{emailed.number}]", proven=True), mailbox)
        emailed.refresh_from_db()
        assert emailed.status.category == "open" and emailed.closed_at is None
        assert emailed.comments.last().body == "Broken again"

    def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up_when_set(
        self, desk, mailbox, emailed
    ):
        mailbox.closed_replies = ClosedReplies.FOLLOW_UP
        mailbox.save()
        tickets.resolve_ticket(desk.operator, emailed, code="solved")
        tickets.close_ticket(desk.operator, emailed)
        raw = mail("Broken again", subject=f"Re: [{emailed.number}] VPN", proven=True)
        result = ingest(raw, mailbox)
        follow_up = result.inbound.ticket
        assert follow_up != emailed and result.inbound.action == "follow_up"
        assert follow_up.title == "Re: VPN" and follow_up.description.startswith("Broken again")
        assert TicketLink.objects.filter(
            source=follow_up, target=emailed, type=LinkType.RELATED
        ).exists()
        emailed.refresh_from_db()
        assert emailed.status.key == "closed"


class TestAutomaticMessages:
    def test_an_out_of_office_on_a_ticket_is_a_note_that_changes_nothing(
        self, desk, mailbox, emailed, django_capture_on_commit_callbacks
    ):
        tickets.change_status(desk.operator, emailed, Status.objects.get(key="pending_customer"))
        raw = mail(
            "I am away until Monday.",
            subject="Automatic reply: VPN",
            in_reply_to=ack_id(emailed),
            headers={"Auto-Submitted": "auto-replied"},
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(raw, mailbox)
        assert result.inbound.action == "auto_note" and result.inbound.is_auto
        note = result.inbound.comment
        assert note.is_internal and note.author is None and "away until Monday" in note.body
        emailed.refresh_from_db()
        assert emailed.status.key == "pending_customer"
        assert outbox.outbox == []

    def test_an_automatic_message_may_open_a_ticket_but_is_never_answered(
        self, desk, mailbox, django_capture_on_commit_callbacks
    ):
        raw = mail(
            "Disk full on srv1",
            sender="monitor@acme.fi",
            headers={"Auto-Submitted": "auto-generated"},
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = ingest(raw, mailbox)
        assert result.inbound.action == "created"
        ack = OutboundMessage.objects.get()
        assert ack.status == "skipped" and "automatic" in ack.reason
        assert outbox.outbox == []


class TestCorpus:
    """The development corpus (tests/corpus/README.md): every message opens its own ticket."""

    EXPECTED = {
        "all-special-chars.eml": ("Testovácí email", "íářčšáíéřášč"),
        "blank-body-with-attachment.eml": (None, ""),
        "forwarded-message.eml": ("Test with original message from GitHub", "This is email body"),
        "pgp.eml": (
            "example email that crashes django-helpdesk get_email",
            "hi, thanks for looking into this :)",
        ),
        "quoted_printable.eml": ("Český test", "Tohle je test českých písmen odeslaných z gmailu."),
        "utf-nondecodable.eml": ("Fwd: Cyklozaměstnavatel - změna vyhodnocení", "prosazuje lepší"),
    }

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_each_message_opens_a_ticket_with_its_title_and_text(self, desk, mailbox, name):
        result = services.ingest_message((CORPUS / name).read_bytes(), mailbox)
        assert result.status == "processed", result.reason
        ticket = result.inbound.ticket
        title, text = self.EXPECTED[name]
        if title is not None:
            assert ticket.title == title
        assert text in ticket.description
        assert result.inbound.action == "created"

    def test_the_long_subject_is_cut_to_the_title_length(self, desk, mailbox):
        raw = (CORPUS / "blank-body-with-attachment.eml").read_bytes()
        ticket = services.ingest_message(raw, mailbox).inbound.ticket
        assert len(ticket.title) <= 200 and ticket.description.strip() == ""
        [attachment] = ticket.attachments.all()
        assert attachment.filename == "baf"
        assert attachment.file.read() == b"You shouldn't see this.\n"

    def test_a_forwarded_message_with_foreign_threading_ids_joins_no_ticket(
        self, desk, mailbox, emailed
    ):
        raw = (CORPUS / "utf-nondecodable.eml").read_bytes()
        result = services.ingest_message(raw, mailbox)
        assert result.inbound.ticket != emailed and result.inbound.action == "created"
        assert not emailed.comments.exists()

    def test_every_corpus_message_is_taken_in_once(self, desk, mailbox):
        for path in sorted(CORPUS.glob("*.eml")):
            services.ingest_message(path.read_bytes(), mailbox)
            assert services.ingest_message(path.read_bytes(), mailbox).status == "duplicate"
        assert InboundMessage.objects.filter(status="processed").count() == 6
