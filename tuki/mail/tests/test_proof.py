"""Mail that cannot be forged (issue 13): From alone proves nothing.

The attacks: a mail "from" an agent posting a public reply the desk then mails to the
customer; a mail "from" the requester with the attacker in Cc making the attacker a watcher.
The proofs that do act: the trusted server's Authentication-Results, Tuki's own DKIM check
(with a key made here, served by a resolver of the test's), the reply token.
"""

from __future__ import annotations

import base64
import subprocess
from email import message_from_bytes, policy
from pathlib import Path

import dkim
import pytest
from django.core import mail as outbox

from tuki.mail import replytoken, services
from tuki.mail.inbound import proof
from tuki.mail.models import InboundMessage, OutboundMessage, Proof
from tuki.mail.tests.mails import TRUSTED_SERVER, mail
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, Ticket


@pytest.fixture
def plain(desk) -> Ticket:
    return tickets.create_ticket(
        desk.operator,
        title="VPN drops",
        description="Since this morning.",
        requester=desk.requester,
        channel=Channel.PHONE,
    )


@pytest.fixture
def restricted(desk) -> Ticket:
    return tickets.create_ticket(
        desk.operator,
        title="Harassment complaint",
        description="Confidential.",
        requester=desk.requester,
        channel=Channel.PHONE,
        restricted=True,
    )


def with_header(raw: bytes, name: str, value: str) -> bytes:
    """The message with one more header on top, as a receiving server adds it."""
    return f"{name}: {value}\r\n".encode() + raw


class TestForgedAgentReply:
    def test_a_mail_from_an_agent_s_address_posts_nothing_and_mails_nobody(
        self, desk, mailbox, plain, django_capture_on_commit_callbacks
    ):
        outbox.outbox.clear()
        raw = mail(
            "Your account is locked: sign in at https://evil.example/login",
            sender="Olli Operator <operator@tuki.test>",
            subject=f"Re: [{plain.number}] VPN drops",
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.reason_code) == ("held", "unproven_staff")
        assert result.inbound.ticket == plain and result.inbound.proof == ""
        assert not plain.comments.exists()
        assert not OutboundMessage.objects.filter(what="reply").exists()
        assert not any("evil.example" in m.body for m in outbox.outbox)

    def test_a_new_mail_from_an_agent_s_address_opens_nothing_either(self, desk, mailbox):
        raw = mail("Please reset my password", sender="operator@tuki.test", subject="Reset")
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.reason_code) == ("held", "unproven_staff")
        assert not Ticket.objects.exists()

    def test_an_unproven_reply_from_the_requester_is_held(self, desk, mailbox, plain):
        raw = mail("Still broken", subject=f"Re: [{plain.number}] VPN drops")
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.reason_code) == ("held", "unproven")
        assert not plain.comments.exists()

    def test_an_unproven_new_ticket_is_still_opened(self, desk, mailbox):
        result = services.ingest_message(mail(), mailbox)
        assert (result.status, result.inbound.action, result.inbound.proof) == (
            "processed",
            "created",
            "",
        )


class TestCcSubscription:
    """Two mails: the attacker writes once (so Tuki knows them), then "as" the requester."""

    @pytest.mark.parametrize("which", ["plain", "restricted"])
    @pytest.mark.parametrize("proven", [False, True])
    def test_the_attacker_in_cc_never_becomes_a_watcher(
        self, desk, mailbox, which, proven, request
    ):
        ticket = request.getfixturevalue(which)
        services.ingest_message(mail("hello", sender="ion@globex.ro", subject="Hi"), mailbox)
        raw = mail(
            "Please keep my colleague informed",
            subject=f"Re: [{ticket.number}]",
            cc="Ion <ion@globex.ro>",
            proven=proven,
        )
        services.ingest_message(raw, mailbox)
        assert desk.outsider not in ticket.watchers.all()

    def test_a_proven_sender_s_cc_who_may_see_a_plain_ticket_follows_it(
        self, desk, mailbox, plain, restricted
    ):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        for ticket in (plain, restricted):
            raw = mail("fyi", subject=f"Re: [{ticket.number}]", cc="matti@acme.fi", proven=True)
            assert services.ingest_message(raw, mailbox).status == "processed"
        assert desk.colleague in plain.watchers.all()
        assert desk.colleague not in restricted.watchers.all()  # restricted: only its groups


