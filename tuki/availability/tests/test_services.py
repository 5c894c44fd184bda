"""Declaring and ending outages: who may, what is refused, and incidents as outages that end
when the incident is resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone

from tuki.availability import services
from tuki.availability.models import Impact, Outage, Source
from tuki.cmdb import services as cmdb
from tuki.cmdb.panels import rendered_for
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets

pytestmark = pytest.mark.django_db


def _declare(actor, service, **kw):
    values = {"starts_at": timezone.now() - timedelta(hours=1), "title": "VPN is down"}
    values.update(kw)
    return services.declare_outage(actor, service=service, **values)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", True), ("specialist", True), ("lead", True), ("operator", False),
     ("other_agent", False), ("requester", False), ("outsider", False)],
)  # fmt: skip
def test_staff_and_the_services_support_group_declare(desk, catalogue, who, allowed):
    actor = getattr(desk, who)
    if allowed:
        assert _declare(actor, catalogue.vpn).declared_by == actor
    else:
        with pytest.raises(PermissionDenied):
            _declare(actor, catalogue.vpn)
        assert not Outage.objects.exists()


def test_an_outage_of_a_business_service_item_counts_for_its_service(desk, catalogue):
    outage = services.declare_outage(
        desk.specialist, ci=catalogue.vpn_ci, starts_at=timezone.now(), title="VPN slow",
        impact=Impact.PARTIAL, degradation=50,
    )  # fmt: skip
    assert outage.service == catalogue.vpn and outage.weight == 0.5
    with pytest.raises(ServiceError) as error:
        services.declare_outage(
            desk.admin, service=catalogue.email, ci=catalogue.vpn_ci,
            starts_at=timezone.now(), title="x",
        )  # fmt: skip
    assert error.value.field == "ci"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"starts_at": None}, "starts_at"),
        ({"ends_at": "before"}, "ends_at"),
        ({"impact": Impact.PARTIAL}, "degradation"),
        ({"impact": Impact.PARTIAL, "degradation": 100}, "degradation"),
        ({"impact": "sideways"}, "impact"),
        ({"starts_at": "future"}, "starts_at"),
    ],
)
def test_bad_input_is_refused_by_field_and_writes_nothing(desk, catalogue, changes, field):
    now = timezone.now()
    if changes.get("ends_at") == "before":
        changes["ends_at"] = now - timedelta(hours=2)
    if changes.get("starts_at") == "future":
        changes["starts_at"] = now + timedelta(days=1)
    with pytest.raises(ServiceError) as error:
        _declare(desk.admin, catalogue.vpn, **changes)
    assert error.value.field == field
    assert not Outage.objects.exists()


def test_a_planned_outage_may_lie_ahead_and_a_full_one_keeps_no_degradation(desk, catalogue):
    start = timezone.now() + timedelta(days=2)
    outage = _declare(
        desk.admin, catalogue.vpn, planned=True, starts_at=start,
        ends_at=start + timedelta(hours=2), degradation=40,
    )  # fmt: skip
    assert outage.planned and outage.degradation is None


def test_ending_an_outage_once(desk, catalogue):
    outage = _declare(desk.specialist, catalogue.vpn)
    with pytest.raises(PermissionDenied):
        services.end_outage(desk.other_agent, outage)
    services.end_outage(desk.specialist, outage)
    outage.refresh_from_db()
    assert outage.ends_at is not None and outage.ended_by == desk.specialist
    with pytest.raises(ServiceError):
        services.end_outage(desk.specialist, outage)


def test_the_monitoring_hook_declares_and_ends_as_the_system(desk, catalogue):
    outage = services.declare_outage(
        None, ci=catalogue.vpn_ci, starts_at=timezone.now() - timedelta(minutes=3),
        title="VPN unreachable", source=Source.ALERT, alert_ref="alert:17",
    )  # fmt: skip
    assert services.ongoing_for_alert("alert:17") == outage
    services.end_outage(None, outage)
    assert services.ongoing_for_alert("alert:17") is None


def test_an_incident_is_an_outage_until_it_is_resolved(desk, catalogue, escalated):
    incident = escalated
    cmdb.name_affected(desk.operator, incident, [catalogue.vpn_ci, catalogue.email_ci])
    made = services.outage_from_ticket(desk.specialist, incident, notice="We are on it.")
    # The specialist supports VPN only: E-mail is left to its own group.
    assert [o.service for o in made] == [catalogue.vpn]
    outage = made[0]
    assert outage.starts_at == incident.created_at and outage.ends_at is None
    assert outage.source == Source.INCIDENT and outage.ticket == incident
    assert outage.title == "VPN is disrupted"
    with pytest.raises(ServiceError) as error:
        services.outage_from_ticket(desk.specialist, incident)
    assert error.value.code == "duplicate"

    resolved = tickets.resolve_ticket(desk.specialist, incident, code="solved")
    outage.refresh_from_db()
    assert resolved.resolved_at is not None
    assert outage.ends_at == resolved.resolved_at


def test_a_resolved_incident_gives_an_ended_outage(desk, catalogue, incident):
    cmdb.name_affected(desk.operator, incident, [catalogue.vpn_ci])
    incident = tickets.resolve_ticket(desk.operator, incident, code="solved")
    [outage] = services.outage_from_ticket(desk.admin, incident)
    assert outage.ends_at == incident.resolved_at


def test_an_incident_without_affected_services_or_not_an_incident_is_refused(
    desk, catalogue, incident
):
    with pytest.raises(ServiceError) as error:
        services.outage_from_ticket(desk.admin, incident)
    assert error.value.field == "ticket"
    cmdb.name_affected(desk.operator, incident, [catalogue.vpn_ci])
    with pytest.raises(PermissionDenied):
        services.outage_from_ticket(desk.other_agent, incident)
    assert not Outage.objects.exists()


def test_a_business_service_item_shows_its_availability(desk, catalogue):
    _declare(desk.admin, catalogue.vpn)
    shown = dict((p.key, c) for p, c in rendered_for(desk.operator, catalogue.vpn_ci))
    assert "availability" in shown
    html = render_to_string("availability/partials/ci_panel.html", shown["availability"])
    assert 'id="ci-availability"' in html and "VPN is down" in html
    assert "availability" not in dict(
        (p.key, c) for p, c in rendered_for(desk.requester, catalogue.vpn_ci)
    )
