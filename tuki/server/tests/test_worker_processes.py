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
import sqlite3
import subprocess
import sys
import time
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
