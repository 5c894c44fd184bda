"""The same alert posted on 50 connections at once opens exactly one incident and counts 50
(PostgreSQL: real concurrent transactions through the API)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tuki.monitoring.models import Alert, AlertGroup
from tuki.monitoring.tests.conftest import post
from tuki.tickets.models import Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

THREADS = 50


def _storm(token: str, bodies: list[dict]) -> list[int]:
    statuses: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(bodies))

    def send(body: dict) -> None:
        try:
            client = Client()
            start.wait()
            status = post(client, body, token).status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@pytest.mark.django_db(transaction=True)
def test_fifty_connections_posting_one_alert_open_one_incident(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (TUKI_DATABASE_URL)")
    body = {"alerts": [{"name": "HostDown", "ci": "web01.example.com", "severity": "critical"}]}
    statuses = _storm(world.token, [body] * THREADS)
    assert statuses == [200] * THREADS
    assert Alert.objects.get().count == THREADS
    assert Ticket.objects.count() == 1
    assert AlertGroup.objects.filter(closed_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_fifty_related_alerts_at_once_share_one_incident(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (TUKI_DATABASE_URL)")
    bodies = [
        {"alerts": [{"name": f"Check{n}", "ci": "web01.example.com" if n % 2 else "SN-2"}]}
        for n in range(THREADS)
    ]
    statuses = _storm(world.token, bodies)
    assert statuses == [200] * THREADS
    assert Alert.objects.count() == THREADS
    ticket = Ticket.objects.get()
    assert Alert.objects.filter(group__ticket=ticket).count() == THREADS
    assert ticket.comments.filter(is_internal=True).count() == THREADS - 1
