"""Taking in one message: a ticket, exactly once, or quarantine with a reason."""

from __future__ import annotations

import pytest
from django.core import mail as outbox
from django.db import OperationalError

from tuki.accounts.models import User
from tuki.mail import services
from tuki.mail.inbound import intake
from tuki.mail.models import InboundMessage, OutboundMessage, UnknownSenders
from tuki.mail.tests.mails import mail
from tuki.tickets.models import Channel, Ticket


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what services schedule after commit (outbound mail) as the real transaction would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


class TestNewTickets:
    def test_a_message_from_a_requester_opens_a_ticket_and_is_acknowledged(
        self, desk, mailbox, on_commit
    ):
        result = on_commit(services.ingest_message, mail(message_id="first@acme.fi"), mailbox)
        assert result.status == "processed"
        ticket = Ticket.objects.get()
        assert result.ticket_number == ticket.number
        assert ticket.requester == desk.requester
        assert ticket.channel == Channel.EMAIL
        assert ticket.title == "VPN keeps dropping"
        assert "drops every few minutes" in ticket.description
        assert ticket.events.get(action="created").actor_kind == "email"
        inbound = InboundMessage.objects.get()
        assert (inbound.ticket, inbound.action, inbound.message_id) == (
            ticket,
            "created",
            "first@acme.fi",
        )
        [ack] = outbox.outbox
        assert ack.to == ["maija@acme.fi"] and f"[{ticket.number}]" in ack.subject
        assert ack.message()["In-Reply-To"] == "<first@acme.fi>"
        assert "support@tuki.test" in ack.from_email

    def test_the_mailbox_decides_kind_group_and_category(self, desk, mailbox):
        mailbox.kind, mailbox.group, mailbox.category = "request", desk.network_hel, desk.vpn
        mailbox.save()
        services.ingest_message(mail(), mailbox)
        ticket = Ticket.objects.get()
        assert (ticket.kind, ticket.group, ticket.category) == (
            "request",
            desk.network_hel,
            desk.vpn,
        )
        assert ticket.owner_group == desk.service_desk

    def test_without_a_mailbox_the_defaults_apply(self, desk):
        result = services.ingest_message(mail())
        assert result.status == "processed"
        assert Ticket.objects.get().group == desk.service_desk

    def test_an_empty_subject_gets_a_title(self, desk, mailbox):
        services.ingest_message(mail(subject=""), mailbox)
        assert Ticket.objects.get().title == "(no subject)"

    def test_attachments_are_kept_and_oversized_ones_named_in_a_note(self, desk, mailbox, settings):
        settings.MAX_ATTACHMENT_SIZE = 1000
        files = [
            ("log.txt", b"small log\n", "text/plain"),
            ("dump.bin", b"x" * 2000, "application/octet-stream"),
        ]
        services.ingest_message(mail(attachments=files), mailbox)
        ticket = Ticket.objects.get()
        assert [a.filename for a in ticket.attachments.all()] == ["log.txt"]
        note = ticket.comments.get()
        assert note.is_internal and "dump.bin" in note.body

    def test_cc_d_known_users_who_may_see_the_ticket_become_watchers(self, desk, mailbox):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        cc = "Matti <MATTI@acme.fi>, stranger@nowhere.example, support@tuki.test, ion@globex.ro"
        services.ingest_message(mail(cc=cc, proven=True), mailbox)
        ticket = Ticket.objects.get()
        assert list(ticket.watchers.all()) == [desk.colleague]
        assert not User.objects.filter(email="stranger@nowhere.example").exists()


