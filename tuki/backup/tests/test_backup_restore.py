"""`tuki backup` and `tuki restore` in child processes: a desk with tickets, events and
attachments, backed up and restored into a fresh database, reads the same (the attachment
bytes compared by their hashes). On PostgreSQL the source is the test database itself and
the target a second database; on SQLite both are files. A last test goes across engines.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tuki.lib.uploads import Upload
from tuki.mail.services import ingest_message
from tuki.mail.tests.mails import mail
from tuki.tickets import services
from tuki.tickets.services.attachments import add_attachments

ROOT = Path(__file__).resolve().parents[3]

# Printed by a child from whichever database it is given: what must survive a round trip.
READ_BACK = """
import hashlib, json
from tuki.tickets.models import Attachment, Comment, Ticket, TicketEvent
from tuki.accounts.models import User
from tuki.mail.models import InboundMessage
print(json.dumps({
    "tickets": [[t.pk, t.number, t.title, t.description, t.requester_id, t.status.name,
                 t.created_at.isoformat()] for t in Ticket.objects.order_by("pk")],
    "comments": [[c.pk, c.ticket_id, c.body, c.is_internal] for c in Comment.objects.order_by("pk")],
    "events": [[e.pk, e.ticket_id, e.action, e.field, e.old_value, e.new_value,
                e.created_at.isoformat()] for e in TicketEvent.objects.order_by("pk")],
    "attachments": [[a.pk, a.filename, a.sha256, hashlib.sha256(a.file.read()).hexdigest()]
                    for a in Attachment.objects.order_by("pk")],
    "users": [[u.pk, u.email, u.password, u.is_superuser] for u in User.objects.order_by("pk")],
    "mail": [[m.pk, m.ticket_id, hashlib.sha256(bytes(m.raw)).hexdigest(), m.received_at.isoformat()]
             for m in InboundMessage.objects.order_by("pk")],
}))
"""


def tuki(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuki", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def read_back(env: dict[str, str]) -> dict[str, list[list[object]]]:
    done = tuki(env, "shell", "-v", "0", "-c", READ_BACK)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]  # the dict READ_BACK prints


def pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    """A second PostgreSQL database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = pg_url("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield pg_url(name)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_desk_data(desk) -> None:
    first = services.create_ticket(
        desk.operator, title="VPN drops", description="Since 8:00.", requester=desk.requester
    )
    services.add_comment(desk.operator, first, "Try the other gateway, ÄÖ ș ț.")
    services.add_comment(desk.operator, first, "Gateway 2 is flaky.", internal=True)
    add_attachments(desk.operator, first, [Upload("log.txt", b"line 1\nline 2\n")])
    add_attachments(
        desk.requester, first, [Upload("screen.png", b"\x89PNG\r\n\x1a\n" + bytes(300))]
    )
    second = services.create_ticket(
        desk.operator, title="Printer", description="Out of toner.", requester=desk.colleague
    )
    services.escalate_ticket(desk.operator, second, group=desk.network_hel, reason="Hardware")
    ingest_message(mail("Mail with ünïcödé.\n", message_id="backup@acme.fi"))


def source_env(subprocess_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The committed test data as a child sees it, with the test process's uploaded files."""
    env = dict(subprocess_env, TUKI_MEDIA_ROOT=settings.STORAGES["default"]["OPTIONS"]["location"])
    if connection.vendor == "postgresql":
        env["TUKI_DATABASE_URL"] = pg_url(connection.settings_dict["NAME"])
        return env
    copy = tmp_path / "source.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    env["TUKI_DATABASE_URL"] = f"sqlite:///{copy}"
    return env


def target_env(subprocess_env: dict[str, str], tmp_path: Path, url: str) -> dict[str, str]:
    return dict(subprocess_env, TUKI_DATABASE_URL=url, TUKI_MEDIA_ROOT=str(tmp_path / "restored"))


@pytest.fixture
def target_url(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if connection.vendor == "postgresql":
        return request.getfixturevalue("scratch_pg")  # type: ignore[no-any-return]  # a URL
    return f"sqlite:///{tmp_path / 'restored.sqlite3'}"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_reads_the_same(
    desk, subprocess_env, tmp_path, target_url
):
    make_desk_data(desk)
    source = source_env(subprocess_env, tmp_path)
    archive = tmp_path / "desk.tar.gz"

    made = tuki(source, "backup", str(archive))
    assert made.returncode == 0, made.stderr
    assert "table tickets.ticket: 3 rows" in made.stderr  # progress on stderr
    assert "files: 2" in made.stderr
    assert archive.stat().st_mode & 0o077 == 0  # readable by its owner only

    target = target_env(subprocess_env, tmp_path, target_url)
    assert tuki(target, "migrate", "-v", "0").returncode == 0
    restored = tuki(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr

    before, after = read_back(source), read_back(target)
    assert len(after["tickets"]) == 3 and len(after["attachments"]) == 2
    assert len(after["mail"]) == 1  # raw bytes (a binary column) by their hash
    assert len(after["events"]) >= 6
    assert after == before
    for _pk, _name, stored, read in after["attachments"]:
        assert stored == read  # the bytes on disk are the bytes uploaded

    # The restored desk goes on: new rows get new ids (PostgreSQL's sequences were reset).
    more = tuki(
        target,
        "shell",
        "-v",
        "0",
        "-c",
        "from tuki.accounts.models import User; from tuki.tickets import services; "
        "u = User.objects.get(email='operator@tuki.test'); "
        "print(services.create_ticket(u, title='After', requester=u).pk)",
    )
    assert more.returncode == 0, more.stderr
    assert int(more.stdout) > max(t[0] for t in before["tickets"])  # type: ignore[call-overload]  # ids are ints


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_secrets_stay_encrypted_in_the_archive_and_open_after_restore(
    desk, subprocess_env, tmp_path, target_url
):
    from tuki.mail.models import Mailbox
    from tuki.webhooks.models import Webhook

    Mailbox.objects.create(
        name="support", address="support@acme.fi", imap_password="imap-PLAIN-pass-7731"
    )
    Webhook.objects.create(
        name="Chat", url="https://chat.example.com/hook", secret="whsec_PLAIN-secret-5521"
    )
    source = source_env(subprocess_env, tmp_path)
    archive = tmp_path / "desk.tar.gz"
    made = tuki(source, "backup", str(archive))
    assert made.returncode == 0, made.stderr

    with tarfile.open(archive) as tar:
        contents = b"".join(
            tar.extractfile(m).read()  # type: ignore[union-attr]  # members are files
            for m in tar.getmembers()
            if m.isfile()
        )
    assert b"imap-PLAIN-pass-7731" not in contents
    assert b"whsec_PLAIN-secret-5521" not in contents

    target = target_env(subprocess_env, tmp_path, target_url)
    assert tuki(target, "migrate", "-v", "0").returncode == 0
    restored = tuki(target, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    read = tuki(
        target,
        "shell",
        "-v",
        "0",
        "-c",
        "from tuki.mail.models import Mailbox; from tuki.webhooks.models import Webhook; "
        "print(Mailbox.objects.get(name='support').imap_password, "
        "Webhook.objects.get(name='Chat').secret)",
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.split() == ["imap-PLAIN-pass-7731", "whsec_PLAIN-secret-5521"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_with_data_and_a_damaged_backup(
    desk, subprocess_env, tmp_path, target_url
):
    make_desk_data(desk)
    source = source_env(subprocess_env, tmp_path)
    archive = tmp_path / "desk.tar.gz"
    assert tuki(source, "backup", str(archive)).returncode == 0
    target = target_env(subprocess_env, tmp_path, target_url)
    assert tuki(target, "migrate", "-v", "0").returncode == 0

    # A file altered after the backup: nothing is written.
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w:gz") as out:
        for member in tar.getmembers():
            stream = tar.extractfile(member)
            body = stream.read() if stream else b""
            if member.name.startswith("files/") and body.startswith(b"line 1"):
                body = b"line X" + body[6:]
            import io

            out.addfile(member, io.BytesIO(body))
    refused = tuki(target, "restore", str(damaged))
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    assert read_back(target)["users"] == []
    assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").rglob("*.*"))

    # Restored once; a second restore into the same database is refused without --force.
    assert tuki(target, "restore", str(archive)).returncode == 0
    again = tuki(target, "restore", str(archive))
    assert again.returncode != 0
    assert "already holds people or tickets" in again.stderr
    forced = tuki(target, "restore", "--force", str(archive))
    assert forced.returncode == 0, forced.stderr
    assert read_back(target) == read_back(source)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_at_other_migrations(desk, subprocess_env, tmp_path, target_url):
    make_desk_data(desk)
    source = source_env(subprocess_env, tmp_path)
    archive = tmp_path / "desk.tar.gz"
    assert tuki(source, "backup", str(archive)).returncode == 0
    target = target_env(subprocess_env, tmp_path, target_url)
    assert tuki(target, "migrate", "tickets", "0001", "-v", "0").returncode == 0
    refused = tuki(target, "restore", str(archive))
    assert refused.returncode != 0
    assert "migrations of this database differ" in refused.stderr


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_backup_restores_into_postgresql(desk, subprocess_env, tmp_path, request):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (TUKI_DATABASE_URL)")
    make_desk_data(desk)
    pg_source = source_env(subprocess_env, tmp_path)
    # The same data in a SQLite file: a PostgreSQL backup restored into SQLite ...
    lite = dict(pg_source, TUKI_DATABASE_URL=f"sqlite:///{tmp_path / 'lite.sqlite3'}")
    archive = tmp_path / "desk.tar.gz"
    assert tuki(pg_source, "backup", str(archive)).returncode == 0
    assert tuki(lite, "migrate", "-v", "0").returncode == 0
    done = tuki(lite, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    # ... and that SQLite file's backup restored into a fresh PostgreSQL database.
    second = tmp_path / "from-sqlite.tar.gz"
    assert tuki(lite, "backup", str(second)).returncode == 0
    target = target_env(subprocess_env, tmp_path, request.getfixturevalue("scratch_pg"))
    assert tuki(target, "migrate", "-v", "0").returncode == 0
    done = tuki(target, "restore", str(second))
    assert done.returncode == 0, done.stderr
    assert read_back(target) == read_back(pg_source) == read_back(lite)
