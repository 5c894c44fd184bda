"""Two worker processes auto-assign the same tickets at once: round robin stays exact.

Real processes with their own connections (see tuki/sla/tests/test_two_workers.py): on
PostgreSQL the test database itself, on SQLite a file copy. The group's row lock makes the
turns a strict rotation and each ticket is assigned once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from tuki.accounts.models import SupportGroup
from tuki.sla.tests.test_two_workers import ROOT, _worker_env
from tuki.tickets import services

pytestmark = pytest.mark.slow  # two real worker processes


def _assignments(copy) -> list[tuple[int, str]]:
    sql = (
        "SELECT ticket_id, new_value FROM tickets_ticketevent "
        "WHERE action = 'assigned' AND actor_kind = 'system' ORDER BY id"
    )
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    import sqlite3

    with sqlite3.connect(copy) as db:
        return db.execute(sql).fetchall()


@pytest.mark.django_db(transaction=True)
def test_round_robin_is_fair_with_two_workers(desk, team, tmp_path):
    tickets = [
        services.create_ticket(
            desk.operator, title=f"Printer {n}", requester=desk.requester, group=team.group
        )
        for n in range(12)
    ]
    SupportGroup.objects.filter(pk=team.group.pk).update(
        assignment=SupportGroup.Assignment.ROUND_ROBIN
    )
    ids = [str(t.pk) for t in tickets]
    env, copy = _worker_env(tmp_path)
    # The monotonic clock is the machine's, one for every process, and never travelled
    # (TUKI_TEST_NOW moves this process's wall clock only, not the workers').
    start = time.monotonic() + 4  # time enough for both processes to set Django up
    outs = [tmp_path / f"worker-{n}.json" for n in (1, 2)]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tuki.routing.tests.race_worker", str(out), str(start), *order],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for out, order in zip(outs, (ids, ids[::-1]), strict=True)
    ]
    for worker in workers:
        worker.wait(timeout=120)
    outputs = [json.loads(out.read_text()) for out in outs]
    assert all(w.returncode == 0 for w in workers)

    assigned = [t for out in outputs for t, result in out.items() if result.startswith("assigned")]
    assert sorted(assigned, key=int) == ids  # every ticket once, by one worker or the other
    rows = _assignments(copy)
    assert Counter(ticket for ticket, _ in rows) == Counter({t.pk: 1 for t in tickets})
    names = [name for _, name in rows]
    assert names == [team.a.full_name, team.b.full_name, team.c.full_name] * 4
