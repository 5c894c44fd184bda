"""Real worker processes (`tuki worker`'s TukiWorker): killed mid-task, cut off from the
database, stuck on a silent SMTP server. Each happens exactly once afterwards, and the
worker carries on.

On PostgreSQL the workers use the test database itself; on SQLite a file copy of it (the
set-up of tuki/sla/tests/test_two_workers.py). Nothing waits on time for an assertion:
the tests poll the database for a state until a generous deadline.
"""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tuki.notifications.models import Notification
from tuki.sla.models import SlaTimer
from tuki.sla.tests.test_two_workers import ROOT, _worker_env
from tuki.tickets import services as tickets
from tuki.tickets.models import TicketEvent

pytestmark = pytest.mark.slow  # real worker processes

TABLE = DBTaskResult._meta.db_table
SETTINGS = "tuki.server.tests.worker_settings"


# --- the database the workers use ----------------------------------------------------------


def query(copy: Path | None, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run SQL (with %s placeholders) on the workers' database; the rows it returns."""
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []
    with sqlite3.connect(copy, timeout=30) as db:
        return db.execute(sql.replace("%s", "?"), params).fetchall()


def task_id(copy: Path | None, task: DBTaskResult) -> str:
    return task.pk.hex if copy is not None else str(task.pk)


def stamp(copy: Path | None, moment: datetime) -> Any:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if copy else moment


def status(copy: Path | None, task: DBTaskResult) -> tuple[str, list[str]]:
    [(state, worker_ids)] = query(
        copy, f"SELECT status, worker_ids FROM {TABLE} WHERE id = %s", (task_id(copy, task),)
    )
    return state, json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids


def wait_for(what: str, check: Any, deadline: float = 90) -> None:
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.1)


def as_if_long_ago(copy: Path | None) -> None:
    """The killed worker's heartbeat and its task's start, as if the lease had run out."""
    old = stamp(copy, timezone.now() - timedelta(hours=1))
    query(copy, "UPDATE server_workerheartbeat SET seen_at = %s", (old,))
    query(copy, f"UPDATE {TABLE} SET started_at = %s WHERE status = 'RUNNING'", (old,))


def queue(path: str, *args: Any, run_after: datetime | None = None) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": list(args), "kwargs": {}},
        task_path=path,
        backend_name="default",
        run_after=run_after or get_date_max(),
    )


def worker_env(tmp_path: Path, **extra: str) -> tuple[dict[str, str], Path | None]:
    env, copy = _worker_env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = SETTINGS
    env.update(extra)
    return env, copy


def run_worker(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tuki.server.tests.run_worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tuki.server.tests.run_worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.stdout.read() if process.stdout else ""


# --- killed mid-task -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_notification_task_killed_midway_tells_everybody_once_after_the_restart(
    desk, escalated, tmp_path
):
    last = TicketEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    Notification.objects.all().delete()
    tickets.assign_ticket(desk.lead, escalated, assignee=desk.specialist)
    told = list(Notification.objects.values_list("recipient_id", "kind"))
    assert told  # the immediate backend of this process ran it: that is what must happen
    Notification.objects.all().delete()
    events = list(TicketEvent.objects.filter(pk__gt=last).values_list("pk", flat=True))
    task = queue("tuki.notifications.tasks.notify_events", events)
    env, copy = worker_env(tmp_path)

    killed = run_worker(env, "--kill-after=notify", "--batch", "--no-periodic")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert status(copy, task)[0] == "RUNNING"
    assert query(copy, "SELECT COUNT(*) FROM notifications_notification") == [(0,)]

    as_if_long_ago(copy)
    restarted = run_worker(env, "--batch", "--no-periodic")
    assert restarted.returncode == 0, restarted.stderr
    state, worker_ids = status(copy, task)
    assert state == "SUCCESSFUL" and len(worker_ids) == 2  # the second attempt
    rows = query(copy, "SELECT recipient_id, kind FROM notifications_notification")
    assert sorted(rows) == sorted(told)  # each person told once


