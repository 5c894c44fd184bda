"""Step-up: sensitive administration asks for a second factor proven in the last minutes."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.twofactor import flow
from tuki.twofactor.tests.conftest import code, enrol, next_step

SENSITIVE = [
    "/preferences/tokens/",
    "/console/people/new/",
    "/console/people/{admin}/",
    "/console/mailboxes/new/",
    "/privacy/people/{requester}/export/",
    "/twofactor/policy/",
    "/twofactor/people/{operator}/",
]


def url(desk, template: str) -> str:
    return template.format(
        admin=desk.admin.pk, requester=desk.requester.pk, operator=desk.operator.pk
    )


@pytest.mark.parametrize("path", SENSITIVE)
def test_an_admin_with_a_factor_re_checks_first_and_comes_back(desk, frozen, path):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    target = url(desk, path)
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/twofactor/check/?next=")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Confirm it is you" in page.text
    next_step(frozen)
    back = client.post(response["Location"], {"code": code(), "next": target})
    assert back["Location"] == target
    assert client.get(target).status_code == 200


@pytest.mark.parametrize("path", SENSITIVE)
def test_an_admin_without_a_factor_is_not_asked(desk, path):
    response = desk.client_for(desk.admin).get(url(desk, path))
    assert response.status_code == 200


def test_the_check_lasts_the_step_up_minutes(desk, frozen, settings):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    next_step(frozen)
    client.post("/twofactor/check/", {"code": code(), "next": "/preferences/tokens/"})
    assert client.get("/preferences/tokens/").status_code == 200
    frozen.shift(settings.TWOFACTOR_STEP_UP_MINUTES * 60 + 1)
    assert client.get("/preferences/tokens/").status_code == 302


def test_a_wrong_code_at_the_check_is_refused_and_counted(desk, frozen):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    response = client.post("/twofactor/check/", {"code": "99999x", "next": "/preferences/tokens/"})
    assert response.status_code == 422
    assert not flow.recently_verified_session(client.session)
    assert client.get("/preferences/tokens/").status_code == 302


def test_the_check_goes_back_only_to_this_site(desk, frozen):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    next_step(frozen)
    response = client.post("/twofactor/check/", {"code": code(), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_post_without_a_recent_check_changes_nothing(desk, frozen):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    response = client.post("/preferences/tokens/", {"name": "x", "expires_in_days": 30})
    assert response.status_code == 302
    assert not desk.admin.api_tokens.exists()


def test_the_api_asks_a_session_for_a_recent_check_before_minting(desk, frozen):
    enrol(desk.admin)
    client = desk.client_for(desk.admin)
    response = client.post("/api/v1/me/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    next_step(frozen)
    client.post("/twofactor/check/", {"code": code()})
    response = client.post("/api/v1/me/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 201


def test_the_sign_in_counts_as_a_recent_check(desk, frozen):
    enrol(desk.admin)
    client = Client()
    client.post("/login/", {"username": desk.admin.email, "password": "x" * 0 + _password()})
    next_step(frozen)
    client.post("/twofactor/verify/", {"code": code()})
    assert client.get("/preferences/tokens/").status_code == 200


def _password() -> str:
    from tuki.conftest import PASSWORD

    return PASSWORD
