"""Configuration written in bulk by services is recorded too: SLA policies with their targets
and memberships, a group's assignment mode, the default calendar moving."""

from __future__ import annotations

import json

import pytest
from django.contrib.contenttypes.models import ContentType

from tuki.accounts import services as accounts
from tuki.audit.models import Action, AuditEntry, Via
from tuki.calendars import services as calendars
from tuki.calendars.models import Calendar
from tuki.sla.models import SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db


def entries(model, **filters):
    ct = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=ct, **filters).order_by("id"))


def api(client, method, url, body):
    return getattr(client, method)(
        f"/api/v1{url}", json.dumps(body), content_type="application/json"
    )


def test_an_sla_policy_with_targets_and_organisations_through_the_api(desk):
    client = desk.client_for(desk.admin)
    created = api(
        client,
        "post",
        "/sla/policies",
        {
            "name": "Gold",
            "organisations": [desk.acme.pk],
            "targets": [{"priority": 1, "resolution_minutes": 240}],
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    changed = api(
        client,
        "patch",
        f"/sla/policies/{pk}",
        {
            "organisations": [desk.globex.pk],
            "targets": [{"priority": 1, "resolution_minutes": 120}],
        },
    )
    assert changed.status_code == 200, changed.content
    policy = entries(SlaPolicy, object_id=str(pk))
    assert policy[0].action == Action.CREATE
    memberships = [e.changes["organisations"] for e in policy if "organisations" in e.changes]
    assert {"added": ["Acme Oy"]} in memberships
    assert {"removed": ["Acme Oy"]} in memberships and {"added": ["Globex SRL"]} in memberships
    targets = entries(SlaTarget)
    assert [e.action for e in targets] == [Action.CREATE, Action.DELETE, Action.CREATE]
    assert targets[0].changes["resolution_minutes"] == [None, 240]
    assert targets[2].changes["resolution_minutes"] == [None, 120]
    assert all((e.actor, e.via) == (desk.admin, Via.API) for e in policy + targets)


def test_a_groups_assignment_mode(desk):
    accounts.set_assignment_mode(desk.lead, desk.network_hel, "round_robin")
    entry = entries(type(desk.network_hel), object_id=str(desk.network_hel.pk))[-1]
    assert entry.changes == {"assignment": ["manual", "round_robin"]}


def test_the_default_calendar_moving(desk):
    week = {"mon": [["08:00", "16:00"]]}
    first = calendars.create_calendar(
        desk.admin, calendars.CalendarInput(name="Helsinki", week=week, is_default=True)
    )
    calendars.create_calendar(
        desk.admin, calendars.CalendarInput(name="Bucharest", week=week, is_default=True)
    )
    entry = entries(Calendar, object_id=str(first.pk))[-1]
    assert entry.changes == {"is_default": [True, False]}


def test_an_account_deleting_itself_is_recorded_with_its_id_and_email(desk):
    from django.db import connection
    from django.test import RequestFactory

    from tuki.audit import context

    user = desk.colleague
    pk, email = user.pk, user.email
    request = RequestFactory().post("/preferences/")
    request.user = user
    token = context._request.set(request)
    try:
        user.delete()
    finally:
        context._request.reset(token)
    connection.check_constraints()
    entry = AuditEntry.objects.select_related("actor").get(action=Action.DELETE, object_id=str(pk))
    assert (entry.actor, entry.actor_id, entry.actor_label) == (None, pk, email)