class TestAuthenticationResults:
    def reply(self, ticket: Ticket, result: str, server: str = TRUSTED_SERVER) -> bytes:
        raw = mail("Works now", subject=f"Re: [{ticket.number}]")
        return with_header(raw, "Authentication-Results", f"{server}; {result}")

    def test_dmarc_pass_from_the_trusted_server_acts(self, desk, mailbox, plain):
        raw = self.reply(plain, "dkim=pass header.d=acme.fi; dmarc=pass header.from=acme.fi")
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.proof) == ("processed", Proof.MTA)
        assert "dmarc=pass" in result.inbound.proof_detail
        assert plain.comments.get().body == "Works now"

    def test_aligned_dkim_pass_acts(self, desk, mailbox, plain):
        raw = self.reply(plain, "dkim=pass (2048-bit key) header.d=mail.acme.fi header.s=s1")
        assert services.ingest_message(raw, mailbox).status == "processed"

    @pytest.mark.parametrize(
        "result",
        [
            "dkim=pass header.d=evil.example",  # signed, by someone else
            "dmarc=fail header.from=acme.fi",
            "dmarc=pass header.from=evil.example",
            "dkim=pass header.d=fi",  # a top-level domain aligns with nothing
            "spf=pass smtp.mailfrom=acme.fi",  # SPF alone says nothing of From
            "none",
        ],
    )
    def test_other_verdicts_prove_nothing(self, desk, mailbox, plain, result):
        assert services.ingest_message(self.reply(plain, result), mailbox).status == "held"

    def test_a_server_the_mailbox_does_not_trust_is_ignored(self, desk, mailbox, plain):
        raw = self.reply(plain, "dmarc=pass header.from=acme.fi", server="mx.evil.example")
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_a_forged_header_below_the_receiving_server_s_line_is_ignored(
        self, desk, mailbox, plain
    ):
        """The sender wrote a trusted-looking verdict into the message; our server's own
        header (on top, above its Received line) says nothing passed."""
        raw = mail("Works now", subject=f"Re: [{plain.number}]")
        raw = with_header(raw, "Authentication-Results", f"{TRUSTED_SERVER}; dmarc=pass")
        raw = with_header(raw, "Received", "from evil.example by attacker; Mon, 3 Mar 2025")
        raw = with_header(raw, "Received", f"from mx1.evil.example by {TRUSTED_SERVER}; Mon")
        raw = with_header(raw, "Authentication-Results", f"{TRUSTED_SERVER}; dkim=none")
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_two_from_addresses_prove_nothing(self, desk, mailbox, plain):
        raw = self.reply(plain, "dmarc=pass header.from=acme.fi").replace(
            b"<maija@acme.fi>", b"<maija@acme.fi>, ion@globex.ro", 1
        )
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_the_parser_reads_comments_quotes_and_versions(self):
        server, results = proof.parse_authentication_results(
            'mx.tuki.test 1; dkim/1=pass (good "sig") header.d="acme.fi" header.s=s1;\r\n'
            ' dmarc=pass (p=none) reason="a; b" header.from=acme.fi'
        )
        assert server == "mx.tuki.test"
        assert [(r.method, r.result) for r in results] == [("dkim", "pass"), ("dmarc", "pass")]
        assert results[0].properties["header.d"] == "acme.fi"


class TestOwnDkimCheck:
    @pytest.fixture
    def key(self, tmp_path: Path, monkeypatch) -> bytes:
        """A real RSA key pair; the public half is served by this test's resolver."""
        private = tmp_path / "dkim.key"
        subprocess.run(
            ["openssl", "genrsa", "-traditional", "-out", str(private), "2048"],
            check=True,
            capture_output=True,
        )
        der = subprocess.run(
            ["openssl", "rsa", "-in", str(private), "-pubout", "-outform", "DER"],
            check=True,
            capture_output=True,
        ).stdout
        record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(der)
        asked: list[bytes] = []

        def resolver(name: bytes, timeout: int = 5) -> bytes | None:
            asked.append(name)
            assert timeout == proof.DNS_TIMEOUT
            return record if name == b"s1._domainkey.acme.fi." else None

        monkeypatch.setattr(proof, "dns_txt", resolver)
        return private.read_bytes()

    def signed(self, raw: bytes, key: bytes, domain: str = "acme.fi") -> bytes:
        signature = dkim.sign(
            raw, b"s1", domain.encode(), key, include_headers=[b"from", b"subject"]
        )
        return signature + raw

    def test_a_valid_aligned_signature_acts_when_the_mailbox_asks(self, desk, mailbox, plain, key):
        mailbox.verify_dkim = True
        mailbox.save()
        raw = self.signed(mail("Works now", subject=f"Re: [{plain.number}]"), key)
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.proof) == ("processed", Proof.DKIM)
        assert result.inbound.proof_detail == "dkim=pass header.d=acme.fi"

    def test_without_the_setting_the_signature_is_not_checked(self, desk, mailbox, plain, key):
        raw = self.signed(mail("Works now", subject=f"Re: [{plain.number}]"), key)
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_a_changed_message_fails_the_check(self, desk, mailbox, plain, key):
        mailbox.verify_dkim = True
        mailbox.save()
        raw = self.signed(mail("Works now", subject=f"Re: [{plain.number}]"), key)
        raw = raw.replace(b"From: Maija", b"From: Olli", 1)
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_a_signature_of_another_domain_is_not_aligned(self, desk, mailbox, plain, key):
        mailbox.verify_dkim = True
        mailbox.save()
        raw = self.signed(mail("Works now", subject=f"Re: [{plain.number}]"), key)
        assert proof.dkim_proof(raw, "globex.ro") is None
        assert proof.dkim_proof(raw, "acme.fi") is not None


