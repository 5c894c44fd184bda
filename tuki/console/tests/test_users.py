import pytest

from tuki.accounts.models import ApiToken, User
from tuki.conftest import make_user
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget


def _form(**extra):
    data = {
        "full_name": "Nina New",
        "email": "nina@acme.fi",
        "language": "fi",
        "time_zone": "Europe/Helsinki",
        "is_active": "on",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, role):
    client = desk.client_for(people[role])
    assert client.get("/console/people/").status_code == 404
    assert client.get(f"/console/people/{desk.requester.pk}/").status_code == 404
    assert client.post("/console/people/new/", _form()).status_code == 404
    assert not User.objects.filter(email="nina@acme.fi").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_search_people(desk, people, role):
    client = desk.client_for(people[role])
    html = client.get("/console/people/", {"q": "acme.fi"}).content.decode()
    assert "Matti Virtanen" in html and "Ion Popescu" not in html
    agents = client.get("/console/people/", {"role": "agents"}).content.decode()
    assert "Olli Operator" in agents and "Matti Virtanen" not in agents


def test_an_administrator_creates_an_agent_in_groups(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/people/new/",
        _form(is_agent="on", organisation=desk.acme.pk, groups=[desk.apps.pk]),
    )
    assert response.status_code == 302
    nina = User.objects.get(email="nina@acme.fi")
    assert nina.is_agent and nina.organisation == desk.acme and not nina.has_usable_password()
    assert list(nina.support_groups.all()) == [desk.apps]


def test_a_taken_email_is_a_field_error(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post("/console/people/new/", _form(email="MATTI@acme.fi"))
    assert response.status_code == 422
    assert response.context["form"].errors["email"]


def test_bad_input_is_a_field_error_and_nothing_is_written(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/people/new/", _form(time_zone="Mars/Olympus", language="xx", email="x")
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"time_zone", "language", "email"}
    assert not User.objects.filter(full_name="Nina New").exists()


def test_a_requester_is_not_put_in_a_group(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post("/console/people/new/", _form(groups=[desk.apps.pk]))
    assert response.status_code == 422
    assert not User.objects.filter(email="nina@acme.fi").exists()


def test_deactivating_keeps_the_person_and_revokes_their_tokens(desk, people):
    ApiToken.mint(desk.colleague, name="x", days=7)
    client = desk.client_for(people["staff"])
    response = client.post(
        f"/console/people/{desk.colleague.pk}/",
        _form(full_name="Matti Virtanen", email="matti@acme.fi", is_active=""),
    )
    assert response.status_code == 302
    desk.colleague.refresh_from_db()
    assert not desk.colleague.is_active
    assert not ApiToken.objects.filter(user=desk.colleague).exists()


def test_an_administrator_cannot_deactivate_themselves(desk, people):
    staff = people["staff"]
    client = desk.client_for(staff)
    data = _form(full_name=staff.full_name, email=staff.email, is_agent="on", is_staff="on")
    data["is_active"] = ""
    response = client.post(f"/console/people/{staff.pk}/", data)
    assert response.status_code == 422
    staff.refresh_from_db()
    assert staff.is_active


def test_only_a_superuser_makes_administrators(desk, people):
    data = _form(full_name="Matti Virtanen", email="matti@acme.fi", is_staff="on")
    refused = desk.client_for(people["staff"]).post(f"/console/people/{desk.colleague.pk}/", data)
    assert refused.status_code == 422
    desk.colleague.refresh_from_db()
    assert not desk.colleague.is_staff
    done = desk.client_for(people["admin"]).post(f"/console/people/{desk.colleague.pk}/", data)
    assert done.status_code == 302
    desk.colleague.refresh_from_db()
    assert desk.colleague.is_staff


def test_the_list_pages_with_a_fixed_number_of_queries(desk, people):
    client = desk.client_for(people["staff"])
    client.get("/console/people/")
    with query_budget(8) as few:
        client.get("/console/people/")
    for n in range(60):
        make_user(f"p{n}@acme.fi", f"Person {n:02}", organisation=desk.acme, location=desk.helsinki)
    with query_budget(8) as many:
        response = client.get("/console/people/")
    assert_same_count(few, many)
    assert "Page 1 of 2" in response.content.decode()
    assert client.get("/console/people/", {"page": "2"}).status_code == 200
    assert client.get("/console/people/", {"page": "x\x00"}).status_code == 200


def test_the_edit_page_has_a_query_budget(desk, people):
    client = desk.client_for(people["staff"])
    client.get(f"/console/people/{desk.operator.pk}/")
    with query_budget(12):
        client.get(f"/console/people/{desk.operator.pk}/")
