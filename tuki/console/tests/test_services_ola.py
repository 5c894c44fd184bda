import pytest

from tuki.accounts.models import SupportGroup
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import OlaTarget, Service, SlaPolicy
from tuki.tickets.models import Category


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, sla, role):
    client = desk.client_for(people[role])
    service = Service.objects.create(name="E-mail")
    assert client.get("/console/sla/services/").status_code == 404
    assert client.get(f"/console/sla/services/{service.pk}/").status_code == 404
    assert client.post("/console/sla/services/new/", {"name": "VPN"}).status_code == 404
    assert client.get("/console/sla/ola/").status_code == 404
    assert client.get(f"/console/sla/policies/{sla.policy.pk}/ola/").status_code == 404
    olas = {f"g{desk.apps.pk}_p1_h": "2"}
    assert client.post(f"/console/sla/policies/{sla.policy.pk}/ola/", olas).status_code == 404
    assert not Service.objects.filter(name="VPN").exists()
    assert OlaTarget.objects.filter(policy=sla.policy).count() == 1


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_services_and_olas(desk, people, sla, role):
    Service.objects.create(name="E-mail", description="Mail for everyone")
    client = desk.client_for(people[role])
    assert "Mail for everyone" in client.get("/console/sla/services/").content.decode()
    assert "Network Helsinki: 4 h" in client.get("/console/sla/ola/").content.decode()
    page = client.get(f"/console/sla/policies/{sla.policy.pk}/ola/")
    assert page.status_code == 200
    assert page.context["form"][f"g{desk.network_hel.pk}_p0_h"].value() == 4


def test_a_service_is_created_and_edited(desk, people):
    client = desk.client_for(people["staff"])
    network = Category.objects.get(name="Network")
    response = client.post(
        "/console/sla/services/new/",
        {
            "name": "VPN",
            "description": "Remote access",
            "categories": [network.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(name="VPN")
    assert list(service.categories.all()) == [network] and service.is_active
    edited = client.post(f"/console/sla/services/{service.pk}/", {"name": "VPN access"})
    assert edited.status_code == 302
    service.refresh_from_db()
    assert service.name == "VPN access" and not service.is_active
    assert not service.categories.exists()


def test_service_refusals_are_field_errors(desk, people):
    Service.objects.create(name="E-mail")
    client = desk.client_for(people["staff"])
    taken = client.post("/console/sla/services/new/", {"name": "e-mail"})
    assert taken.status_code == 422 and taken.context["form"].errors["name"]
    bad = client.post("/console/sla/services/new/", {"name": "X", "categories": ["999999"]})
    assert bad.status_code == 422 and bad.context["form"].errors["categories"]
    assert Service.objects.count() == 1


def test_ola_targets_are_entered_in_hours_and_minutes(desk, people, sla):
    client = desk.client_for(people["staff"])
    data = {
        f"g{desk.network_hel.pk}_p0_h": "4",
        f"g{desk.network_hel.pk}_p1_h": "1",
        f"g{desk.network_hel.pk}_p1_m": "30",
        f"g{desk.apps.pk}_p0_m": "45",
    }
    response = client.post(f"/console/sla/policies/{sla.policy.pk}/ola/", data)
    assert response.status_code == 302
    found = {
        (t.group_id, t.priority): t.minutes for t in OlaTarget.objects.filter(policy=sla.policy)
    }
    assert found == {
        (desk.network_hel.pk, None): 240,
        (desk.network_hel.pk, 1): 90,
        (desk.apps.pk, None): 45,
    }


def test_ola_bad_input_is_a_field_error_and_nothing_changes(desk, people, sla):
    client = desk.client_for(people["staff"])
    data = {
        f"g{desk.network_hel.pk}_p0_h": "0",
        f"g{desk.apps.pk}_p1_m": "75",
        f"g{desk.apps.pk}_p2_h": "-1",
    }
    response = client.post(f"/console/sla/policies/{sla.policy.pk}/ola/", data)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {
        f"g{desk.network_hel.pk}_p0_h",
        f"g{desk.apps.pk}_p1_m",
        f"g{desk.apps.pk}_p2_h",
    } <= set(errors)
    assert list(OlaTarget.objects.filter(policy=sla.policy).values_list("minutes", flat=True)) == [
        240
    ]


def test_targets_of_inactive_groups_are_kept(desk, people, sla):
    SupportGroup.objects.filter(pk=desk.network_hel.pk).update(is_active=False)
    client = desk.client_for(people["staff"])
    response = client.post(
        f"/console/sla/policies/{sla.policy.pk}/ola/", {f"g{desk.apps.pk}_p0_h": "2"}
    )
    assert response.status_code == 302
    assert OlaTarget.objects.filter(policy=sla.policy).count() == 2


def test_the_pages_have_query_budgets(desk, people, sla):
    client = desk.client_for(people["staff"])
    client.get("/console/sla/services/")
    client.get("/console/sla/ola/")
    with query_budget(6) as few_services:
        client.get("/console/sla/services/")
    with query_budget(8) as few_olas:
        client.get("/console/sla/ola/")
    network = Category.objects.get(name="Network")
    for n in range(10):
        Service.objects.create(name=f"S{n}").categories.add(network)
        policy = SlaPolicy.objects.create(name=f"P{n}")
        OlaTarget.objects.create(policy=policy, group=desk.apps, minutes=60)
    with query_budget(6) as many_services:
        client.get("/console/sla/services/")
    with query_budget(8) as many_olas:
        client.get("/console/sla/ola/")
    assert_same_count(few_services, many_services)
    assert_same_count(few_olas, many_olas)
    with query_budget(12):
        client.get(f"/console/sla/policies/{sla.policy.pk}/ola/")
