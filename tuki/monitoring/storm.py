"""An alert storm, the same every time for a seed: a desk's monitoring on a bad day, to
replay through the services (tests) or post to a server (the bench).

The estate: `services` business services, each an application running on `hosts` servers,
every server connected to one core switch. What happens, minute by minute:

- background noise: a few warnings per service (disk, memory), re-sent every 5 minutes as
  Alertmanager does, some resolving after a while;
- info alerts (recorded, opening nothing);
- flapping alerts: `flapping` checks that fire and resolve every 2 minutes;
- a cascade: at minute 30 the core switch fails (critical); every server behind it follows
  with two critical alerts (unreachable, its service down): `services × hosts × 2` alerts,
  re-sent every 5 minutes, all resolved at minute 60 when the switch is back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass, ConfigurationItem, RelationType
from tuki.monitoring.payloads import Incoming

if TYPE_CHECKING:
    from tuki.accounts.models import User

SWITCH = "core-sw1.example.com"


@dataclass(frozen=True)
class Storm:
    seed: int = 16
    services: int = 20
    hosts: int = 5  # per service
    noise: int = 2  # warnings per service
    info: int = 20
    flapping: int = 5
    minutes: int = 75


@dataclass
class Step:
    minute: int
    alerts: list[Incoming] = field(default_factory=list)


def host_name(service: int, host: int) -> str:
    return f"s{service:02d}-h{host:02d}.example.com"


def build_estate(actor: User | None, storm: Storm) -> dict[str, ConfigurationItem]:
    """The configuration items the storm's alerts name (made through the cmdb services)."""
    classes = {c.key: c for c in CIClass.objects.all()}
    made: dict[str, ConfigurationItem] = {}
    switch = cmdb.create_item(
        actor, name="core-sw1", ci_class=classes["network_device"], hostname=SWITCH
    )
    made[SWITCH] = switch
    for s in range(storm.services):
        business = cmdb.create_item(
            actor, name=f"Service {s:02d}", ci_class=classes["business_service"]
        )
        app = cmdb.create_item(actor, name=f"app-{s:02d}", ci_class=classes["application"])
        cmdb.add_relation(actor, business, RelationType.DEPENDS_ON, app)
        for h in range(storm.hosts):
            name = host_name(s, h)
            host = cmdb.create_item(
                actor, name=name.split(".")[0], ci_class=classes["server"], hostname=name
            )
            cmdb.add_relation(actor, app, RelationType.RUNS_ON, host)
            cmdb.add_relation(actor, host, RelationType.CONNECTED_TO, switch)
            made[name] = host
    return made


def _alert(name: str, host: str, severity: str, status: str, service: int) -> Incoming:
    return Incoming(
        name=name,
        status=status,
        severity=severity,
        ci=host,
        summary=f"{name} on {host}",
        fingerprint=f"{name}:{host}",
        labels={"alertname": name, "instance": host, "severity": severity},
        group_key=f'{{}}:{{service="{service:02d}"}}',
    )


def steps(storm: Storm) -> list[Step]:
    """The storm as posts, minute by minute (each step's alerts in one request or several)."""
    rng = random.Random(storm.seed)
    hosts = [(s, h) for s in range(storm.services) for h in range(storm.hosts)]
    noise = []
    for s in range(storm.services):
        for n in range(storm.noise):
            h = rng.randrange(storm.hosts)
            kind = rng.choice(["DiskFillingUp", "MemoryPressure", "HighLoad", "SlowQueries"])
            start = rng.randrange(0, 20)
            end = start + rng.randrange(10, 60)
            noise.append((f"{kind}{n}", host_name(s, h), s, start, end))
    infos = [(host_name(*rng.choice(hosts)), rng.randrange(0, 60)) for _ in range(storm.info)]
    flappers = [(rng.choice(hosts), n) for n in range(storm.flapping)]
    timeline: list[Step] = []
    for minute in range(storm.minutes):
        step = Step(minute)
        for name, host, s, start, end in noise:
            if start <= minute < end and (minute - start) % 5 == 0:
                step.alerts.append(_alert(name, host, "warning", "firing", s))
            elif minute == end:
                step.alerts.append(_alert(name, host, "warning", "resolved", s))
        for host, start in infos:
            if start <= minute and (minute - start) % 10 == 0:
                step.alerts.append(_alert("BackupTookLong", host, "info", "firing", 0))
        for (s, h), n in flappers:
            if 5 <= minute < 45 and minute % 2 == 0:
                status = "firing" if (minute // 2 + n) % 2 else "resolved"
                step.alerts.append(_alert(f"ProbeFlaps{n}", host_name(s, h), "warning", status, s))
        if 30 <= minute < 60 and (minute - 30) % 5 == 0:
            step.alerts.append(_alert("SwitchDown", SWITCH, "critical", "firing", 99))
            for s, h in hosts:
                host = host_name(s, h)
                step.alerts.append(_alert("HostUnreachable", host, "critical", "firing", s))
                step.alerts.append(_alert("ServiceDown", host, "critical", "firing", s))
        if minute == 60:
            step.alerts.append(_alert("SwitchDown", SWITCH, "critical", "resolved", 99))
            for s, h in hosts:
                host = host_name(s, h)
                step.alerts.append(_alert("HostUnreachable", host, "critical", "resolved", s))
                step.alerts.append(_alert("ServiceDown", host, "critical", "resolved", s))
        rng.shuffle(step.alerts)
        if step.alerts:
            timeline.append(step)
    return timeline


def batches(alerts: list[Incoming], size: int = 50) -> list[list[Incoming]]:
    return [alerts[i : i + size] for i in range(0, len(alerts), size)]


def alertmanager_body(alerts: list[Incoming], at: datetime | None = None) -> dict[str, Any]:
    """One Alertmanager webhook (version 4) carrying these alerts."""
    started = (at or datetime(2026, 1, 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "4",
        "receiver": "tuki",
        "status": "firing" if any(a.status == "firing" for a in alerts) else "resolved",
        "groupKey": alerts[0].group_key if alerts else "{}",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "alerts": [
            {
                "status": a.status,
                "labels": a.labels,
                "annotations": {"summary": a.summary},
                "startsAt": started,
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "",
                "fingerprint": a.fingerprint.replace(":", "-")[:64],
            }
            for a in alerts
        ],
    }


def replay_minutes(start: datetime, step: Step) -> datetime:
    return start + timedelta(minutes=step.minute)