class TestReplyToken:
    @pytest.fixture
    def acknowledged(self, desk, mailbox) -> Ticket:
        """Opened by email: the acknowledgement carries the reply token."""
        mailbox.reply_token_address = True
        mailbox.save()
        services.ingest_message(mail(message_id="opened@acme.fi"), mailbox)
        return Ticket.objects.get()

    def ack(self, ticket: Ticket):
        from tuki.mail.outbound import sending

        outbound = OutboundMessage.objects.get(ticket=ticket, what="created")
        return message_from_bytes(sending.compose(outbound), policy=policy.default)

    def test_a_reply_to_the_token_address_acts(self, desk, mailbox, acknowledged):
        reply_address = str(self.ack(acknowledged)["Reply-To"])
        assert "+t" in reply_address
        raw = mail("Thanks", subject="Re: VPN keeps dropping", to=reply_address)
        result = services.ingest_message(raw, mailbox)
        assert (result.status, result.inbound.proof) == ("processed", Proof.TOKEN)
        assert result.inbound.ticket == acknowledged

    def test_without_the_setting_the_reply_address_is_the_mailbox_s(
        self, desk, mailbox, acknowledged
    ):
        mailbox.reply_token_address = False
        mailbox.save()
        assert self.ack(acknowledged)["Reply-To"].addresses[0].addr_spec == "support@tuki.test"

    def test_a_reply_to_the_message_id_the_desk_sent_acts(self, desk, mailbox, acknowledged):
        ack_id = OutboundMessage.objects.get(ticket=acknowledged).message_id
        result = services.ingest_message(mail("Thanks", in_reply_to=ack_id), mailbox)
        assert (result.status, result.inbound.proof) == ("processed", Proof.TOKEN)

    def test_another_recipient_s_token_proves_nothing(self, desk, mailbox, acknowledged):
        desk.colleague.sees_organisation_tickets = True
        desk.colleague.save()
        address = replytoken.reply_address("support@tuki.test", acknowledged.pk, "maija@acme.fi")
        raw = mail(
            "me too", sender="matti@acme.fi", subject=f"Re: [{acknowledged.number}]", to=address
        )
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_a_token_for_another_ticket_proves_nothing_here(
        self, desk, mailbox, acknowledged, plain
    ):
        address = replytoken.reply_address("support@tuki.test", plain.pk, "maija@acme.fi")
        raw = mail("x", subject=f"Re: [{acknowledged.number}]", to=address)
        assert services.ingest_message(raw, mailbox).status == "held"

    def test_a_made_up_token_proves_nothing(self, desk, mailbox, acknowledged):
        address = f"support+t{acknowledged.pk}-{'0' * replytoken.MAC_LENGTH}@tuki.test"
        raw = mail("x", subject=f"Re: [{acknowledged.number}]", to=address)
        assert services.ingest_message(raw, mailbox).status == "held"


class TestBeforeSetUp:
    def test_mail_before_any_service_desk_group_is_kept_then_taken_in(
        self, desk, mailbox, django_capture_on_commit_callbacks
    ):
        desk.service_desk.is_active = False
        desk.service_desk.save()
        result = services.ingest_message(mail(message_id="early@acme.fi"), mailbox)
        assert (result.status, result.inbound.reason_code) == ("held", "no_desk")
        assert not Ticket.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            desk.service_desk.is_active = True
            desk.service_desk.save()
        inbound = InboundMessage.objects.get(message_id="early@acme.fi")
        assert (inbound.status, inbound.action) == ("processed", "created")
        assert inbound.ticket.requester == desk.requester

    def test_release_waiting_leaves_them_held_while_there_is_no_desk(self, desk, mailbox):
        desk.service_desk.is_active = False
        desk.service_desk.save()
        services.ingest_message(mail(), mailbox)
        assert services.release_waiting() == 0
        assert InboundMessage.objects.get().status == "held"
