"""Every knowledge endpoint against every role, on an article everyone signed in may read
(public) and on one only agents may read (internal)."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import Desk
from tuki.knowledge.tests.conftest import Kb
from tuki.tickets.tests.test_api_support import API, ROLES, client_as

NOBODY = {"anonymous": 401, "bad_token": 401}
READERS = ("requester", "colleague", "outsider")
AGENTS = ("operator", "specialist", "other_agent", "admin")


def matrix(readers: int, agents: int) -> dict[str, int]:
    return NOBODY | dict.fromkeys(READERS, readers) | dict.fromkeys(AGENTS, agents)


# name, method, path, body, expected on the public article, expected on the internal one
ENDPOINTS = [
    ("list", "get", "/kb/articles", None, matrix(200, 200), None),
    ("categories", "get", "/kb/categories", None, matrix(200, 200), None),
    ("search", "get", "/kb/search?q=vpn", None, matrix(200, 200), None),
    ("create", "post", "/kb/articles", {"title": "New"}, matrix(403, 201), None),
    ("read", "get", "/kb/articles/{pk}", None, matrix(200, 200), matrix(404, 200)),
    ("patch", "patch", "/kb/articles/{pk}", {"is_faq": True}, matrix(403, 200), matrix(404, 200)),
    ("state", "post", "/kb/articles/{pk}/state", {"state": "draft"}, matrix(403, 200),
     matrix(404, 200)),
    ("vote", "post", "/kb/articles/{pk}/feedback", {"helpful": True}, matrix(200, 200),
     matrix(404, 200)),
    ("translations", "get", "/kb/articles/{pk}/translations", None, matrix(200, 200),
     matrix(404, 200)),
    ("translation", "get", "/kb/articles/{pk}/translations/en", None, matrix(200, 200),
     matrix(404, 200)),
    ("add translation", "post", "/kb/articles/{pk}/translations",
     {"language": "de", "title": "x"}, matrix(422, 422), matrix(422, 422)),
    ("edit translation", "put", "/kb/articles/{pk}/translations/en",
     {"title": "Edited", "body": "x"}, matrix(403, 200), matrix(404, 200)),
    ("versions", "get", "/kb/articles/{pk}/translations/en/versions", None, matrix(404, 200),
     matrix(404, 200)),
    ("version", "get", "/kb/articles/{pk}/translations/en/versions/1", None, matrix(404, 200),
     matrix(404, 200)),
    ("restore", "post", "/kb/articles/{pk}/translations/en/versions/1/restore", {},
     matrix(404, 200), matrix(404, 200)),
]  # fmt: skip


def call(client: Any, method: str, path: str, body: Any) -> int:
    if method == "get":
        return client.get(API + path).status_code
    send = getattr(client, method)
    return send(API + path, data=body or {}, content_type="application/json").status_code


@pytest.mark.parametrize("name,method,path,body,public,internal", ENDPOINTS)
def test_endpoint_per_role(
    desk: Desk, kb: Kb, name: str, method: str, path: str, body: Any, public: Any, internal: Any
) -> None:
    for article, expected in ((kb.public, public), (kb.internal, internal)):
        if expected is None:
            continue
        got = {role: call(client_as(desk, role), method, path.format(pk=article.pk), body)
               for role in ROLES}  # fmt: skip
        # A malformed body is refused before any lookup: 422 tells nothing of the article.
        assert got == expected, (name, article.number)


def test_delete_per_role(desk: Desk, kb: Kb) -> None:
    """Only the owner (the operator wrote them) and administrators delete."""
    got = {role: call(client_as(desk, role), "delete", f"/kb/articles/{kb.internal.pk}", None)
           for role in ROLES if role not in ("operator", "admin")}  # fmt: skip
    assert got == NOBODY | dict.fromkeys(READERS, 404) | {"specialist": 403, "other_agent": 403}
    assert call(client_as(desk, "admin"), "delete", f"/kb/articles/{kb.internal.pk}", None) == 204
    assert call(client_as(desk, "operator"), "delete", f"/kb/articles/{kb.public.pk}", None) == 204
    assert call(client_as(desk, "requester"), "get", f"/kb/articles/{kb.public.pk}", None) == 404