@pytest.mark.django_db(transaction=True)
def test_an_sla_timer_killed_after_firing_fires_once_after_the_restart(desk, sla, frozen, tmp_path):
    # Made on a frozen Monday in March 2025: due long ago for the workers' real clock.
    tickets.create_ticket(desk.operator, title="Mail is down", requester=desk.requester)
    timer = SlaTimer.objects.order_by("due_at").first()
    assert timer is not None
    task = queue("tuki.sla.tasks.fire_sla_timer", timer.pk, timer.due_at.isoformat())
    env, copy = worker_env(tmp_path)
    sql = (
        "SELECT action, field, new_value FROM tickets_ticketevent WHERE actor_kind = 'sla' "
        "ORDER BY id"
    )
    assert query(copy, sql) == []

    killed = run_worker(env, "--kill-after=fire_timer", "--batch", "--no-periodic")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    [fired] = query(copy, sql)  # it fired and committed, then the worker died
    assert status(copy, task)[0] == "RUNNING"

    as_if_long_ago(copy)
    restarted = run_worker(env, "--batch", "--no-periodic")
    assert restarted.returncode == 0, restarted.stderr
    assert status(copy, task)[0] == "SUCCESSFUL"
    after = query(copy, sql)  # the next thresholds fired too, planned by the first
    assert after[0] == fired and after.count(fired) == 1  # but this one once


@pytest.mark.django_db(transaction=True)
def test_a_worker_catches_up_on_sla_timers_whose_tasks_were_never_queued(
    desk, sla, frozen, tmp_path
):
    """The catch-up existed (fire_due_sla_timers) but nothing ran it: now a periodic job."""
    for n in range(2):
        tickets.create_ticket(desk.operator, title=f"Printer {n}", requester=desk.requester)
    due = SlaTimer.objects.count()
    assert due and not DBTaskResult.objects.exists()  # this process's backend cannot defer
    env, copy = worker_env(tmp_path)

    finished = run_worker(env, "--batch")  # the periodic jobs on
    assert finished.returncode == 0, finished.stderr
    assert query(copy, "SELECT COUNT(*) FROM sla_slatimer WHERE fired_at IS NULL") == [(0,)]
    fired = query(
        copy, "SELECT ticket_id, field, new_value FROM tickets_ticketevent WHERE actor_kind = 'sla'"
    )
    assert fired and len(fired) == len(set(fired))
    [(runs,)] = query(
        copy, "SELECT COUNT(*) FROM server_periodicjob WHERE name = 'sla.fire_due_timers'"
    )
    assert runs == 1


# --- mail servers that stall ---------------------------------------------------------------


class SmtpServer:
    """A minimal SMTP server: answers, stalls after DATA (`stall`), or never says a word
    (`silent`). Messages received in full are in `messages`."""

    def __init__(self, mode: str = "answer") -> None:
        self.mode = mode
        self.messages: list[bytes] = []
        self.data_started = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.clients: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.mode == "silent":
            return  # accepted, and never answered
        reader = client.makefile("rb")
        try:
            client.sendall(b"220 tuki.test ESMTP\r\n")
            for line in reader:
                verb = line[:4].upper()
                if verb == b"DATA":
                    client.sendall(b"354 go ahead\r\n")
                    self.data_started.set()
                    message = b""
                    for data in reader:
                        if data == b".\r\n":
                            break
                        message += data
                    if self.mode == "stall":
                        return  # read it all, and never answered
                    self.messages.append(message)
                    client.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    client.sendall(b"221 bye\r\n")
                    return
                else:
                    client.sendall(b"250 ok\r\n")
        except OSError:
            return

    def close(self) -> None:
        self.sock.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.close()


def planned_reply(desk: Any, incident: Any) -> Any:
    """A public reply whose mail is planned and not sent (this process's immediate backend
    sent it at once: set back to planned, with its send task queued for the workers)."""
    from tuki.mail.models import OutboundMessage

    tickets.add_comment(desk.operator, incident, "Please try again.")
    outbound = OutboundMessage.objects.get()
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        status="pending", attempts=0, sent_at=None, next_attempt_at=None, last_error=""
    )
    queue("tuki.mail.outbound.sending.send_outbound", outbound.pk)
    return outbound


def outbound_row(copy: Path | None, pk: int) -> tuple[str, int, str]:
    [row] = query(
        copy, "SELECT status, attempts, last_error FROM mail_outboundmessage WHERE id = %s", (pk,)
    )
    return row


