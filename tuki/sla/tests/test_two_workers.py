"""Two worker processes fire the same due timers at the same instant: each fires once.

Real processes with their own connections: on PostgreSQL (TUKI_DATABASE_URL) the test
database itself; on SQLite a file copy of the in-memory test database, since threads
would share one in-memory connection and prove nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tuki.sla.models import SlaTimer
from tuki.sla.tests.conftest import hel
from tuki.tickets import services

pytestmark = pytest.mark.slow  # two real worker processes

ROOT = Path(__file__).resolve().parents[3]


def _worker_env(tmp_path: Path) -> tuple[dict[str, str], Path | None]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tuki.sla.tests.race_settings"}
    env.pop("PYTEST_CURRENT_TEST", None)
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = quote(s["USER"] or "") + (f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else "")
        env["TUKI_DATABASE_URL"] = (
            f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
        return env, None
    if connection.vendor != "sqlite":
        pytest.skip(f"no two-worker set-up for {connection.vendor}")
    copy = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)  # the committed test data, as a file
    target.close()
    env["TUKI_RACE_SQLITE"] = str(copy)
    return env, copy


def _events(copy: Path | None) -> Counter[tuple[int, str, str]]:
    sql = (
        "SELECT ticket_id, action, field, new_value FROM tickets_ticketevent "
        "WHERE actor_kind = 'sla'"
    )
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
    else:
        with sqlite3.connect(copy) as db:
            rows = db.execute(sql).fetchall()
    return Counter((ticket, f"{action}:{field}", value) for ticket, action, field, value in rows)


@pytest.mark.django_db(transaction=True)
def test_each_warning_and_breach_fires_once_with_two_workers(desk, sla, frozen, tmp_path):
    tickets = [
        services.create_ticket(desk.operator, title=f"Mail {n}", requester=desk.requester)
        for n in range(4)
    ]
    now = hel(5, 12)  # Wednesday noon: every threshold of every clock is due
    ids = list(SlaTimer.objects.order_by("id").values_list("pk", flat=True))
    assert len(ids) == 4 * 2 * 3  # four tickets, two clocks, 75 %, 90 % and the breach
    env, copy = _worker_env(tmp_path)
    # The monotonic clock is the machine's, one for every process, and never travelled
    # (TUKI_TEST_NOW moves this process's wall clock only, not the workers').
    start = time.monotonic() + 4  # time enough for both processes to set Django up
    args = [sys.executable, "-m", "tuki.sla.tests.race_worker", str(start), now.isoformat()]
    workers = [
        subprocess.Popen(
            [*args, *map(str, ids)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [json.loads(w.communicate(timeout=120)[0]) for w in workers]
    assert all(w.returncode == 0 for w in workers)

    fired = Counter(timer for out in outputs for timer, result in out.items() if result == "fired")
    assert sorted(map(int, fired)) == ids and set(fired.values()) == {1}
    events = _events(copy)
    assert sum(events.values()) == len(ids)
    assert set(events.values()) == {1}
    assert {ticket for ticket, _, _ in events} == {t.pk for t in tickets}
