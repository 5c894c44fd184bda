import pytest

from tuki.accounts.models import Location, Organisation
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, role):
    client = desk.client_for(people[role])
    assert client.get("/console/organisations/").status_code == 404
    assert client.get(f"/console/organisations/{desk.acme.pk}/").status_code == 404
    assert client.get(f"/console/offices/{desk.helsinki.pk}/").status_code == 404
    assert client.post("/console/organisations/new/", {"name": "Initech"}).status_code == 404
    assert not Organisation.objects.filter(name="Initech").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_list_organisations_and_offices(desk, people, role):
    html = desk.client_for(people[role]).get("/console/organisations/").content.decode()
    assert "Acme Oy" in html and "Bucharest" in html


def test_an_organisation_is_created_with_its_domains_tidied(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/organisations/new/",
        {"name": "Initech", "domains": " Initech.com,, initech.fi ", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Initech").domains == "initech.com, initech.fi"


def test_an_office_is_edited(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        f"/console/offices/{desk.helsinki.pk}/",
        {"name": "Helsinki HQ", "address": "Mannerheimintie 1", "time_zone": "Europe/Helsinki"},
    )
    assert response.status_code == 302
    desk.helsinki.refresh_from_db()
    assert desk.helsinki.name == "Helsinki HQ"


def test_a_taken_name_or_bad_zone_is_a_field_error(desk, people):
    client = desk.client_for(people["staff"])
    taken = client.post("/console/organisations/new/", {"name": "ACME OY"})
    assert taken.status_code == 422 and taken.context["form"].errors["name"]
    zone = client.post("/console/offices/new/", {"name": "Oulu", "time_zone": "Nowhere/x"})
    assert zone.status_code == 422 and zone.context["form"].errors["time_zone"]
    assert not Location.objects.filter(name="Oulu").exists()


def test_the_list_does_not_grow_in_queries(desk, people):
    client = desk.client_for(people["staff"])
    client.get("/console/organisations/")
    with query_budget(6) as few:
        client.get("/console/organisations/")
    for n in range(15):
        Organisation.objects.create(name=f"Org {n}")
        Location.objects.create(name=f"Office {n}")
    with query_budget(6) as many:
        client.get("/console/organisations/")
    assert_same_count(few, many)
