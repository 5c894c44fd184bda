"""Signing in with a second factor: the half-signed-in state, codes, recovery codes,
throttling, remembered browsers, and the policy's enrolment."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.test import Client

from tuki.accounts import signin
from tuki.audit.models import Action, AuditEntry
from tuki.conftest import PASSWORD
from tuki.twofactor import flow, services
from tuki.twofactor.tests.conftest import code, enrol, next_step


def password_step(client: Client, email: str, next_url: str = "") -> object:
    data = {"username": email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_without_a_factor_the_password_signs_in(desk):
    client = Client()
    response = password_step(client, desk.operator.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_with_a_factor_the_password_only_half_signs_in(desk, frozen):
    enrol(desk.operator)
    client = Client()
    response = password_step(client, desk.operator.email, "/desk/tickets/")
    assert response["Location"] == "/twofactor/verify/"
    assert not signed_in(client)
    assert client.session[signin.PENDING_KEY]["user"] == desk.operator.pk
    # Nothing of the desk answers yet.
    assert client.get("/desk/tickets/").status_code == 302
    assert client.get("/desk/tickets/")["Location"].startswith("/login/")
    assert not AuditEntry.objects.filter(action=Action.SIGN_IN).exists()


def test_the_right_code_signs_in_and_goes_where_asked(desk, frozen):
    enrol(desk.operator)
    next_step(frozen)
    client = Client()
    password_step(client, desk.operator.email, "/desk/tickets/")
    page = client.get("/twofactor/verify/")
    assert page.status_code == 200 and "Signing in as operator@tuki.test" in page.text
    response = client.post("/twofactor/verify/", {"code": code()})
    assert response.status_code == 302 and response["Location"] == "/desk/tickets/"
    assert signed_in(client)
    assert signin.PENDING_KEY not in client.session
    assert flow.recently_verified_session(client.session)
    assert AuditEntry.objects.filter(action=Action.SIGN_IN, actor=desk.operator).exists()


def test_a_wrong_code_is_refused_and_counted(desk, frozen):
    enrol(desk.operator)
    client = Client()
    password_step(client, desk.operator.email)
    response = client.post("/twofactor/verify/", {"code": "12345x"})
    assert response.status_code == 422
    assert "That code is not right." in response.text
    assert not signed_in(client)
    assert AuditEntry.objects.filter(action=Action.SIGN_IN_FAILED).count() == 1


def test_wrong_codes_lock_out_like_wrong_passwords(desk, frozen, settings):
    enrol(desk.operator)
    client = Client(REMOTE_ADDR="203.0.113.9")
    password_step(client, desk.operator.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post("/twofactor/verify/", {"code": "000000x"}).status_code == 422
    response = client.post("/twofactor/verify/", {"code": "000000x"})
    assert response.status_code == 429
    # The right code no longer helps, nor the password from this address.
    next_step(frozen)
    assert client.post("/twofactor/verify/", {"code": code()}).status_code != 302 or not signed_in(
        client
    )
    assert password_step(client, desk.operator.email).status_code == 429
    assert not signed_in(client)


def test_a_recovery_code_signs_in_once(desk, frozen):
    _device, codes = enrol(desk.operator)
    client = Client()
    password_step(client, desk.operator.email)
    assert client.post("/twofactor/verify/", {"code": codes[0]}).status_code == 302
    assert signed_in(client)
    other = Client()
    password_step(other, desk.operator.email)
    assert other.post("/twofactor/verify/", {"code": codes[0]}).status_code == 422
    assert not signed_in(other)


def test_a_remembered_browser_skips_the_factor(desk, frozen):
    enrol(desk.operator)
    next_step(frozen)
    client = Client()
    password_step(client, desk.operator.email)
    response = client.post("/twofactor/verify/", {"code": code(), "remember": "on"})
    assert flow.REMEMBER_COOKIE in response.cookies
    client.post("/logout/")
    assert not signed_in(client)
    response = password_step(client, desk.operator.email)
    assert response["Location"] == "/"
    assert signed_in(client)
    # Another browser still has to pass it.
    other = Client()
    assert password_step(other, desk.operator.email)["Location"] == "/twofactor/verify/"


def test_verify_without_a_password_step_goes_to_sign_in(desk):
    response = Client().get("/twofactor/verify/")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_a_half_sign_in_expires(desk, frozen):
    enrol(desk.operator)
    client = Client()
    password_step(client, desk.operator.email)
    frozen.shift(signin.PENDING_SECONDS + 1)
    response = client.post("/twofactor/verify/", {"code": code()})
    assert response.status_code == 302 and response["Location"].startswith("/login")
    assert not signed_in(client)


# --- the policy -----------------------------------------------------------------------------


def test_an_agent_covered_by_the_policy_must_enrol_first(desk, frozen):
    services.save_policy(desk.admin, for_administrators=True, for_agents=True, for_requesters=False)
    client = Client()
    response = password_step(client, desk.operator.email, "/desk/tickets/")
    assert response["Location"] == "/twofactor/"
    assert signed_in(client)
    for path in ("/desk/tickets/", "/", "/preferences/", "/twofactor/policy/"):
        assert client.get(path)["Location"] == "/twofactor/", path
    assert client.get("/api/v1/me/tokens").status_code == 403
    page = client.get("/twofactor/")
    assert page.status_code == 200 and 'id="must-enrol"' in page.text
    assert client.get("/twofactor/app/").status_code == 200
    secret = client.session["tuki_2fa_new_secret"]
    response = client.post("/twofactor/app/", {"name": "Phone", "code": code(secret)})
    assert response["Location"] == "/twofactor/"
    assert client.get("/desk/tickets/").status_code == 200
    assert client.post("/logout/").status_code == 302


def test_a_requester_outside_the_policy_signs_in_as_before(desk):
    services.save_policy(desk.admin, for_administrators=True, for_agents=True, for_requesters=False)
    client = Client()
    assert password_step(client, desk.requester.email)["Location"] == "/"
    assert client.get("/portal/").status_code == 200


def test_everyone_means_requesters_too(desk):
    services.save_policy(desk.admin, for_administrators=True, for_agents=True, for_requesters=True)
    client = Client()
    assert password_step(client, desk.requester.email)["Location"] == "/twofactor/"
    assert client.get("/portal/")["Location"] == "/twofactor/"


def test_api_tokens_are_unaffected_by_the_policy(desk):
    services.save_policy(desk.admin, for_administrators=True, for_agents=True, for_requesters=True)
    from tuki.accounts.models import ApiToken

    _token, raw = ApiToken.mint(desk.operator, name="script")
    response = Client().get("/api/v1/me/tokens", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_the_admins_sign_in_asks_for_the_factor_too(desk, frozen):
    enrol(desk.admin)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": desk.admin.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert response["Location"] == "/twofactor/verify/"
    assert not signed_in(client)
    next_step(frozen)
    assert client.post("/twofactor/verify/", {"code": code()})["Location"] == "/admin/"
