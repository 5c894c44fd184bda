"""POST /api/v1/alerts: who may post, both payload forms, and refused input."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings, strategies as st

from tuki.accounts.tokens import issue_token
from tuki.monitoring.models import Alert, AlertState
from tuki.monitoring.tests.conftest import alert, post
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db

ALERTMANAGER = {
    "version": "4",
    "groupKey": '{}/{severity="critical"}:{alertname="HostDown"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "tuki",
    "groupLabels": {"alertname": "HostDown"},
    "commonLabels": {"alertname": "HostDown", "severity": "critical"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "HostDown",
                "severity": "critical",
                "instance": "web01.example.com:9100",
                "job": "node",
            },
            "annotations": {"summary": "web01 is down", "description": "No scrape for 5m"},
            "startsAt": "2026-12-05T10:00:00.000Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus:9090/graph?g0.expr=up",
            "fingerprint": "a1b2c3d4e5f60708",
        },
        {
            "status": "firing",
            "labels": {"alertname": "HostDown", "severity": "critical", "instance": "x9:9100"},
            "annotations": {"summary": "x9 is down"},
            "startsAt": "2026-12-05T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "",
            "fingerprint": "ffff000011112222",
        },
    ],
}


def test_alertmanager_payload_is_read(world):
    response = post(Client(), ALERTMANAGER, world.token)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["received"] == 2 and data["new"] == 2
    first = Alert.objects.get(fingerprint="a1b2c3d4e5f60708")
    assert first.ci == world.web01
    assert first.summary == "web01 is down"
    assert first.ends_at is None and first.starts_at is not None
    assert first.source == world.source
    other = Alert.objects.get(fingerprint="ffff000011112222")
    assert other.ci is None and other.ci_text == "x9"
    assert other.group_key.startswith("am:")
    assert Ticket.objects.count() == 2
    resolved = json.loads(json.dumps(ALERTMANAGER))
    for item in resolved["alerts"]:
        item["status"] = "resolved"
        item["endsAt"] = "2026-12-05T10:10:00Z"
    data = post(Client(), resolved, world.token).json()
    assert data["resolved"] == 2
    assert set(Alert.objects.values_list("state", flat=True)) == {AlertState.RESOLVED}


def test_plain_form_single_object_and_derived_fingerprint(world):
    body = {
        "name": "Backup failed",
        "ci": world.db01.pk,
        "severity": "warning",
        "labels": {"a": "b"},
    }
    assert post(Client(), body, world.token).status_code == 200
    assert post(Client(), body, world.token).json()["repeats"] == 1
    stored = Alert.objects.get()
    assert stored.count == 2 and stored.ci == world.db01 and len(stored.fingerprint) == 32


@pytest.mark.parametrize(
    "role, status",
    [
        ("operator", 404),
        ("specialist", 404),
        ("other_agent", 404),
        ("lead", 404),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
        ("admin", 200),
    ],
)
def test_who_may_post_with_a_personal_token(desk, world, role, status):
    token = issue_token(getattr(desk, role))
    response = post(Client(), {"alerts": [alert()]}, token)
    assert response.status_code == status
    assert Alert.objects.exists() == (status == 200)


def test_an_administrator_posts_by_session_with_a_source(desk, world):
    client = desk.client_for(desk.admin)
    response = post(client, {"alerts": [alert(ci="db01")]}, query="?source=prometheus")
    assert response.status_code == 200
    assert Alert.objects.get().source == world.source


def test_anonymous_and_bad_tokens_are_refused(world):
    assert post(Client(), {"alerts": [alert()]}).status_code == 401
    assert post(Client(), {"alerts": [alert()]}, "tukialert_nope").status_code == 401
    world.source.is_active = False
    world.source.save()
    assert post(Client(), {"alerts": [alert()]}, world.token).status_code == 401
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"alerts": "x"}, ["body", "alerts"]),
        ({"alerts": []}, ["body", "alerts"]),
        ({"alerts": [1]}, ["body", "alerts", 0]),
        ({"alerts": [{"status": "firing"}]}, ["body", "alerts", 0, "name"]),
        ({"alerts": [alert(status="burning")]}, ["body", "alerts", 0, "status"]),
        ({"alerts": [alert(labels=[1, 2])]}, ["body", "alerts", 0, "labels"]),
        ({"alerts": [alert(starts_at="yesterday")]}, ["body", "alerts", 0, "starts_at"]),
        ({"alerts": [alert(starts_at="2026-01-01T10:00:00")]}, ["body", "alerts", 0, "starts_at"]),
        ({"alerts": [alert(name="a\x00b")]}, ["body", "alerts", 0, "name"]),
        ({"alerts": [alert(ci=-4)]}, ["body", "alerts", 0, "ci"]),
        ({"alerts": [alert(ci=2**70)]}, ["body", "alerts", 0, "ci"]),
        ({"alerts": [alert(ci=[1])]}, ["body", "alerts", 0, "ci"]),
        ({"alerts": [alert()] * 1001}, ["body", "alerts"]),
        (
            {"receiver": "x", "alerts": [{"labels": {}}]},
            ["body", "alerts", 0, "labels", "alertname"],
        ),
        (
            {"receiver": "x", "alerts": [{"labels": {"alertname": 5}, "startsAt": 7}]},
            ["body", "alerts", 0, "startsAt"],
        ),
        ([1, 2], ["body"]),
        ("null", ["body"]),
        (b"{not json", ["body"]),
        (b"\xff\xfe", ["body"]),
    ],
)
def test_bad_input_is_a_422_naming_the_field(world, body, loc):
    response = post(Client(), body, world.token)
    assert response.status_code == 422, response.content
    assert loc in [e["loc"] for e in response.json()["detail"]]
    assert not Alert.objects.exists() and not Ticket.objects.exists()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "name",
        "status",
        "severity",
        "ci",
        "service",
        "labels",
        "fingerprint",
        "starts_at",
        "ends_at",
        "summary",
        "startsAt",
        "endsAt",
        "annotations",
        "generatorURL",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        JSON,
        st.dictionaries(KEYS, JSON, max_size=6).map(lambda a: {"alerts": [a]}),
        st.dictionaries(KEYS, JSON, max_size=6).map(lambda a: {"receiver": "r", "alerts": [a]}),
    )
)
def test_garbage_never_gives_a_server_error(world, body):
    response = post(Client(), body, world.token)
    assert response.status_code in (200, 422), response.content
