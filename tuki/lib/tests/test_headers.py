"""Security headers on every page type: the Content-Security-Policy (django-csp, the policy
of tuki/lib/csp.py), nosniff, a referrer policy; HSTS, the HTTPS redirect and secure cookies
from TUKI_* settings.

The walk takes every URL pattern Django knows (app, portal, the API and its docs, the data
administration), so a new page is covered without touching this test.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.urls.resolvers import RegexPattern, RoutePattern

from tuki.conftest import Desk
from tuki.lib.csp import DIRECTIVES, parse

SAMPLE = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), path("", include("tuki.urls"))]


def _route(pattern: Any) -> str | None:
    """A concrete path for one pattern piece, sample values for its parameters."""
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), str(pattern._route)
        )
    if isinstance(pattern, RegexPattern):
        regex = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
        if "(" in regex or "[" in regex or "\\" in regex:
            return None  # a pattern with groups (admin's app index): the plain ones cover it
        return regex
    return None


def walk(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found: list[str] = []
    for entry in (resolver or get_resolver("tuki.urls")).url_patterns:
        piece = _route(entry.pattern)
        if piece is None:
            continue
        if isinstance(entry, URLResolver):
            found += walk(entry, prefix + piece)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + piece)
    return sorted(set(found))


def _check(response: HttpResponse, url: str) -> None:
    assert "Content-Security-Policy" in response, url
    policy = parse(response["Content-Security-Policy"])
    scripts = policy.get("script-src", policy.get("default-src", []))
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, url
    if "sandbox" not in policy:  # a stored mail or attachment shown under its own sandbox
        assert policy == DIRECTIVES, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url


def test_the_walk_finds_every_kind_of_page() -> None:
    urls = walk()
    assert len(urls) > 100
    for expected in ("/login/", "/desk/", "/portal/", "/admin/", "/api/v1/docs", "/healthz"):
        assert expected in urls, expected


@pytest.mark.parametrize("who", ["anonymous", "requester", "admin"])
def test_every_page_carries_the_policy_and_headers(desk: Desk, who: str, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(getattr(desk, who))
    statuses = set()
    for url in walk():
        response = client.get(url)
        statuses.add(response.status_code)
        _check(response, url)
    assert {200, 404} <= statuses


@pytest.mark.urls("tuki.lib.tests.test_headers")
def test_error_pages_carry_the_policy(desk: Desk, settings: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    for url, status in [("/boom/", 500), ("/no-such-page/", 404)]:
        response = client.get(url)
        assert response.status_code == status
        _check(response, url)
    response = client.post("/login/", {"username": "x"}, HTTP_HOST="evil.example")
    assert response.status_code == 400
    _check(response, "bad host")


def test_hsts_and_the_https_redirect_follow_the_settings(desk: Desk, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/login/"
    assert client.get("/healthz").status_code == 200  # probes may speak plain HTTP
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def _settings_under(env: dict[str, str], subprocess_env: dict[str, str]) -> dict[str, Any]:
    script = (
        "import json; from django.conf import settings as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_SSL_REDIRECT,"
        "s.SECURE_PROXY_SSL_HEADER]))"
    )
    child = dict(subprocess_env)
    for name in list(child):
        if name.startswith("TUKI_") and name not in ("TUKI_VAR_DIR", "TUKI_DATABASE_URL"):
            child.pop(name)
    child.update(env)
    out = subprocess.run(
        [sys.executable, "-m", "tuki", "shell", "-c", script],
        env=child,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    keys = ["session", "csrf", "hsts", "subdomains", "preload", "redirect", "proxy"]
    return dict(zip(keys, json.loads(out.strip().splitlines()[-1]), strict=True))


def test_an_https_site_gets_secure_cookies_and_the_operator_sets_the_rest(
    subprocess_env: dict[str, str],
) -> None:
    plain = _settings_under({"TUKI_SITE_URL": "http://127.0.0.1:8000"}, subprocess_env)
    assert plain == {
        "session": False,
        "csrf": False,
        "hsts": 0,
        "subdomains": False,
        "preload": False,
        "redirect": False,
        "proxy": None,
    }
    https = _settings_under(
        {
            "TUKI_SITE_URL": "https://desk.example.com",
            "TUKI_HSTS_SECONDS": "63072000",
            "TUKI_HSTS_INCLUDE_SUBDOMAINS": "true",
            "TUKI_HSTS_PRELOAD": "true",
            "TUKI_SSL_REDIRECT": "true",
            "TUKI_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        },
        subprocess_env,
    )
    assert https == {
        "session": True,
        "csrf": True,
        "hsts": 63072000,
        "subdomains": True,
        "preload": True,
        "redirect": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
    }
