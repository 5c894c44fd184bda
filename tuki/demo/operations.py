"""IT operations on the demo desk (docs/operations.md), after its CMDB (cmdb.py), through
the services of monitoring, availability and capacity:

- availability: a 99.5 % target in every client's agreement, the client portal and e-mail
  on the public status page, three months of outages (unplanned full and partial, planned
  maintenance) and a planned one ahead;
- monitoring: a Prometheus source; a web server of the portal's cluster is down now (the
  cluster keeps its quorum, so the portal is degraded: an incident and a partial outage),
  its alert repeated, and a warning about the database's latency;
- capacity: disk thresholds for every server, 30 days of disk use (the database server's
  grows towards its warning level: a forecast), and a licence pool already past its warning.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tuki.accounts.models import User
from tuki.availability import services as availability
from tuki.availability.models import AvailabilityTarget, Impact, Outage, PublicService
from tuki.capacity import services as capacity
from tuki.capacity.services import SampleIn
from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.demo import sla
from tuki.demo.cast import Cast
from tuki.monitoring import services as monitoring
from tuki.monitoring.models import AlertSource
from tuki.monitoring.payloads import Incoming
from tuki.sla.models import Agreement, Service

# service, days ago, start hour, hours, planned, degradation (None: full), title
OUTAGES = [
    ("E-mail", 74, 9, 2.5, False, None, "Mail delivery stopped"),
    ("Client portal", 61, 14, 1.0, False, 50, "Portal pages load slowly"),
    ("Remote access (VPN)", 45, 8, 3.0, False, None, "VPN connections fail"),
    ("ERP", 33, 22, 4.0, True, None, "ERP upgrade"),
    ("E-mail", 19, 11, 0.75, False, 30, "Some mailboxes open slowly"),
    ("Client portal", 6, 10, 1.5, False, None, "Portal unreachable"),
]


def seed(cast: Cast, now: datetime) -> dict[str, int]:
    """Idempotent: a desk with outages or alert sources already is left alone."""
    if Outage.objects.exists() or AlertSource.objects.exists():
        return {"outages": 0, "alerts": 0, "samples": 0}
    items = {ci.name: ci for ci in ConfigurationItem.objects.all()}
    if "Client portal" not in items:
        return {"outages": 0, "alerts": 0, "samples": 0}
    return {
        "outages": _availability(cast, now),
        "alerts": _monitoring(cast, now, items),
        "samples": _capacity(cast, now, items),
    }


def _availability(cast: Cast, now: datetime) -> int:
    for agreement in Agreement.objects.all():
        AvailabilityTarget.objects.get_or_create(
            agreement=agreement, service=None, defaults={"percent": 99.5}
        )
    services = {s.name: s for s in Service.objects.all()}
    for name in ("Client portal", "E-mail"):
        PublicService.objects.get_or_create(service=services[name])
    for name, days, hour, hours, planned, degradation, title in OUTAGES:
        start = (now - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        availability.declare_outage(
            cast.admin,
            service=services[name],
            starts_at=start,
            ends_at=start + timedelta(hours=hours),
            planned=planned,
            impact=Impact.FULL if degradation is None else Impact.PARTIAL,
            degradation=degradation,
            title=title,
        )
    ahead = (now + timedelta(days=9)).replace(hour=20, minute=0, second=0, microsecond=0)
    availability.declare_outage(
        cast.admin,
        service=services["E-mail"],
        starts_at=ahead,
        ends_at=ahead + timedelta(hours=2),
        planned=True,
        title="Mail server upgrade",
        notice="Mail is queued and delivered afterwards.",
    )
    return len(OUTAGES) + 1


def _monitoring(cast: Cast, now: datetime, items: dict[str, ConfigurationItem]) -> int:
    # A service account: the requester of the incidents monitoring opens. They fall under
    # the internal operations policy (no client's organisation), so their clocks run.
    robot = User.objects.filter(email="prometheus@monitoring.tuki.example").first()
    if robot is None:
        robot = User.objects.create_user(
            "prometheus@monitoring.tuki.example", None, full_name="Prometheus", is_agent=True
        )
    # Tried last: incidents and requests no client's policy covers (those monitoring and
    # capacity open for the provider's own items) run against the desk's own targets.
    sla.make_policy("Internal operations", 100, None, cast.groups)
    source, _token = monitoring.create_source(
        cast.admin, name="Prometheus", user=robot, group=cast.groups.get("Network Helsinki")
    )
    down = Incoming(
        name="NodeDown",
        status="firing",
        severity="critical",
        ci="web-hel-02.tuki.example",
        summary="web-hel-02 does not answer",
        description="Node exporter unreachable for 5 minutes.",
        fingerprint="demo-nodedown-web-hel-02",
        starts_at=now - timedelta(minutes=25),
        labels={"alertname": "NodeDown", "instance": "web-hel-02:9100", "job": "node"},
    )
    slow = Incoming(
        name="PostgresSlowQueries",
        status="firing",
        severity="warning",
        ci="db-hel-01.tuki.example",
        summary="95th percentile query time above 500 ms",
        fingerprint="demo-slow-db-hel-01",
        starts_at=now - timedelta(minutes=40),
        labels={"alertname": "PostgresSlowQueries", "instance": "db-hel-01:9187"},
    )
    received = 0
    for minutes in (20, 15, 10, 5, 0):  # Alertmanager repeats what still fires
        batch = [down, slow] if minutes != 20 else [down]
        monitoring.receive(source, batch, now=now - timedelta(minutes=minutes))
        received += len(batch)
    return received


def _capacity(cast: Cast, now: datetime, items: dict[str, ConfigurationItem]) -> int:
    server = CIClass.objects.get(key="server")
    capacity.create_threshold(
        cast.admin, ci_class=server, metric="disk_used_pct", warning=80, critical=90
    )
    licences = cmdb.create_item(
        cast.admin,
        name="Office 365 E3 licences",
        ci_class=CIClass.objects.get(key="licence"),
        support_group=cast.groups.get("Workplace Bucharest"),
        attributes={"seats": 250},
    )
    capacity.create_threshold(
        cast.admin, ci=licences, metric="seats_used", warning=225, critical=245
    )
    rnd = random.Random(16)
    samples: list[SampleIn] = []
    start = now - timedelta(days=30)
    for step in range(120):  # every six hours
        at = start + timedelta(hours=6 * step)
        growth = 52 + 24 * step / 120  # the database grows ~0.8 points a day
        samples.append(
            SampleIn(
                items["db-hel-01"].pk,
                "disk_used_pct",
                round(growth + rnd.gauss(0, 0.8), 2),
                "%",
                at,
            )
        )
        for name in ("web-hel-01", "web-hel-02", "web-hel-03"):
            samples.append(
                SampleIn(items[name].pk, "disk_used_pct", round(38 + rnd.gauss(0, 1.5), 2), "%", at)
            )
        if step % 4 == 0:
            seats = 200 + step // 4 + rnd.randint(-2, 2)
            samples.append(SampleIn(licences.pk, "seats_used", float(seats), "", at))
    samples.sort(key=lambda s: s.at or now)
    for first in range(0, len(samples), 2000):
        capacity.record_samples(cast.admin, samples[first : first + 2000])
    capacity.refresh_forecasts(now=now)
    return len(samples)