@pytest.mark.django_db(transaction=True)
def test_a_reply_whose_worker_was_killed_while_sending_goes_out_once(
    desk, incident, smtp, tmp_path
):
    outbound = planned_reply(desk, incident)
    smtp.mode = "stall"
    env, copy = worker_env(
        tmp_path,
        TUKI_EMAIL_HOST="127.0.0.1",
        TUKI_EMAIL_PORT=str(smtp.port),
        TUKI_EMAIL_TIMEOUT="120",
    )
    worker = start_worker(env, "--batch", "--no-periodic")
    try:
        assert smtp.data_started.wait(90), "the worker never started sending"
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        stop(worker)
    assert outbound_row(copy, outbound.pk)[:2] == ("sending", 1)  # the attempt is counted
    assert smtp.messages == []

    smtp.mode = "answer"
    as_if_long_ago(copy)  # ... and the "sending" mark as old as a lost worker's
    old = stamp(copy, timezone.now() - timedelta(hours=1))
    query(copy, "UPDATE mail_outboundmessage SET next_attempt_at = %s", (old,))
    restarted = run_worker(env, "--batch")  # with the periodic jobs: mail.requeue_due
    assert restarted.returncode == 0, restarted.stderr
    assert outbound_row(copy, outbound.pk)[:2] == ("sent", 2)
    assert len(smtp.messages) == 1
    assert f"Message-ID: <{outbound.message_id}>".encode() in smtp.messages[0]


@pytest.mark.django_db(transaction=True)
def test_an_smtp_server_that_never_answers_does_not_stop_other_work(desk, incident, smtp, tmp_path):
    outbound = planned_reply(desk, incident)
    echo = queue("tuki.server.tests.tasks.echo", "still working")
    smtp.mode = "silent"
    env, copy = worker_env(
        tmp_path,
        TUKI_EMAIL_HOST="127.0.0.1",
        TUKI_EMAIL_PORT=str(smtp.port),
        TUKI_EMAIL_TIMEOUT="2",
    )
    # Without a timeout the worker would wait for the greeting for ever (and this run would
    # hit its own 120 s limit).
    finished = run_worker(env, "--batch", "--no-periodic")
    assert finished.returncode == 0, finished.stderr
    assert status(copy, echo)[0] == "SUCCESSFUL"
    state, attempts, error = outbound_row(copy, outbound.pk)
    assert (state, attempts) == ("pending", 1)  # retried later
    assert "timed out" in error


# --- the database goes away ----------------------------------------------------------------


class TcpProxy:
    """Forwards a port to PostgreSQL; `cut()` drops every connection and refuses new ones
    until `restore()`."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.pipes: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self.port = sock.getsockname()[1]
        self.listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.pipes += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.close()
        for pipe in self.pipes:
            try:
                pipe.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            pipe.close()
        self.pipes = []


@pytest.mark.django_db(transaction=True)
def test_the_worker_carries_on_after_the_database_was_away_for_three_seconds(tmp_path):
    first = queue("tuki.server.tests.tasks.echo", "before")
    later = queue(
        "tuki.server.tests.tasks.echo", "after", run_after=timezone.now() + timedelta(days=1)
    )
    env, copy = worker_env(tmp_path)
    proxy = None
    if copy is None:
        s = connection.settings_dict
        proxy = TcpProxy((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))
        env["TUKI_DATABASE_URL"] = env["TUKI_DATABASE_URL"].replace(
            f":{s['PORT'] or 5432}/", f":{proxy.port}/"
        )
    worker = start_worker(env)
    try:
        wait_for("the first task", lambda: status(copy, first)[0] == "SUCCESSFUL")
        if proxy is not None:
            proxy.cut()  # every connection dropped, new ones refused
            time.sleep(3)  # the outage, not an assertion
            proxy.restore()
        else:
            lock = sqlite3.connect(copy, isolation_level=None)
            lock.execute("BEGIN EXCLUSIVE")  # no writer gets in: the worker's claims fail
            time.sleep(3)  # the outage, not an assertion
            lock.execute("ROLLBACK")
            lock.close()
        assert worker.poll() is None, "the worker stopped"
        now = stamp(copy, timezone.now() - timedelta(seconds=1))
        query(copy, f"UPDATE {TABLE} SET run_after = %s WHERE id = %s", (now, task_id(copy, later)))
        wait_for("the task queued after the outage", lambda: status(copy, later)[0] == "SUCCESSFUL")
        assert worker.poll() is None
    finally:
        output = stop(worker)
        if proxy is not None:
            proxy.cut()
    if proxy is not None:
        assert "the database is unreachable" in output and "the database is back" in output
