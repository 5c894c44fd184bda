"""`tuki ingest_email`: pipe delivery from an MTA, with sysexits.h exit codes."""

from __future__ import annotations

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError

from tuki.mail.inbound import intake
from tuki.mail.models import InboundMessage, UnknownSenders
from tuki.mail.tests.mails import mail
from tuki.tickets.models import Ticket


def run(*args: str, stdin: bytes = b"") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    original = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        call_command("ingest_email", *args, stdout=out, stderr=err)
    finally:
        sys.stdin = original
    return out.getvalue().strip(), err.getvalue().strip()


class TestIngestEmail:
    def test_a_file_becomes_a_ticket_and_its_number_is_printed(self, desk, mailbox, tmp_path):
        path = tmp_path / "message.eml"
        path.write_bytes(mail())
        out, _err = run("--mailbox", "support", str(path))
        ticket = Ticket.objects.get()
        assert out == ticket.number
        assert InboundMessage.objects.get().mailbox == mailbox

    def test_standard_input_is_read_as_bytes(self, desk, mailbox):
        out, _err = run("--mailbox", "support", "-", stdin=mail(subject="Från stdin ✓"))
        assert Ticket.objects.get().title == "Från stdin ✓" and out.startswith("INC-")

    def test_the_same_message_again_is_done_with_the_same_number(self, desk, mailbox):
        raw = mail(message_id="twice@acme.fi")
        first, _ = run("-", stdin=raw)
        second, _ = run("-", stdin=raw)
        assert first == second and Ticket.objects.count() == 1

    def test_a_reply_prints_the_ticket_it_updated(self, desk, mailbox):
        number, _ = run("-", stdin=mail())
        raw = mail("More", subject=f"Re: [{number}] VPN", proven=True)
        again, _ = run("--mailbox", "support", "-", stdin=raw)
        assert again == number

    def test_an_unproven_reply_is_held_and_the_mta_is_done_with_it(self, desk, mailbox):
        number, _ = run("-", stdin=mail())
        out, err = run("--mailbox", "support", "-", stdin=mail("More", subject=f"[{number}]"))
        assert out == "" and err.startswith("held: ")
        assert InboundMessage.objects.filter(status="held").count() == 1

    def test_a_refused_message_exits_65_and_stays_in_quarantine(self, desk, mailbox):
        mailbox.unknown_senders = UnknownSenders.REFUSE
        mailbox.save()
        with pytest.raises(CommandError) as refused:
            run("--mailbox", "support", "-", stdin=mail(sender="who@else.example"))
        assert refused.value.returncode == 65 and "refused" in str(refused.value)
        assert InboundMessage.objects.get().status == "quarantined"

    def test_a_database_outage_exits_75(self, desk, mailbox, monkeypatch):
        def down(*args, **kwargs):
            raise OperationalError("could not connect to server")

        monkeypatch.setattr(intake, "route", down)
        with pytest.raises(CommandError) as later:
            run("-", stdin=mail())
        assert later.value.returncode == 75
        assert not InboundMessage.objects.exists()

    def test_an_unknown_mailbox_exits_75_so_the_mta_keeps_the_message(self, desk):
        with pytest.raises(CommandError) as later:
            run("--mailbox", "nope", "-", stdin=mail())
        assert later.value.returncode == 75 and "nope" in str(later.value)

    def test_an_unreadable_file_exits_75(self, desk, tmp_path):
        with pytest.raises(CommandError) as later:
            run(str(tmp_path / "missing.eml"))
        assert later.value.returncode == 75

    def test_an_oversized_message_is_refused_after_reading_it_all(self, desk, mailbox, settings):
        settings.MAIL_MAX_MESSAGE_SIZE = 1000
        with pytest.raises(CommandError) as refused:
            run("-", stdin=mail("z" * 5000))
        assert refused.value.returncode == 65
        inbound = InboundMessage.objects.get()
        assert inbound.size > 5000 and inbound.reason_code == "too_large"


class TestExitStatus:
    def test_the_mta_sees_75_when_the_database_is_not_there(self, tmp_path):
        """A real process: its exit status is what Postfix reads."""
        import os
        import subprocess

        env = {**os.environ, "TUKI_VAR_DIR": str(tmp_path), "TUKI_DATABASE_URL": ""}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        done = subprocess.run(
            [sys.executable, "-m", "tuki", "ingest_email", "--mailbox", "support", "-"],
            input=mail(),
            capture_output=True,
            env=env,
            timeout=60,
        )
        assert done.returncode == 75, done.stderr.decode()
        assert b"try again later" in done.stderr
