import pytest

from tuki.accounts.models import SupportGroup
from tuki.conftest import make_user
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404_on_every_group_page(desk, people, role):
    client = desk.client_for(people[role])
    pk = desk.network_hel.pk
    assert client.get("/console/groups/").status_code == 404
    assert client.get(f"/console/groups/{pk}/").status_code == 404
    assert client.post("/console/groups/new/", {"name": "X", "tier": 2}).status_code == 404
    add = client.post(f"/console/groups/{pk}/members/", {"user": desk.operator.pk})
    assert add.status_code == 404
    assert not desk.network_hel.members.filter(pk=desk.operator.pk).exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_list_and_open_groups(desk, people, role):
    client = desk.client_for(people[role])
    assert "Network Helsinki" in client.get("/console/groups/").content.decode()
    page = client.get(f"/console/groups/{desk.network_hel.pk}/").content.decode()
    assert "Sanna Specialist" in page


def test_an_administrator_creates_a_group(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/groups/new/",
        {
            "name": "Databases",
            "tier": 2,
            "email": "db@tuki.test",
            "manager": desk.lead.pk,
            "location": desk.helsinki.pk,
            "is_active": "on",
        },
    )
    group = SupportGroup.objects.get(name="Databases")
    assert response.status_code == 302
    assert (group.manager, group.location, group.tier) == (desk.lead, desk.helsinki, 2)


def test_a_taken_name_is_a_field_error_and_nothing_is_written(desk, people):
    client = desk.client_for(people["staff"])
    before = SupportGroup.objects.count()
    response = client.post("/console/groups/new/", {"name": "network helsinki", "tier": 2})
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert SupportGroup.objects.count() == before


def test_bad_input_is_a_field_error(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        f"/console/groups/{desk.apps.pk}/",
        {"name": "", "tier": "9", "email": "not-an-email", "manager": "x"},
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"name", "tier", "email", "manager"}


def test_members_are_added_and_removed(desk, people):
    client = desk.client_for(people["staff"])
    group = desk.apps
    client.post(f"/console/groups/{group.pk}/members/", {"user": desk.operator.pk})
    assert group.members.filter(pk=desk.operator.pk).exists()
    client.post(f"/console/groups/{group.pk}/members/{desk.operator.pk}/remove/")
    assert not group.members.filter(pk=desk.operator.pk).exists()


def test_a_requester_cannot_be_a_member(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/groups/{desk.apps.pk}/members/", {"user": desk.requester.pk})
    assert response.status_code == 422
    assert not desk.apps.members.filter(pk=desk.requester.pk).exists()


def test_the_list_does_not_grow_in_queries_with_groups(desk, people):
    client = desk.client_for(people["staff"])
    client.get("/console/groups/")
    with query_budget(6) as few:
        client.get("/console/groups/")
    for n in range(20):
        g = SupportGroup.objects.create(
            name=f"Extra {n}", manager=desk.lead, location=desk.helsinki
        )
        g.members.add(make_user(f"m{n}@tuki.test", f"Member {n}", is_agent=True))
    with query_budget(6) as many:
        client.get("/console/groups/")
    assert_same_count(few, many)


def test_the_group_page_has_a_query_budget(desk, people):
    client = desk.client_for(people["staff"])
    client.get(f"/console/groups/{desk.network_hel.pk}/")
    with query_budget(12):
        client.get(f"/console/groups/{desk.network_hel.pk}/")