class TestSenders:
    def test_an_unknown_sender_becomes_a_requester_of_the_organisation_owning_the_domain(
        self, desk, mailbox
    ):
        services.ingest_message(mail(sender="Pekka Uusi <pekka@ACME.fi>"), mailbox)
        user = User.objects.get(email="pekka@acme.fi")
        assert (user.full_name, user.organisation, user.is_agent) == (
            "Pekka Uusi",
            desk.acme,
            False,
        )
        assert not user.has_usable_password()
        assert Ticket.objects.get().requester == user

    def test_an_unknown_domain_falls_back_to_the_mailbox_organisation(self, desk, mailbox):
        mailbox.organisation = desk.globex
        mailbox.save()
        services.ingest_message(mail(sender="someone@gmail.example"), mailbox)
        assert User.objects.get(email="someone@gmail.example").organisation == desk.globex

    def test_a_mailbox_may_refuse_unknown_senders(self, desk, mailbox):
        mailbox.unknown_senders = UnknownSenders.REFUSE
        mailbox.save()
        result = services.ingest_message(mail(sender="pekka@acme.fi"), mailbox)
        assert result.status == "quarantined"
        assert result.inbound.reason_code == "unknown_sender"
        assert "pekka@acme.fi" in result.reason
        assert (
            not Ticket.objects.exists() and not User.objects.filter(email="pekka@acme.fi").exists()
        )

    def test_an_inactive_user_is_refused(self, desk, mailbox):
        User.objects.filter(pk=desk.requester.pk).update(is_active=False)
        result = services.ingest_message(mail(), mailbox)
        assert (result.status, result.inbound.reason_code) == ("quarantined", "inactive_sender")

    def test_a_message_without_a_sender_is_quarantined(self, desk, mailbox):
        result = services.ingest_message(mail(sender=""), mailbox)
        assert (result.status, result.inbound.reason_code) == ("quarantined", "no_sender")
        assert not Ticket.objects.exists()


class TestExactlyOnce:
    def test_the_same_message_twice_makes_one_ticket_and_one_acknowledgement(
        self, desk, mailbox, on_commit
    ):
        raw = mail(message_id="once@acme.fi")
        first = on_commit(services.ingest_message, raw, mailbox)
        second = on_commit(services.ingest_message, raw, mailbox)
        assert (first.status, second.status) == ("processed", "duplicate")
        assert second.ticket_number == first.ticket_number
        assert Ticket.objects.count() == 1 and len(outbox.outbox) == 1

    def test_the_same_message_id_in_another_copy_is_a_duplicate(self, desk, mailbox):
        services.ingest_message(mail(message_id="same@acme.fi"), mailbox)
        again = services.ingest_message(mail("Other bytes", message_id="same@acme.fi"), mailbox)
        assert again.status == "duplicate" and Ticket.objects.count() == 1

    def test_without_a_message_id_the_bytes_decide(self, desk, mailbox):
        raw = mail(message_id="")
        assert services.ingest_message(raw, mailbox).status == "processed"
        assert services.ingest_message(raw, mailbox).status == "duplicate"
        assert (
            services.ingest_message(mail("Different", message_id=""), mailbox).status == "processed"
        )
        assert Ticket.objects.count() == 2
        assert InboundMessage.objects.filter(key__startswith="r:").count() == 2

    def test_a_racing_worker_that_claimed_the_message_first_wins(self, desk, mailbox, monkeypatch):
        raw = mail(message_id="race@acme.fi")

        def other_worker_claims(name: str) -> None:
            if name == "ingest.before_claim":
                InboundMessage.objects.create(
                    key=services.message_key("race@acme.fi", ""),
                    message_id="race@acme.fi",
                    digest="-",
                    raw=b"",
                    status="processed",
                )

        monkeypatch.setattr(services, "checkpoint", other_worker_claims)
        result = services.ingest_message(raw, mailbox)
        assert result.status == "duplicate"
        assert not Ticket.objects.exists() and InboundMessage.objects.count() == 1

    def test_a_crash_before_commit_leaves_nothing_and_a_retry_takes_it_once(
        self, desk, mailbox, monkeypatch
    ):
        class Killed(BaseException):
            pass

        def crash(name: str) -> None:
            if name == "ingest.before_commit":
                raise Killed

        raw = mail(message_id="crash@acme.fi")
        monkeypatch.setattr(services, "checkpoint", crash)
        with pytest.raises(Killed):
            services.ingest_message(raw, mailbox)
        assert not InboundMessage.objects.exists() and not Ticket.objects.exists()
        monkeypatch.undo()
        assert services.ingest_message(raw, mailbox).status == "processed"
        assert services.ingest_message(raw, mailbox).status == "duplicate"
        assert Ticket.objects.count() == 1 and OutboundMessage.objects.count() == 1


