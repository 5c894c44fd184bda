"""Monitoring alerts through `POST /api/v1/alerts` on a real `tuki serve`: alerts per second.

Alertmanager re-sends every firing alert on each group's repeat interval, so most of what
arrives is repeats. Each request here is one Alertmanager webhook of `PER_REQUEST` alerts:
`NEW_PER_REQUEST` alerts never seen before (each joins the open incident of its group, with
a note) and the rest repeats of alerts already firing (counted: one UPDATE per request).
Before the measurement a warm set of alerts is posted, which opens one incident per group.
The figure counts alerts, repeats included; the note says how many incidents it opened.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable

from django.utils import timezone

from tuki.bench.clients import Client, server, throughput
from tuki.bench.options import Figure, Run

NAME = "alerts"
PER_REQUEST = 50
NEW_PER_REQUEST = 1
WARM = 1000  # alerts posted first, the pool the repeats are drawn from
GROUPS = 20


def _alert(fingerprint: str, group: int) -> dict[str, object]:
    return {
        "status": "firing",
        "labels": {
            "alertname": f"BenchCheck{group}",
            "severity": "critical" if group % 5 == 0 else "warning",
            "instance": f"bench-{group:02d}.invalid:9100",
        },
        "annotations": {"summary": "A bench alert"},
        "startsAt": "2026-01-01T00:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "",
        "fingerprint": fingerprint,
    }


def _body(alerts: list[tuple[str, int]]) -> bytes:
    group = alerts[0][1]
    return json.dumps(
        {
            "version": "4",
            "receiver": "tuki",
            "status": "firing",
            "groupKey": f'{{}}:{{group="{group:02d}"}}',
            "commonLabels": {},
            "alerts": [_alert(fp, g) for fp, g in alerts],
        }
    ).encode()


def _source_token() -> str:
    """A bench alert source acting as a service desk agent (the harness writes it itself)."""
    from tuki.accounts.models import SupportGroup
    from tuki.monitoring.models import AlertSource

    desk = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK).first()
    agent = desk.members.filter(is_active=True).order_by("pk").first() if desk else None
    assert agent is not None, "no service desk agent in the benchmark data"
    AlertSource.objects.filter(name="bench").delete()
    source = AlertSource(name="bench", user=agent)
    raw = source.new_token()
    source.save()
    return raw


def measure(run: Run, url: str, say: Callable[[str], None]) -> None:
    from tuki.tickets.models import Ticket

    options = run.options
    token = _source_token()
    headers = {"Authorization": f"Bearer {token}"}
    tag = uuid.uuid4().hex[:6]
    # One Alertmanager group per request while warming: one incident per group.
    warm = [(f"{tag}w{n:05d}", n // (WARM // GROUPS)) for n in range(WARM)]

    def target(i: int) -> tuple[str, str, bytes | None]:
        rng = random.Random(i)
        group = rng.randrange(GROUPS)
        fresh = [(f"{tag}n{i:x}-{k}", group) for k in range(NEW_PER_REQUEST)]
        repeats = rng.sample(warm, PER_REQUEST - NEW_PER_REQUEST)
        return "POST", "/api/v1/alerts", _body(fresh + repeats)

    with server(url, options, say) as port:
        began = time.perf_counter()
        client = Client(port, headers)
        try:
            for start in range(0, WARM, PER_REQUEST):
                status = client.send(
                    "POST", "/api/v1/alerts", _body(warm[start : start + PER_REQUEST])
                )
                if status != 200:
                    raise RuntimeError(f"the bench's alerts were refused ({status})")
        finally:
            client.close()
        warmed = Ticket.objects.filter(alert_groups__isnull=False).distinct().count()
        say(f"  warm: {WARM} alerts in {time.perf_counter() - began:.1f} s, {warmed} incidents")
        first_ticket = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        since = timezone.now()
        seconds = options.seconds * 2
        rate, done, errors = throughput(
            port, headers, target, options.create_clients, seconds, (200,)
        )
    opened = Ticket.objects.filter(pk__gt=first_ticket, created_at__gte=since).count()
    alerts = done * PER_REQUEST
    per_second = rate * PER_REQUEST
    note = (
        f"{done} requests of {PER_REQUEST} alerts ({NEW_PER_REQUEST} new, the rest repeats), "
        f"{options.create_clients} clients, {seconds:.0f} s; {opened} incidents opened "
        f"(and {warmed} by the {WARM} alerts posted first)"
    )
    label = f"alerts by POST /api/v1/alerts, {options.create_clients} clients"
    run.figures.append(Figure("alerts", label, "/s", per_second, samples=alerts, note=note))
    run.figures.append(
        Figure(
            "alerts_throughput",
            label,
            "/s",
            per_second,
            samples=alerts,
            errors=errors,
            note=note,
        )
    )
    say(
        f"  {'alerts (Alertmanager, 50 per request)':<48} {per_second:10,.1f} /s  "
        f"({alerts} alerts, {opened} incidents opened"
        + (f", {errors} errors" if errors else "")
        + ")"
    )
