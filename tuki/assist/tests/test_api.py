"""GET /api/v1/assist/accuracy and PUT /api/v1/assist/settings: per role, the figures, bad
input."""

from __future__ import annotations

import json

import pytest

from tuki.assist.models import AssistSettings, Kind
from tuki.assist.tests.conftest import Log
from tuki.audit.models import AuditEntry
from tuki.lib.testing import query_budget

URL = "/api/v1/assist/accuracy"
SETTINGS = "/api/v1/assist/settings"


def _user(log: Log, role: str):
    return getattr(log, role) if role in ("manager", "analyst") else getattr(log.desk, role)


@pytest.mark.parametrize(
    "role, status",
    [
        ("admin", 200),
        ("manager", 200),
        ("analyst", 200),  # may read reports
        ("operator", 404),
        ("lead", 404),
        ("requester", 404),
        ("outsider", 404),
    ],
)
def test_the_figures_are_for_administrators_and_whoever_may_read_reports(log: Log, role, status):
    assert log.desk.client_for(_user(log, role)).get(URL).status_code == status


def test_the_figures_per_kind(log: Log):
    client = log.desk.client_for(log.desk.admin)
    with query_budget(15):
        body = client.get(URL + "?days=30").json()
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert set(kinds) == set(Kind.values) and body["days"] == 30
    group = kinds["group"]["live"]
    assert (group["shown"], group["decided"], group["acceptance_rate"]) == (6, 4, 0.5)
    assert (group["top1"], group["top3"]) == (0.75, 1.0)
    assert group["reassignments_avoided"] == 1 and group["reassignments_avoidable"] == 1
    assert kinds["category"]["live"]["reassignments_avoided"] is None
    assert kinds["group"]["model"] is None
    assert {d["ticket"] for d in kinds["group"]["recent"]} >= {log.tickets["t1"].number}


def test_a_period_not_offered_is_a_422(log: Log):
    response = log.desk.client_for(log.desk.admin).get(URL + "?days=7")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "days"]


def _put(client, value):
    return client.put(
        SETTINGS, json.dumps({"routing_threshold": value}), content_type="application/json"
    )


def test_an_administrator_sets_the_threshold_audited(log: Log):
    response = _put(log.desk.client_for(log.desk.admin), 0.8)
    assert response.status_code == 200 and response.json() == {"routing_threshold": 0.8}
    assert AssistSettings.load().routing_threshold == 0.8
    entry = AuditEntry.objects.filter(content_type__model="assistsettings").latest("id")
    assert entry.actor == log.desk.admin and entry.via == "api"


@pytest.mark.parametrize("value", [1.5, -0.01, "high"])
def test_a_bad_threshold_is_a_422_naming_it(log: Log, value):
    response = _put(log.desk.client_for(log.desk.admin), value)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "routing_threshold"]
    assert AssistSettings.load().routing_threshold is None


@pytest.mark.parametrize("role", ["manager", "analyst", "operator", "requester"])
def test_only_administrators_set_the_threshold(log: Log, role):
    assert _put(log.desk.client_for(_user(log, role)), 0.5).status_code == 404
    assert AssistSettings.load().routing_threshold is None
