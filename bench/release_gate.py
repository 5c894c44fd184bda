"""The deployment gate (docs/releases.md): `POST /api/v1/releases/gate` answers per second
and its latency (p50, p95), through Django's whole request path (WSGI handler, middleware,
token authentication, the API, the signed answer and its log row), in-process.

Builds its own data in a throwaway database: TUKI_BENCH_GATE_CHANGES changes (default 200;
half approved through the approvals engine, each naming an item), 30 blackout periods and
freezes on other items or over, and a release grouping 10 approved changes. Three questions:
an approved change in its window (allowed), a change waiting for its CAB (refused), the
release (its 10 changes judged together).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from tuki.bench.database import throwaway_database

CHANGES = int(os.environ.get("TUKI_BENCH_GATE_CHANGES", "200"))
GROUPED = 10


def _world() -> dict[str, Any]:
    from django.utils import timezone

    from tuki.accounts.models import SupportGroup, User
    from tuki.accounts.tokens import issue_token
    from tuki.approvals.services import decide, request_approval
    from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change
    from tuki.cmdb.models import AffectedItem, CIClass, ConfigurationItem
    from tuki.releases import services as releases
    from tuki.tickets import services as tickets

    SupportGroup.objects.create(name="Service Desk", tier=1, may_write_to_requesters=True)
    group = SupportGroup.objects.create(name="Platform", tier=2)
    agent = User.objects.create_user("gate@bench.invalid", "x", full_name="Gate", is_agent=True)
    approver = User.objects.create_user("cab@bench.invalid", "x", full_name="CAB", is_agent=True)
    pipeline = User.objects.create_user("ci@bench.invalid", "x", full_name="CI", is_agent=True)
    group.members.add(agent, approver, pipeline)
    ci_class = CIClass.objects.filter(key="server").first() or CIClass.objects.create(
        key="server", name="Server", layer="technical"
    )
    now = timezone.now()
    approved, waiting = [], []
    for n in range(CHANGES):
        ticket = tickets.create_ticket(
            agent, title=f"Change {n}", requester=agent, kind="change", group=group
        )
        Change.objects.get_or_create(
            ticket=ticket,
            defaults={
                "planned_start": now - timedelta(hours=1),
                "planned_end": now + timedelta(days=1),
            },
        )
        item = ConfigurationItem.objects.create(name=f"host-{n}", ci_class=ci_class)
        AffectedItem.objects.create(ticket=ticket, ci=item)
        approval = request_approval(agent, ticket, steps=[{"rule": "any", "users": [approver.pk]}])
        if n % 2 == 0:
            decide(approver, approval.steps.get(), "approve")
            approved.append(ticket.pk)
        else:
            waiting.append(ticket.pk)
    other = ConfigurationItem.objects.create(name="elsewhere", ci_class=ci_class)
    for n in range(30):
        period = BlackoutPeriod.objects.create(
            name=f"Period {n}",
            kind=BlackoutKind.FREEZE if n % 2 else BlackoutKind.BLACKOUT,
            starts_at=now + timedelta(days=2 + n) if n % 3 else now - timedelta(hours=1),
            ends_at=now + timedelta(days=3 + n),
        )
        if n % 3 == 0:
            period.items.add(other)
    release = releases.create_release(
        agent,
        title="Bench release",
        planned_start=now - timedelta(hours=1),
        planned_end=now + timedelta(days=1),
        group=group,
    )
    for pk in approved[:GROUPED]:
        releases.add_change(agent, release, f"CHG-{pk}")
    releases.move_stage(agent, release, "test")
    approval = request_approval(
        agent, release.ticket, steps=[{"rule": "any", "users": [approver.pk]}]
    )
    decide(approver, approval.steps.get(), "approve")
    releases.move_stage(agent, release, "deploy")
    return {
        "token": issue_token(pipeline, "bench"),
        "allowed": f"CHG-{approved[-1]}",
        "refused": f"CHG-{waiting[-1]}",
        "release": f"REL-{release.pk}",
    }


def _measure(client: Any, token: str, body: dict[str, str], seconds: float) -> list[float]:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_HOST": "127.0.0.1"}
    for _ in range(20):  # warm: the key, the caches
        client.post("/api/v1/releases/gate", body, content_type="application/json", **headers)
    samples: list[float] = []
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop or len(samples) < 50:
        began = time.perf_counter()
        response = client.post(
            "/api/v1/releases/gate", body, content_type="application/json", **headers
        )
        samples.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"the gate answered {response.status_code}")
    return samples


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    from django.test import Client

    with throwaway_database("gate"):
        world = _world()
        client = Client()
        questions = (
            ("allowed change", {"change": world["allowed"]}),
            ("refused change", {"change": world["refused"]}),
            (f"release of {GROUPED} changes", {"release": world["release"]}),
        )
        for label, body in questions:
            body = {**body, "environment": "production", "pipeline": "bench", "ref": "abc"}
            samples = sorted(_measure(client, world["token"], body, seconds))
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            yield (f"gate, {label}: p50", statistics.median(samples) * 1000, "ms")
            yield (f"gate, {label}: p95", p95 * 1000, "ms")
            yield (f"gate, {label}: calls", float(len(samples)), "calls")
