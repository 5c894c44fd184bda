"""`tuki poll_mail`: poll now (--once), or start the polling chains."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tuki.mail.models import ImapSecurity, Mailbox
from tuki.mail.tests.mails import mail
from tuki.tickets.models import Ticket


@pytest.fixture
def mailbox(desk, imap_server) -> Mailbox:
    return Mailbox.objects.create(
        name="support",
        address="support@tuki.test",
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=ImapSecurity.NONE,
        imap_user=imap_server.user,
        imap_password=imap_server.password,
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("poll_mail", *args, stdout=out)
    return out.getvalue().strip()


class TestPollMail:
    def test_once_polls_in_this_process(self, desk, mailbox, imap_server):
        imap_server.append(mail())
        assert run("--once") == "support: 1 message(s)"
        assert Ticket.objects.count() == 1

    def test_a_failing_mailbox_exits_75(self, desk, mailbox):
        mailbox.imap_port = 1
        mailbox.save()
        with pytest.raises(CommandError) as failed:
            run("--once", "--mailbox", "support")
        assert failed.value.returncode == 75

    def test_an_unknown_mailbox_is_an_error(self, desk):
        with pytest.raises(CommandError):
            run("--mailbox", "nope")

    def test_without_a_worker_queue_nothing_is_started(self, desk, mailbox):
        assert run() == "0 polling chain(s) started"