class TestBadInput:
    def test_a_database_outage_is_transient_and_leaves_nothing(self, desk, mailbox, monkeypatch):
        def down(*args, **kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr(intake, "route", down)
        with pytest.raises(services.TransientError):
            services.ingest_message(mail(), mailbox)
        assert not InboundMessage.objects.exists()

    def test_an_unexpected_error_quarantines_and_leaves_no_half_ticket(
        self, desk, mailbox, monkeypatch
    ):
        def broken(*args, **kwargs):
            raise ValueError("something odd")

        monkeypatch.setattr(intake.tickets, "add_watchers", broken)
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        raw = mail(cc="matti@acme.fi", sender="new@acme.fi", proven=True)
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.reason_code) == ("quarantined", "error")
        assert "something odd" in result.reason
        assert not Ticket.objects.exists()
        assert not User.objects.filter(email="new@acme.fi").exists()

    def test_an_oversized_message_is_refused_keeping_its_headers(self, desk, mailbox, settings):
        settings.MAIL_MAX_MESSAGE_SIZE = 2000
        raw = mail("x" * 5000, message_id="big@acme.fi")
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.reason_code) == ("quarantined", "too_large")
        inbound = result.inbound
        assert inbound.size == len(raw) and b"big@acme.fi" in bytes(inbound.raw)
        assert len(inbound.raw) < 2000 and not inbound.is_complete
        assert services.reprocess(inbound).status == "quarantined"

    def test_a_message_tuki_sent_is_ignored(self, desk, mailbox, on_commit):
        on_commit(services.ingest_message, mail(), mailbox)
        sent = OutboundMessage.objects.get()
        looped = mail(message_id=sent.message_id, sender="someone@acme.fi")
        result = services.ingest_message(looped, mailbox)
        assert (result.status, result.inbound.reason_code) == ("ignored", "own_message")
        assert Ticket.objects.count() == 1

    def test_mail_from_the_desk_address_is_ignored(self, desk, mailbox):
        result = services.ingest_message(mail(sender="support@tuki.test"), mailbox)
        assert (result.status, result.inbound.reason_code) == ("ignored", "own_address")
        assert not Ticket.objects.exists()

    def test_garbage_bytes_never_crash(self, desk, mailbox):
        for raw in (b"", b"\x00\xff\xfe garbage", b"From:\r\n\r\n", b"Subject: only\r\n"):
            result = services.ingest_message(raw, mailbox)
            assert result.status in ("quarantined", "duplicate", "processed", "ignored")


class TestReprocess:
    def test_a_refused_message_can_be_processed_after_the_sender_is_registered(self, desk, mailbox):
        mailbox.unknown_senders = UnknownSenders.REFUSE
        mailbox.save()
        refused = services.ingest_message(mail(sender="pekka@acme.fi"), mailbox)
        User.objects.create_user("pekka@acme.fi", None, full_name="Pekka", organisation=desk.acme)
        result = services.reprocess(refused.inbound)
        assert result.status == "processed"
        refused.inbound.refresh_from_db()
        assert refused.inbound.ticket.requester.email == "pekka@acme.fi"
        assert services.reprocess(refused.inbound).status == "duplicate"


class TestNulCharacters:
    def test_nul_characters_never_reach_the_database(self, desk, mailbox):
        raw = (
            b"From: maija@acme.fi\r\nTo: support@tuki.test\r\nSubject: a\x00b\r\n"
            b"Message-ID: <n\x00ul@acme.fi>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"text\x00with nul\r\n"
        )
        result = services.ingest_message(raw, mailbox)
        assert result.status == "processed", result.reason
        ticket = result.inbound.ticket
        assert "\x00" not in ticket.title + ticket.description + result.inbound.message_id

    def test_a_message_that_cannot_even_be_stored_is_quarantined_bare(
        self, desk, mailbox, monkeypatch
    ):
        def broken(inbound, parsed):
            raise ValueError("unstorable")

        monkeypatch.setattr(services, "_process", broken)
        result = services.ingest_message(mail(message_id="poison@acme.fi"), mailbox)
        assert (result.status, result.inbound.reason_code) == ("quarantined", "error")
        assert b"poison@acme.fi" in bytes(result.inbound.raw)
        assert (
            services.ingest_message(mail(message_id="poison@acme.fi"), mailbox).status
            == "duplicate"
        )
