"""Every second-factor page per role: anonymous, requester, agents, administrators; and the
pages' query budgets."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.lib.testing import query_budget
from tuki.twofactor.models import Policy, TotpDevice
from tuki.twofactor.tests.conftest import code, enrol

ROLES = ["requester", "operator", "other_agent", "specialist", "admin"]


@pytest.mark.parametrize("path", ["/twofactor/", "/twofactor/app/"])
def test_own_pages_need_a_sign_in(desk, path):
    response = Client().get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", ROLES)
def test_everyone_manages_their_own_factors(desk, role):
    client = desk.client_for(getattr(desk, role))
    page = client.get("/twofactor/")
    assert page.status_code == 200 and 'id="totp-section"' in page.text
    page = client.get("/twofactor/app/")
    assert page.status_code == 200 and "<svg" in page.text
    secret = client.session["tuki_2fa_new_secret"]
    assert secret in page.text  # the key as text, for typing


@pytest.mark.parametrize("role", ROLES)
def test_the_preferences_page_shows_the_section(desk, role):
    page = desk.client_for(getattr(desk, role)).get("/preferences/")
    assert 'id="twofactor-preferences"' in page.text


def test_adding_an_app_from_the_page_shows_recovery_codes_once(desk, frozen):
    client = desk.client_for(desk.operator)
    client.get("/twofactor/app/")
    secret = client.session["tuki_2fa_new_secret"]
    response = client.post("/twofactor/app/", {"name": "Work phone", "code": code(secret)})
    assert response.status_code == 302
    page = client.get("/twofactor/")
    assert page.text.count('class="col recovery-code"') == 10
    assert "Work phone" in page.text
    assert 'class="col recovery-code"' not in client.get("/twofactor/").text


def test_a_wrong_first_code_is_a_field_error(desk, frozen):
    client = desk.client_for(desk.operator)
    client.get("/twofactor/app/")
    response = client.post("/twofactor/app/", {"name": "x", "code": "abc"})
    assert response.status_code == 422
    assert "That code is not right." in response.text
    assert not TotpDevice.objects.exists()


def test_nobody_removes_anothers_app(desk, frozen):
    device, _codes = enrol(desk.operator)
    response = desk.client_for(desk.specialist).post(f"/twofactor/app/{device.pk}/remove/")
    assert response.status_code == 404
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_removing_ones_own_app_asks_for_a_recent_check(desk, frozen):
    device, _codes = enrol(desk.operator)
    client = desk.client_for(desk.operator)
    assert client.post(f"/twofactor/app/{device.pk}/remove/")["Location"].startswith(
        "/twofactor/check/"
    )
    frozen.shift(30)
    client.post("/twofactor/check/", {"code": code()})
    assert client.post(f"/twofactor/app/{device.pk}/remove/")["Location"] == "/twofactor/"
    assert not TotpDevice.objects.exists()


@pytest.mark.parametrize("role", ["requester", "operator", "other_agent", "specialist"])
def test_only_administrators_see_the_policy_and_resets(desk, role):
    client = desk.client_for(getattr(desk, role))
    assert client.get("/twofactor/policy/").status_code == 404
    assert client.post("/twofactor/policy/", {"for_agents": "on"}).status_code == 404
    assert client.get(f"/twofactor/people/{desk.operator.pk}/").status_code == 404
    assert client.post(f"/twofactor/people/{desk.operator.pk}/").status_code == 404
    assert not Policy.objects.exists()


@pytest.mark.parametrize("path", ["/twofactor/policy/", "/twofactor/people/1/"])
def test_anonymous_visitors_sign_in_for_admin_pages(desk, path):
    assert Client().get(path)["Location"].startswith("/login/")


def test_an_admin_sets_the_policy(desk):
    client = desk.client_for(desk.admin)
    assert client.get("/twofactor/policy/").status_code == 200
    response = client.post("/twofactor/policy/", {"for_agents": "on", "for_administrators": "on"})
    assert response.status_code == 302
    policy = Policy.load()
    assert policy.for_agents and policy.for_administrators and not policy.for_requesters


def test_an_admin_resets_someones_factors_from_the_page(
    desk, frozen, django_capture_on_commit_callbacks
):
    enrol(desk.operator)
    client = desk.client_for(desk.admin)
    page = client.get(f"/twofactor/people/{desk.operator.pk}/")
    assert "Phone" in page.text and 'id="reset-factors"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/twofactor/people/{desk.operator.pk}/")
    assert response.status_code == 302
    assert not TotpDevice.objects.exists()
    assert client.get(f"/twofactor/people/{desk.operator.pk}/").status_code == 200


def test_an_unknown_person_is_a_404(desk):
    assert desk.client_for(desk.admin).get("/twofactor/people/999999/").status_code == 404


def test_the_console_person_page_links_to_their_factors(desk):
    page = desk.client_for(desk.admin).get(f"/console/people/{desk.operator.pk}/")
    assert f"/twofactor/people/{desk.operator.pk}/" in page.text


def test_the_console_home_lists_the_policy(desk):
    assert "/twofactor/policy/" in desk.client_for(desk.admin).get("/console/").text


def test_page_budgets(desk, frozen):
    enrol(desk.operator)
    client = desk.client_for(desk.operator)
    client.get("/twofactor/")
    with query_budget(8):
        assert client.get("/twofactor/").status_code == 200
    with query_budget(6):
        assert client.get("/twofactor/app/").status_code == 200
    admin = desk.client_for(desk.admin)
    admin.get("/twofactor/policy/")
    with query_budget(7):
        assert admin.get("/twofactor/policy/").status_code == 200
    with query_budget(8):
        assert admin.get(f"/twofactor/people/{desk.operator.pk}/").status_code == 200
