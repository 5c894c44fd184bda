"""The audit page: administrators only, filters, a readable diff, pages, a fixed query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tuki.audit.models import Action, AuditEntry
from tuki.audit.tests.conftest import ROLES
from tuki.lib.testing import assert_same_count, query_budget
from tuki.routing import services as routing
from tuki.routing.models import RoutingRule

pytestmark = pytest.mark.django_db

URL = "/audit/"
# Session, user, the notifications bell, the count and the page of entries.
PAGE_QUERIES = 5


@pytest.mark.parametrize(("role", "allowed"), ROLES.items())
def test_who_may_see_the_page(desk, client_as, role, allowed):
    routing.create_rule(desk.admin, name="VPN", group=desk.network_hel)
    response = client_as(role).get(URL)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif allowed:
        assert response.status_code == 200
        assert b"VPN" in response.content
    else:
        assert response.status_code == 404


def test_the_diff_shows_field_labels_and_before_and_after(desk):
    rule = routing.create_rule(desk.admin, name="VPN", group=desk.network_hel, kind="incident")
    routing.update_rule(desk.admin, rule, group=desk.network_buc, kind="request", is_active=False)
    page = desk.client_for(desk.admin).get(URL, {"type": "routing.routingrule"}).content.decode()
    assert "Route to group" in page  # the field's verbose name
    assert "Network Helsinki" in page and "Network Bucharest" in page
    assert "Service request" in page or "request" in page  # choices by their label
    assert "Routing rule" in page


def test_masked_values_are_shown_as_changed(desk):
    from tuki.webhooks import services as webhooks

    hook = webhooks.create_webhook(desk.admin, name="CMDB", url="https://cmdb.example/h")
    webhooks.rotate_secret(desk.admin, hook)
    page = desk.client_for(desk.admin).get(URL, {"type": "webhooks.webhook"}).content.decode()
    assert "the value is never recorded" in page
    hook.refresh_from_db()
    assert hook.secret not in page


def test_filters_by_type_actor_action_and_dates(desk):
    rule = routing.create_rule(desk.admin, name="VPN", group=desk.network_hel)
    routing.update_rule(desk.admin, rule, name="VPN 2")
    old = AuditEntry.objects.filter(object_repr="VPN", action=Action.CREATE).get()
    AuditEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    client = desk.client_for(desk.admin)

    def shown(**query):
        response = client.get(URL, query)
        assert response.status_code == 200
        return [e.pk for e, _t, _c in response.context["rows"]]

    both = shown(type="routing.routingrule")
    assert len(both) == 2
    assert shown(type="routing.routingrule", action="update") == [both[0]]
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert shown(type="routing.routingrule", since=since) == [both[0]]
    until = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert shown(type="routing.routingrule", until=until) == [old.pk]
    assert shown(type="routing.routingrule", actor="nobody-like-this") == []
    assert shown(type="routing.routingrule", object=str(rule.pk)) == both
    assert shown(type="sign_ins", actor=desk.admin.email)  # the test client's sign-in


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"type": "nothing.here"}, "type"),
        ({"since": "2026-13-45"}, "since"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until"),
        ({"action": "explode"}, "action"),
        ({"actor": "a\x00b"}, "actor"),
    ],
)
def test_bad_filters_are_field_errors(desk, query, field):
    response = desk.client_for(desk.admin).get(URL, query)
    assert response.status_code == 200
    assert field in response.context["form"].errors


@pytest.mark.parametrize(
    "query", [{"since": "0001-01-01"}, {"until": "9999-12-31"}, {"page": "99999999999999999999"}]
)
def test_extreme_filters_are_no_500(desk, query):
    assert desk.client_for(desk.admin).get(URL, query).status_code == 200


def test_the_page_has_a_fixed_query_budget(desk):
    client = desk.client_for(desk.admin)
    client.get(URL)  # warm the session
    routing.create_rule(desk.admin, name="R0", group=desk.network_hel)
    with query_budget(PAGE_QUERIES, exact=True) as few:
        assert client.get(URL).status_code == 200
    for n in range(1, 40):
        rule = routing.create_rule(desk.admin, name=f"R{n}", group=desk.apps)
        routing.update_rule(desk.admin, rule, group=desk.network_buc)
    desk.network_hel.members.add(desk.other_agent)
    with query_budget(PAGE_QUERIES, exact=True) as many:
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page"].paginator.num_pages > 1
    assert_same_count(few, many)


def test_pages_go_back_in_time(desk):
    for n in range(60):
        RoutingRule.objects.create(name=f"R{n}", group=desk.apps)
    client = desk.client_for(desk.admin)
    first = client.get(URL, {"type": "routing.routingrule"})
    second = client.get(URL, {"type": "routing.routingrule", "page": 2})
    assert len(first.context["rows"]) == 50 and len(second.context["rows"]) == 10
    assert b"type=routing.routingrule&amp;page=2" in first.content


def test_the_admin_history_button_opens_the_audit_page(desk):
    rule = RoutingRule.objects.create(name="VPN", group=desk.apps)
    client = desk.client_for(desk.admin)
    response = client.get(reverse("admin:routing_routingrule_history", args=[rule.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?type=routing.routingrule&object={rule.pk}"
    page = client.get(response["Location"])
    assert [e.object_id for e, _t, _c in page.context["rows"]] == [str(rule.pk)]


def test_the_routing_rule_page_links_its_history(desk):
    rule = RoutingRule.objects.create(name="VPN", group=desk.apps)
    page = desk.client_for(desk.admin).get(reverse("routing:rule_edit", args=[rule.pk]))
    assert f"/audit/?type=routing.routingrule&amp;object={rule.pk}" in page.content.decode()
