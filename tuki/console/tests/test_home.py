import pytest
from django.test import Client
from django.utils import translation

from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib import console
from tuki.lib.testing import query_budget

URL = "/console/"


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, role):
    assert desk.client_for(people[role]).get(URL).status_code == 404


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_the_sections_under_their_headings(desk, people, role):
    response = desk.client_for(people[role]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="heading-people"' in html and 'id="heading-service_levels"' in html
    for key in ("groups", "users", "organisations", "sla_policies"):
        assert f'id="section-{key}"' in html


def test_anonymous_visitors_are_sent_to_sign_in(db):
    response = Client().get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_section_the_user_may_not_manage_is_not_listed(desk, people):
    section = console.Section(
        key="zz_superusers",
        label="Secret things",
        description="Only superusers",
        url_name="console:home",
        heading="integrations",
        allowed=lambda user: bool(user.is_superuser),
    )
    console.register(section)
    try:
        assert "Secret things" not in desk.client_for(people["staff"]).get(URL).content.decode()
        assert "Secret things" in desk.client_for(people["admin"]).get(URL).content.decode()
    finally:
        console.unregister("zz_superusers")


def test_headings_are_translated(desk, people):
    people["staff"].language = "fi"
    people["staff"].save()
    client = desk.client_for(people["staff"])
    with translation.override("fi"):
        html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "Henkilöt" in html


def test_the_home_has_a_query_budget(desk, people):
    client = desk.client_for(people["staff"])
    client.get(URL)
    with query_budget(6):
        client.get(URL)


def test_the_navigation_links_the_console_for_administrators_only(desk, people):
    assert 'id="nav-console"' in desk.client_for(people["staff"]).get("/desk/").content.decode()
    assert 'id="nav-console"' not in desk.client_for(people["lead"]).get("/desk/").content.decode()


def test_djangos_admin_is_for_superusers_only(desk, people):
    staff = desk.client_for(people["staff"]).get("/admin/")
    assert staff.status_code == 302 and "/admin/login/" in staff["Location"]
    assert desk.client_for(people["admin"]).get("/admin/").status_code == 200
