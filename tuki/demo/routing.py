"""Demo data for routing (called by tuki/demo/loader.py after the stories are played)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tuki.accounts.models import Absence, SupportGroup
from tuki.demo.cast import Cast
from tuki.routing.models import RoutingRule
from tuki.tickets.models import Kind


def seed(cast: Cast, now: datetime) -> None:
    """Two office rules, two automatic groups and one agent away this week."""
    groups, offices = cast.groups, cast.locations
    vpn = cast.categories[("Network", "VPN")]
    rules = [
        ("VPN incidents from Bucharest", 10, Kind.INCIDENT, vpn, "Bucharest", "Network Bucharest"),
        ("Network from Helsinki", 20, "", vpn.parent, "Helsinki", "Network Helsinki"),
    ]  # fmt: skip
    for name, position, kind, category, office, group in rules:
        RoutingRule.objects.get_or_create(
            name=name,
            defaults={
                "position": position,
                "kind": kind,
                "category": category,
                "location": offices[office],
                "group": groups[group],
            },
        )
    modes = {
        "Network Bucharest": SupportGroup.Assignment.ROUND_ROBIN,
        "Workplace Bucharest": SupportGroup.Assignment.LEAST_WORK,
    }
    for name, mode in modes.items():
        SupportGroup.objects.filter(pk=groups[name].pk).update(assignment=mode)
    away = cast.people.get("Elena Stan")
    if away is not None and not away.absences.exists():
        today = now.date()
        Absence.objects.create(
            user=away,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=4),
            note="Training",
        )
