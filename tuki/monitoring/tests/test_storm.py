"""A storm replayed through the services: few incidents, and no critical alert lost."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tuki.monitoring import services, storm
from tuki.monitoring.models import Alert
from tuki.tickets.models import Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_storm_is_the_same_for_a_seed():
    one = [
        (s.minute, [a.fingerprint + a.status for a in s.alerts]) for s in storm.steps(storm.Storm())
    ]
    two = [
        (s.minute, [a.fingerprint + a.status for a in s.alerts]) for s in storm.steps(storm.Storm())
    ]
    assert one == two
    other = storm.steps(storm.Storm(seed=17))
    assert [a.fingerprint for s in other for a in s.alerts] != [a for _m, f in one for a in f]


def test_a_storm_opens_few_incidents_and_keeps_every_critical_alert(desk, world):
    plan = storm.Storm()
    storm.build_estate(desk.admin, plan)
    start = timezone.now()
    received = 0
    critical: set[str] = set()
    for step in storm.steps(plan):
        for batch in storm.batches(step.alerts):
            services.receive(world.source, batch, now=storm.replay_minutes(start, step))
            received += len(batch)
            critical |= {a.fingerprint for a in batch if a.severity == "critical"}
    incidents = Ticket.objects.count()
    print(
        f"storm: {received} alerts received, {Alert.objects.count()} distinct, "
        f"{incidents} incidents ({incidents / received:.1%}), "
        f"{Alert.objects.filter(flapping=True).count()} flapping at the end"
    )
    assert received > 1000
    assert incidents <= 0.05 * received
    kept = Alert.objects.filter(fingerprint__in=critical)
    assert kept.count() == len(critical) == 1 + plan.services * plan.hosts * 2
    assert not kept.filter(group__ticket__isnull=True).exists()
    assert not kept.filter(group__isnull=True).exists()
    # the cascade is over: its alerts resolved, and with them the incidents nobody touched
    assert not kept.filter(state="firing").exists()
