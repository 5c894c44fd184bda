"""Receiving alerts: de-duplication, grouping into one incident, resolving, maintenance,
flapping, severities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.cmdb import services as cmdb
from tuki.cmdb.models import AffectedItem
from tuki.lib.errors import ServiceError
from tuki.monitoring import services
from tuki.monitoring.models import Alert, AlertGroup, AlertState
from tuki.monitoring.payloads import Incoming
from tuki.tickets import services as tickets
from tuki.tickets.choices import StatusCategory
from tuki.tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db


def fire(name="HighCPU", ci="web01.example.com", status="firing", **kw):
    kw.setdefault("severity", "critical")
    return Incoming(name=name, status=status, ci=ci, fingerprint=kw.pop("fp", name + str(ci)), **kw)


def receive(world, *alerts, at=None):
    return services.receive(world.source, list(alerts), now=at)


def notes(ticket):
    return list(
        Comment.objects.filter(ticket=ticket, is_internal=True)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_a_new_alert_opens_one_incident_about_its_ci(world, desk):
    result = receive(world, fire())
    assert result.new == 1 and len(result.opened) == 1
    ticket = Ticket.objects.get()
    assert ticket.kind == "incident"
    assert (ticket.impact, ticket.urgency) == (1, 1)
    assert ticket.group == desk.network_hel
    assert ticket.requester == world.source.user
    assert AffectedItem.objects.filter(ticket=ticket, ci=world.web01).exists()
    alert = Alert.objects.get()
    assert alert.ci == world.web01 and alert.state == AlertState.FIRING
    assert alert.group_key == f"ci:{world.shop.pk}"  # the business service above web01


def test_repeats_only_count(world):
    receive(world, fire())
    result = receive(world, fire(), fire(), fire())
    assert result.repeats == 3 and result.new == 0 and not result.opened
    alert = Alert.objects.get()
    assert alert.count == 4
    assert Ticket.objects.count() == 1
    assert notes(Ticket.objects.get()) == []


def test_related_alerts_join_the_open_incident_with_one_note_each(world):
    receive(world, fire())
    receive(world, fire("HighLatency", ci="SN-2"))  # web02, same business service
    receive(world, fire("HighLatency", ci="SN-2"))
    receive(world, fire("DiskFull", ci=None, service="Webshop"))
    ticket = Ticket.objects.get()
    assert len(notes(ticket)) == 2
    assert "HighLatency" in notes(ticket)[0]
    assert AlertGroup.objects.get().ticket == ticket
    assert Alert.objects.filter(group__ticket=ticket).count() == 3


def test_other_keys_open_other_incidents(world):
    receive(world, fire(ci="db01"))  # no business service: the CI
    receive(world, fire("Down", ci=None, group_key='{}:{alertname="Down"}'))
    receive(world, fire("Lonely", ci=None))
    keys = sorted(AlertGroup.objects.values_list("key", flat=True))
    assert keys == sorted([f"ci:{world.db01.pk}", 'am:{}:{alertname="Down"}', "fp:LonelyNone"])
    assert Ticket.objects.count() == 3


def test_the_incident_resolves_when_every_alert_is_resolved(world):
    receive(world, fire(), fire("HighLatency", ci="SN-2"))
    ticket = Ticket.objects.get()
    receive(world, fire(status="resolved"))
    ticket.refresh_from_db()
    assert ticket.status.category != StatusCategory.RESOLVED
    receive(world, fire("HighLatency", ci="SN-2", status="resolved"))
    ticket.refresh_from_db()
    assert ticket.status.category == StatusCategory.RESOLVED
    assert ticket.resolution_code == "solved"
    assert "All alerts resolved." in notes(ticket)
    assert AlertGroup.objects.get().closed_at is not None


def test_an_incident_worked_by_hand_only_gets_a_note(world, desk):
    receive(world, fire())
    ticket = Ticket.objects.get()
    tickets.add_comment(desk.specialist, ticket, "Looking at it", internal=True)
    receive(world, fire(status="resolved"))
    ticket.refresh_from_db()
    assert ticket.status.category != StatusCategory.RESOLVED
    assert any("left to its agents" in n for n in notes(ticket))


def test_a_new_firing_after_the_incident_was_resolved_by_hand_opens_another(world, desk):
    receive(world, fire())
    first = Ticket.objects.get()
    tickets.resolve_ticket(desk.specialist, first, code="solved")
    receive(world, fire("Other", ci="SN-2"))
    assert Ticket.objects.count() == 2


def test_an_alert_firing_again_soon_reopens_its_resolved_incident(world):
    now = timezone.now()
    receive(world, fire(), at=now)
    receive(world, fire(status="resolved"), at=now + timedelta(minutes=1))
    ticket = Ticket.objects.get()
    ticket.refresh_from_db()
    assert ticket.status.category == StatusCategory.RESOLVED
    receive(world, fire(), at=now + timedelta(minutes=2))
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert ticket.status.category == StatusCategory.OPEN


def test_severities(world):
    receive(world, fire("Warn", ci="db01", severity="warning"))
    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency) == (2, 2)
    result = receive(world, fire("FYI", ci=None, severity="info"))
    assert result.new == 1 and not result.opened
    assert Alert.objects.get(name="FYI").group is None
    world.source.info_opens_incident = True
    world.source.save()
    result = receive(world, fire("FYI2", ci=None, severity="info"))
    assert len(result.opened) == 1


def test_a_critical_alert_joining_raises_the_incident(world):
    receive(world, fire("Warn", severity="warning"))
    receive(world, fire("Crit", ci="SN-2"))
    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency) == (1, 1)


def test_alerts_in_a_maintenance_window_are_recorded_but_open_nothing(world, desk):
    now = timezone.now()
    cmdb.plan_maintenance(
        desk.admin,
        world.web01,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    result = receive(world, fire(), fire(), at=now)
    assert result.suppressed == 1
    alert = Alert.objects.get()
    assert alert.state == AlertState.SUPPRESSED and alert.count == 2
    assert not Ticket.objects.exists()
    # after the window, the same alert still firing opens its incident
    receive(world, fire(), at=now + timedelta(hours=2))
    assert Ticket.objects.count() == 1
    assert Alert.objects.get().state == AlertState.FIRING


def test_a_flapping_alert_stops_moving_the_incident(world):
    now = timezone.now()
    receive(world, fire(), at=now)
    ticket = Ticket.objects.get()
    statuses = ["resolved", "firing"] * 4
    for n, status in enumerate(statuses, start=1):
        receive(world, fire(status=status), at=now + timedelta(minutes=n))
    alert = Alert.objects.get()
    assert alert.flapping
    flapping_notes = [n for n in notes(ticket) if "flapping" in n]
    assert len(flapping_notes) == 1
    # resolved while flapping: the incident stays as it is
    receive(world, fire(status="resolved"), at=now + timedelta(minutes=10))
    ticket.refresh_from_db()
    assert ticket.status.category != StatusCategory.RESOLVED
    assert Ticket.objects.count() == 1
    # stable for the window: it decides again
    receive(world, fire(status="resolved"), at=now + timedelta(minutes=45))
    alert.refresh_from_db()
    assert not alert.flapping
    ticket.refresh_from_db()
    assert ticket.status.category == StatusCategory.RESOLVED


def test_only_administrators_manage_sources(world, desk):
    with pytest.raises(PermissionDenied):
        services.create_source(desk.operator, name="x", user=desk.operator)
    with pytest.raises(ServiceError) as error:
        services.create_source(desk.admin, name="prometheus", user=desk.operator)
    assert error.value.field == "name"
    with pytest.raises(ServiceError) as error:
        services.create_source(
            desk.admin, name="y", user=desk.operator, severity_map={"p1": "urgent"}
        )
    assert error.value.field == "severity_map"
    with pytest.raises(PermissionDenied):
        services.posting_as(desk.operator)


def test_the_command_makes_a_source_and_rotates_its_token(desk, capsys):
    from django.core.management import call_command

    from tuki.monitoring import access

    call_command("alert_source", "zabbix", "--user", desk.admin.email, "--group", "Service Desk")
    first = capsys.readouterr().out.strip()
    assert access.source_for_token(first).name == "zabbix"
    call_command("alert_source", "zabbix", "--rotate")
    second = capsys.readouterr().out.strip()
    assert access.source_for_token(first) is None
    assert access.source_for_token(second).group == desk.service_desk
