"""A worker process is killed (SIGKILL) mid-poll; after the restart the message is there once.

Real processes against the real dovecot: on PostgreSQL the test database itself, on SQLite
a file copy of it (the same set-up as tuki/sla/tests/test_two_workers.py).
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tuki.mail.models import ImapSecurity, Mailbox
from tuki.mail.tests.mails import mail
from tuki.sla.tests.test_two_workers import ROOT, _worker_env

pytestmark = pytest.mark.slow  # real worker processes, one killed


def run_worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuki.mail.tests.kill_worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def counts(copy: Path | None) -> tuple[int, int]:
    sql = "SELECT (SELECT COUNT(*) FROM tickets_ticket), (SELECT COUNT(*) FROM mail_inboundmessage)"
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return tuple(cursor.fetchone())  # type: ignore[return-value]  # two counts, one row
    with sqlite3.connect(copy) as db:
        return tuple(db.execute(sql).fetchone())  # type: ignore[return-value]  # two counts, one row


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", ["ingest.before_commit", "poll.after_commit"])
def test_a_killed_worker_loses_nothing_and_duplicates_nothing(desk, imap_server, tmp_path, point):
    mailbox = Mailbox.objects.create(
        name="support",
        address="support@tuki.test",
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_security=ImapSecurity.NONE,
        imap_user=imap_server.user,
        imap_password=imap_server.password,
    )
    imap_server.append(mail("The printer is on fire.", message_id="killed@acme.fi"))
    env, copy = _worker_env(tmp_path)

    killed = run_worker(env, str(mailbox.pk), point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len(imap_server.uids("UNSEEN")) == 1  # never marked: the next poll sees it
    committed = point == "poll.after_commit"
    assert counts(copy) == ((1, 1) if committed else (0, 0))

    restarted = run_worker(env, str(mailbox.pk), "--expire-lease")
    assert restarted.returncode == 0, restarted.stderr
    assert counts(copy) == (1, 1)  # exactly once
    assert imap_server.uids("UNSEEN") == []
