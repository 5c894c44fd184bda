import pytest

from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import Agreement


def _form(desk, sla, **extra):
    data = {
        "name": "Acme 2026",
        "organisation": desk.acme.pk,
        "policy": sla.policy.pk,
        "valid_from": "2026-01-01",
        "is_active": "on",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, sla, role):
    client = desk.client_for(people[role])
    assert client.get("/console/sla/agreements/").status_code == 404
    assert client.post("/console/sla/agreements/new/", _form(desk, sla)).status_code == 404
    assert not Agreement.objects.exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_create_and_edit_an_agreement(desk, people, sla, role):
    client = desk.client_for(people[role])
    assert client.post("/console/sla/agreements/new/", _form(desk, sla)).status_code == 302
    agreement = Agreement.objects.get(name="Acme 2026")
    assert (agreement.organisation, agreement.policy) == (desk.acme, sla.policy)
    assert "Acme 2026" in client.get("/console/sla/agreements/").content.decode()
    edited = client.post(
        f"/console/sla/agreements/{agreement.pk}/", _form(desk, sla, name="Acme", is_active="")
    )
    assert edited.status_code == 302
    agreement.refresh_from_db()
    assert agreement.name == "Acme" and not agreement.is_active


def test_bad_dates_are_field_errors_and_nothing_is_written(desk, people, sla):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/sla/agreements/new/",
        _form(desk, sla, valid_until="2025-01-01", target_percent="101", organisation="x"),
    )
    assert response.status_code == 422
    assert {"target_percent", "organisation"} <= set(response.context["form"].errors)
    backwards = client.post(
        "/console/sla/agreements/new/", _form(desk, sla, valid_until="2025-01-01")
    )
    assert backwards.status_code == 422
    assert backwards.context["form"].errors["valid_until"]
    assert not Agreement.objects.exists()


def test_the_list_does_not_grow_in_queries(desk, people, sla):
    client = desk.client_for(people["staff"])
    client.get("/console/sla/agreements/")
    with query_budget(6) as few:
        client.get("/console/sla/agreements/")
    for n in range(8):
        Agreement.objects.create(name=f"A{n}", organisation=desk.globex, policy=sla.policy)
    with query_budget(6) as many:
        client.get("/console/sla/agreements/")
    assert_same_count(few, many)
