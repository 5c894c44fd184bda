"""The accuracy page: who may open it, its query budget, what it shows, and the routing
threshold's form (administrators, field errors, audited)."""

from __future__ import annotations

import pytest

from tuki.assist import services
from tuki.assist.models import AssistSettings, Kind
from tuki.assist.tests.conftest import Log
from tuki.assist.tests.test_services import history  # noqa: F401  # the fixture
from tuki.audit.models import AuditEntry
from tuki.lib.testing import assert_same_count, query_budget

URL = "/assist/accuracy/"
THRESHOLD = "/assist/accuracy/threshold/"
# Session and user (2), whether the viewer may read reports (a desk manager: 1; a permission:
# 2), the counts, the settled suggestions, the models, the threshold (4), the viewer's groups
# for the ticket rule (1), three kinds' latest decisions (3) and the names of the groups and
# categories they show (at most 2), the notification bell (1).
BUDGET = 15


def _user(log: Log, role: str):
    return getattr(log, role) if role in ("manager", "analyst") else getattr(log.desk, role)


@pytest.mark.parametrize(
    "role, status",
    [
        ("admin", 200),
        ("manager", 200),
        ("analyst", 200),  # may read reports
        ("operator", 404),
        ("specialist", 404),
        ("lead", 404),  # manages a second-line group, not the desk
        ("requester", 404),
        ("outsider", 404),
    ],
)
def test_the_page_is_for_administrators_and_whoever_may_read_reports(log: Log, role, status):
    assert log.desk.client_for(_user(log, role)).get(URL).status_code == status


def test_an_anonymous_visitor_signs_in_first(log: Log, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_each_kind_with_its_figures(log: Log, history):  # noqa: F811  # the fixture
    assert services.train(Kind.GROUP) is not None  # 16 resolved tickets: 4 held out
    page = log.desk.client_for(log.desk.admin).get(URL).content.decode()
    for kind in Kind.values:
        assert f'id="kind-{kind}"' in page
    assert 'data-figure="avoided">1<' in page
    assert 'data-figure="acceptance">50.0 %<' in page
    assert 'data-figure="held-top1"' in page  # the group model's test
    assert 'id="threshold-form"' in page


def test_a_desk_manager_reads_the_threshold_but_has_no_form(log: Log):
    page = log.desk.client_for(log.manager).get(URL).content.decode()
    assert 'id="threshold-value"' in page and 'id="threshold-form"' not in page
    response = log.desk.client_for(log.manager).post(THRESHOLD, {"routing_threshold": "0.5"})
    assert response.status_code == 404
    assert AssistSettings.objects.filter(routing_threshold=0.5).count() == 0


def test_the_period_is_30_or_90_days(log: Log):
    client = log.desk.client_for(log.desk.admin)
    assert client.get(URL + "?days=90").context["figures"].days == 90
    assert client.get(URL + "?days=7").context["figures"].days == 30  # not offered: default


@pytest.mark.parametrize("role", ["manager", "analyst", "admin"])
def test_the_page_keeps_to_its_query_budget_whatever_the_log(log: Log, role):
    client = log.desk.client_for(_user(log, role))
    client.get(URL)  # warm the session
    with query_budget(BUDGET) as few:
        assert client.get(URL).status_code == 200
    for ticket in list(log.tickets.values()) * 3:
        services.log_suggestion(
            ticket,
            services.Suggested(Kind.GROUP, str(log.desk.apps.pk), 0.5, [], [], None),  # type: ignore[arg-type]  # no model
        )
    with query_budget(BUDGET) as many:
        assert client.get(URL).status_code == 200
    assert_same_count(few, many)


def test_an_administrator_sets_the_threshold_and_it_is_audited(log: Log):
    client = log.desk.client_for(log.desk.admin)
    response = client.post(THRESHOLD, {"routing_threshold": "0.75"})
    assert response.status_code == 302 and response["Location"] == URL
    assert AssistSettings.load().routing_threshold == 0.75
    entry = AuditEntry.objects.filter(content_type__model="assistsettings").latest("id")
    assert entry.actor == log.desk.admin
    assert 'value="0.75"' in client.get(URL).content.decode()
    client.post(THRESHOLD, {"routing_threshold": ""})  # empty: routing never uses one
    assert AssistSettings.load().routing_threshold is None


@pytest.mark.parametrize("value", ["1.5", "-0.1", "many"])
def test_a_threshold_outside_0_to_1_is_a_field_error(log: Log, value):
    services.set_routing_threshold(0.4)
    response = log.desk.client_for(log.desk.admin).post(THRESHOLD, {"routing_threshold": value})
    assert response.status_code == 422
    assert response.context["form"].errors["routing_threshold"]
    assert AssistSettings.load().routing_threshold == 0.4


@pytest.mark.parametrize("role", ["manager", "analyst", "admin"])
def test_the_reports_overview_links_the_page(log: Log, role):
    page = log.desk.client_for(_user(log, role)).get("/reports/").content.decode()
    assert 'id="assist-accuracy-link"' in page
