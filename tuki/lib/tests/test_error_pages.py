"""Error pages: the product's layout, a way back for whoever is signed in, translated text.

404 and 403 extend base.html; 400 and 500 are rendered by Django without a request, so they
stand alone (templates/errors/standalone.html) and must not touch the database.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults


@pytest.fixture(autouse=True)
def no_debug(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]  # pytest-django's settings fixture


def way_back(html: str) -> list[str]:
    """The hrefs of the error card's buttons."""
    card = html.split('id="error-page"', 1)[1]
    return re.findall(r'<a class="btn [^"]*" href="([^"]*)"', card)


def test_a_missing_page_signed_out_offers_to_sign_in(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "tuki/tuki.css" in html and "tuki-nav" in html
    assert "Page not found" in html
    assert way_back(html) == ["/login/?next=/no-such-page/"]


def test_a_missing_page_takes_an_agent_to_the_workspace(desk):
    response = desk.client_for(desk.operator).get("/desk/tickets/INC-999999/")
    assert response.status_code == 404
    assert way_back(response.content.decode()) == ["/desk/", "/desk/tickets/"]


def test_a_missing_page_takes_a_requester_to_the_portal(desk):
    response = desk.client_for(desk.requester).get("/desk/tickets/INC-999999/")
    assert response.status_code == 404
    assert way_back(response.content.decode()) == ["/portal/", "/kb/"]


def test_a_forbidden_page_says_why_in_the_users_language(desk):
    desk.operator.language = "fi"
    desk.operator.save(update_fields=["language"])
    response = desk.client_for(desk.operator).get("/automation/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Pääsy estetty" in html and "tuki-nav" in html
    with translation.override("fi"):
        assert str(translation.gettext("Only administrators manage rules.")) in html
    assert way_back(html) == ["/desk/", "/desk/tickets/"]


def test_a_bad_request_gets_the_standalone_page(db):
    response = Client().get("/", headers={"host": "attacker.example"})  # not in ALLOWED_HOSTS
    html = response.content.decode()
    assert response.status_code == 400
    assert "Bad request" in html and "tuki/tuki.css" in html
    assert way_back(html) == ["/"]


def test_the_server_error_page_needs_no_request_context_nor_database():
    # No `db` fixture: a query would fail the test.
    request = RequestFactory().get("/desk/")
    with translation.override("ro"):
        response = defaults.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert 'lang="ro"' in html and "Ceva nu a mers bine" in html and "tuki/tuki.css" in html
    assert way_back(html) == ["/"]


def test_a_view_that_fails_shows_the_server_error_page(desk, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("tuki.accounts.views.redirect", broken)
    client = desk.client_for(desk.requester)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_page_is_translated(status, db):
    pages = {
        400: defaults.bad_request,
        403: defaults.permission_denied,
        404: defaults.page_not_found,
    }
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    texts = {}
    for lang in ("en", "ro", "fi"):
        with translation.override(lang):
            if status == 500:
                response = defaults.server_error(request)
            else:
                response = pages[status](
                    request, PermissionDenied() if status == 403 else Exception()
                )
        texts[lang] = response.content.decode().split('id="error-page"', 1)[1]
    assert len(set(texts.values())) == 3
