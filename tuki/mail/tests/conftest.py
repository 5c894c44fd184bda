"""Real mail servers for the integration tests: Debian's dovecot (IMAP) and an aiosmtpd sink.

Dovecot runs in the foreground (-F) from a generated configuration in a temporary folder:
plain-text logins from a passwd file, Maildir storage in the folder, one IMAP listener on a
free localhost port, no SSL. No system service is used or started.
"""

from __future__ import annotations

import grp
import imaplib
import logging
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER = "support@tuki.test"
IMAP_PASSWORD = "imap-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port)
        client.login(self.user, self.password)
        client.select("INBOX")
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, data = client.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def reset(self) -> None:
        client = self.client()
        try:
            status, folders = client.list()
            for line in folders or []:
                name = line.decode().rsplit(" ", 1)[-1].strip('"')
                if name != "INBOX":
                    client.delete(name)
            status, data = client.select("INBOX")
            if int(data[0] or 0):
                client.store("1:*", "+FLAGS", "\\Deleted")
                client.expunge()
        finally:
            client.logout()

    def uids(self, criteria: str = "ALL", folder: str = "INBOX") -> list[str]:
        client = self.client()
        try:
            client.select(folder)
            status, data = client.uid("SEARCH", None, criteria)
            assert status == "OK", data
            return data[0].decode().split()
        finally:
            client.logout()


def _accounts() -> dict[str, str | int]:
    """Who dovecot's processes run as: ourselves, or its own users when we are root."""
    if os.geteuid() != 0:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return {
            "internal": user,
            "internal_group": group,
            "login": user,
            "uid": os.geteuid(),
            "gid": os.getegid(),
        }
    try:
        dovecot, dovenull = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    except KeyError:
        pytest.skip("running as root and the dovecot/dovenull users do not exist")
    return {
        "internal": dovecot.pw_name,
        "internal_group": grp.getgrgid(dovecot.pw_gid).gr_name,
        "login": dovenull.pw_name,
        "uid": dovecot.pw_uid,
        "gid": dovecot.pw_gid,
    }


def _config(root: Path, port: int, accounts: dict[str, str | int]) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 1
default_internal_user = {accounts["internal"]}
default_internal_group = {accounts["internal_group"]}
default_login_user = {accounts["login"]}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={accounts["uid"]} gid={accounts["gid"]} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client = imaplib.IMAP4("127.0.0.1", port)
            client.login(IMAP_USER, IMAP_PASSWORD)
            client.logout()
            return
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    text = log.read_text() if log.exists() else "(no log)"
    process.kill()
    raise RuntimeError(f"dovecot did not start:\n{text[-3000:]}")


@pytest.fixture
def imap_server(dovecot: ImapServer) -> ImapServer:
    """The shared dovecot with an empty INBOX and no other folders."""
    dovecot.reset()
    return dovecot


@pytest.fixture(scope="session")
def dovecot() -> Iterator[ImapServer]:
    if not Path(DOVECOT).exists():
        pytest.skip("Debian's dovecot is not installed (apt-get install dovecot-imapd)")
    accounts = _accounts()
    root = Path(tempfile.mkdtemp(prefix="tuki-dovecot-"))
    root.chmod(0o755)  # dovecot's own users must reach the files when we run as root
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    for name in ("mail", "home"):
        os.chown(root / name, int(accounts["uid"]), int(accounts["gid"]))
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
    (root / "passwd").chmod(0o644)
    port = free_port()
    (root / "dovecot.conf").write_text(_config(root, port, accounts))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, root / "dovecot.log")
        yield ImapServer("127.0.0.1", port, IMAP_USER, IMAP_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpSink:
    host: str
    port: int
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.received]  # type: ignore[misc]  # policy.default makes EmailMessage

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages()


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.sink.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))  # type: ignore[attr-defined]  # aiosmtpd's Envelope
        )
        return "250 OK"


@pytest.fixture
def smtp_sink(settings: object) -> Iterator[SmtpSink]:
    """An SMTP server on a free port; Django's SMTP backend is pointed at it."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    port = free_port()
    sink = SmtpSink("127.0.0.1", port)
    controller = controller_module.Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    # The server thread logs each session at INFO; after the test, pytest has closed the
    # stream that logging writes to, and the late lines print as "Logging error".
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]  # pytest-django's settings fixture
    settings.EMAIL_HOST = "127.0.0.1"  # type: ignore[attr-defined]  # pytest-django's settings fixture
    settings.EMAIL_PORT = port  # type: ignore[attr-defined]  # pytest-django's settings fixture
    settings.EMAIL_USE_TLS = False  # type: ignore[attr-defined]  # pytest-django's settings fixture
    settings.EMAIL_USE_SSL = False  # type: ignore[attr-defined]  # pytest-django's settings fixture
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def mailbox(desk: object) -> object:
    """The desk's mailbox, trusting the tests' receiving server (`mail(..., proven=True)`
    sends its Authentication-Results). A test file that needs another mailbox (IMAP, no
    trust) defines its own `mailbox`, which takes precedence."""
    from tuki.mail.models import Mailbox
    from tuki.mail.tests.mails import TRUSTED_SERVER

    return Mailbox.objects.create(
        name="support", address="support@tuki.test", trusted_authserv_ids=TRUSTED_SERVER
    )
