"""The console's workflow pages: who may open them, field errors, query budgets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuki.conftest import Desk
from tuki.tickets.models import Category, PriorityRule, Status, StatusTransition, Ticket
from tuki.tickets.tests.test_custom_fields import make_field

pytestmark = pytest.mark.django_db

PAGES = [
    ("tickets:console_workflows", {}),
    ("tickets:console_priorities", {}),
    ("tickets:console_categories", {}),
    ("tickets:console_category_new", {}),
    ("tickets:console_status_new", {}),
]


@pytest.mark.parametrize("name,kwargs", PAGES)
def test_only_administrators_open_the_pages(desk: Desk, name: str, kwargs: dict) -> None:
    url = reverse(name, kwargs=kwargs)
    for user in (desk.operator, desk.specialist, desk.lead, desk.requester, desk.outsider):
        assert desk.client_for(user).get(url).status_code == 404
    response = Client().get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert desk.client_for(desk.admin).get(url).status_code == 200


def test_non_admins_cannot_write(desk: Desk) -> None:
    url = reverse("tickets:console_workflows") + "?kind=incident"
    before = StatusTransition.objects.count()
    assert desk.client_for(desk.lead).post(url, {}).status_code == 404
    assert StatusTransition.objects.count() == before


def test_workflow_page_query_budget(desk: Desk, django_assert_max_num_queries: object) -> None:
    client = desk.client_for(desk.admin)
    url = reverse("tickets:console_workflows") + "?kind=incident"
    client.get(url)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        response = client.get(url)
    assert response.status_code == 200
    assert b'id="transition-matrix"' in response.content


def test_categories_page_query_budget(desk: Desk, django_assert_max_num_queries: object) -> None:
    for i in range(15):
        Category.objects.create(name=f"Cat {i}", parent=desk.vpn, default_group=desk.apps)
    client = desk.client_for(desk.admin)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        response = client.get(reverse("tickets:console_categories"))
    assert response.status_code == 200


def test_a_refused_removal_lists_the_tickets(desk: Desk, incident: Ticket) -> None:
    new = Status.objects.get(key="new")
    kept = [
        f"{a}-{b}"
        for a, b in StatusTransition.objects.filter(kind="incident")
        .exclude(from_status=new)
        .values_list("from_status_id", "to_status_id")
    ]
    url = reverse("tickets:console_workflows") + "?kind=incident"
    response = desk.client_for(desk.admin).post(url, {"t": kept})
    assert response.status_code == 422
    assert incident.get_absolute_url().encode() in response.content
    assert StatusTransition.objects.filter(kind="incident", from_status=new).exists()


def test_bad_input_gives_field_errors(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    response = client.post(
        reverse("tickets:console_status_new"),
        {"key": "Bad Key", "name": "X", "category": "open", "order": "1"},
    )
    assert response.status_code == 422
    assert b"invalid-feedback" in response.content
    assert not Status.objects.filter(name="X").exists()
    response = client.post(reverse("tickets:console_priorities"), {"cell_1_1": "nine"})
    assert response.status_code == 422
    response = client.post(reverse("tickets:console_workflows") + "?kind=incident", {"t": ["x-y"]})
    assert response.status_code == 422
    response = client.post(
        reverse("tickets:console_category", kwargs={"pk": desk.vpn.parent_id}),
        {"name": "Network", "parent": desk.vpn.pk},
    )
    assert response.status_code == 422
    assert Category.objects.get(pk=desk.vpn.parent_id).parent_id is None


def test_saving_the_matrix_and_a_category_in_finnish(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    data = {f"cell_{i}_{u}": "3" for i in (1, 2, 3) for u in (1, 2, 3)}
    assert client.post(reverse("tickets:console_priorities"), data).status_code == 302
    assert set(PriorityRule.objects.values_list("priority", flat=True)) == {3}
    response = client.post(
        reverse("tickets:console_category", kwargs={"pk": desk.vpn.parent_id}),
        {"name": "Network", "name_fi": "Verkko", "name_ro": "Rețea", "is_active": "on"},
    )
    assert response.status_code == 302
    type(desk.admin).objects.filter(pk=desk.admin.pk).update(language="fi")
    response = client.get(reverse("tickets:console_categories"))
    assert "Verkko › VPN" in response.content.decode()


def test_transition_rules_page(desk: Desk) -> None:
    transition = StatusTransition.objects.filter(kind="incident").first()
    assert transition is not None
    url = reverse("tickets:console_transition", kwargs={"pk": transition.pk})
    client = desk.client_for(desk.admin)
    assert client.get(url).status_code == 200
    make_field("site")
    response = client.post(url, {"roles": ["group"], "required_fields": "category, custom.site"})
    assert response.status_code == 302
    transition.refresh_from_db()
    assert transition.roles == ["group"]
    assert transition.required_fields == ["category", "custom.site"]
    response = client.post(url, {"roles": ["king"], "required_fields": ""})
    assert response.status_code == 422
