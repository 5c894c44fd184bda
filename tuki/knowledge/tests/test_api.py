"""The knowledge API: every endpoint per role, field errors, keyset pages, versions, search."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.conftest import Desk
from tuki.knowledge.models import Article, ArticleTranslation, ArticleVersion, State
from tuki.knowledge.tests.conftest import Kb, published
from tuki.tickets.tests.test_api_support import API, ROLES, client_as, error_fields

UNSEEN = {"anonymous": 401, "bad_token": 401, "requester": 404, "colleague": 404, "outsider": 404}
AGENTS = {"operator": 200, "specialist": 200, "other_agent": 200, "admin": 200}
HIDDEN = UNSEEN | AGENTS  # internal, draft: only agents
READ_PUBLIC = {**AGENTS, "anonymous": 401, "bad_token": 401, "requester": 200, "colleague": 200,
               "outsider": 200}  # fmt: skip


def statuses(desk: Desk, method: str, path: str, body: Any = None) -> dict[str, int]:
    got = {}
    for role in ROLES:
        client = client_as(desk, role)
        if method == "get":
            got[role] = client.get(API + path).status_code
        else:
            send = getattr(client, method)
            got[role] = send(
                API + path, data=body or {}, content_type="application/json"
            ).status_code
    return got


@pytest.mark.parametrize(
    "name,expected",
    [
        ("public", READ_PUBLIC),
        ("internal", HIDDEN),
        ("draft", HIDDEN),
        ("archived", HIDDEN),
        ("acme", HIDDEN | {"requester": 200, "colleague": 200}),
        ("globex", HIDDEN | {"outsider": 200}),
    ],
)
def test_reading_an_article_per_role(desk: Desk, kb: Kb, name: str, expected: dict) -> None:
    pk = getattr(kb, name).pk
    assert statuses(desk, "get", f"/kb/articles/{pk}") == expected
    assert statuses(desk, "get", f"/kb/articles/KB-{pk}/translations") == expected


def test_versions_are_for_agents_only(desk: Desk, kb: Kb) -> None:
    path = f"/kb/articles/{kb.public.pk}/translations/en/versions"
    assert statuses(desk, "get", path) == READ_PUBLIC | {
        "requester": 404, "colleague": 404, "outsider": 404,
    }  # fmt: skip


def test_the_list_holds_only_what_one_may_read(desk: Desk, kb: Kb) -> None:
    def titles(role: str) -> set[int]:
        response = client_as(desk, role).get(API + "/kb/articles")
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}

    assert titles("requester") == {kb.public.pk, kb.acme.pk}
    assert titles("outsider") == {kb.public.pk, kb.globex.pk}
    assert titles("operator") == {
        kb.public.pk, kb.internal.pk, kb.acme.pk, kb.globex.pk, kb.draft.pk,
    }  # fmt: skip
    archived = client_as(desk, "operator").get(API + "/kb/articles", {"state": "archived"})
    assert [i["id"] for i in archived.json()["items"]] == [kb.archived.pk]
    assert client_as(desk, "anonymous").get(API + "/kb/articles").status_code == 401


def test_keyset_pages_walk_every_article_once(desk: Desk, kb: Kb) -> None:
    client = client_as(desk, "operator")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get(API + "/kb/articles", params).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 5


def test_list_titles_come_in_the_asked_language(desk: Desk, kb: Kb) -> None:
    page = client_as(desk, "requester").get(API + "/kb/articles", {"language": "ro"}).json()
    assert [(i["title"], i["language"]) for i in page["items"]] == [("Conectarea la VPN", "ro")]


def test_agents_create_with_translations_and_versions(desk: Desk, kb: Kb) -> None:
    client = client_as(desk, "operator")
    response = client.post(
        API + "/kb/articles",
        data={
            "title": "Map a network drive", "body": "1. Open Explorer", "category": kb.vpn.pk,
            "tags": ["drive"], "related": [kb.public.pk], "review_by": "2030-01-31",
        },
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "draft" and data["tags"] == ["drive"]
    assert data["related"] == [kb.public.pk] and data["category"]["id"] == kb.vpn.pk
    assert data["translations"][0]["body_html"] == "<ol>\n<li>Open Explorer</li>\n</ol>\n"
    pk = data["id"]
    added = client.post(
        API + f"/kb/articles/{pk}/translations",
        data={"language": "fi", "title": "Verkkolevy", "body": "1. Avaa"},
        content_type="application/json",
    )
    assert added.status_code == 201
    edited = client.put(
        API + f"/kb/articles/{pk}/translations/en",
        data={"title": "Map a network drive", "body": "1. Open File Explorer", "base_version": 1},
        content_type="application/json",
    )
    assert edited.json()["version"] == 2
    version = client.get(API + f"/kb/articles/{pk}/translations/en/versions/2").json()
    assert "-1. Open Explorer" in version["diff"] and "+1. Open File Explorer" in version["diff"]
    restore = API + f"/kb/articles/{pk}/translations/en/versions/1/restore"
    restored = client.post(restore, {"note": "Back"}, "application/json")
    assert restored.status_code == 200, restored.content
    assert restored.json()["version"] == 3 and restored.json()["body"] == "1. Open Explorer"
    moved = client.post(
        API + f"/kb/articles/{pk}/state", data={"state": "review"}, content_type="application/json"
    )
    assert moved.json()["state"] == "review"


def test_requesters_cannot_write(desk: Desk, kb: Kb) -> None:
    body = {"title": "Mine", "body": "x"}
    assert statuses(desk, "post", "/kb/articles", body)["requester"] == 403
    client = client_as(desk, "requester")
    path = f"/kb/articles/{kb.public.pk}"
    assert client.patch(API + path, {"is_faq": False}, "application/json").status_code == 403
    assert client.delete(API + path).status_code == 403
    put = client.put(
        API + path + "/translations/en", {"title": "x", "body": "y"}, "application/json"
    )
    assert put.status_code == 403
    assert (
        client.patch(API + f"/kb/articles/{kb.internal.pk}", {}, "application/json").status_code
        == 404
    )
    assert not Article.objects.filter(
        owner__in=[desk.requester, desk.colleague, desk.outsider]
    ).exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "language": "de"}, "language"),
        ({"title": "ok", "audience": "everyone"}, "audience"),
        ({"title": "ok", "audience": "organisations"}, "organisations"),
        ({"title": "ok", "organisations": [999999], "audience": "organisations"}, "organisations"),
        ({"title": "ok", "category": 999999}, "category"),
        ({"title": "ok", "owner": 999999}, "owner"),
        ({"title": "ok", "related": [999999]}, "related"),
        ({"title": "ok", "review_by": "soon"}, "review_by"),
        ({"title": "nul\x00"}, "title"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(desk: Desk, body: dict, field: str) -> None:
    response = client_as(desk, "operator").post(
        API + "/kb/articles", data=body, content_type="application/json"
    )
    assert field in error_fields(response)
    assert not Article.objects.exists() and not ArticleTranslation.objects.exists()


def test_an_edit_conflict_is_a_422_on_body(desk: Desk, kb: Kb) -> None:
    client = client_as(desk, "operator")
    path = API + f"/kb/articles/{kb.public.pk}/translations/en"
    response = client.put(path, {"title": "x", "body": "y", "base_version": 0}, "application/json")
    assert error_fields(response) == ["body"]
    assert (
        ArticleVersion.objects.filter(
            translation__article=kb.public, translation__language="en"
        ).count()
        == 1
    )


def test_state_moves_refused_with_the_field(desk: Desk, kb: Kb) -> None:
    response = client_as(desk, "operator").post(
        API + f"/kb/articles/{kb.draft.pk}/state", {"state": "published"}, "application/json"
    )
    assert error_fields(response) == ["state"]
    assert Article.objects.get(pk=kb.draft.pk).state == State.DRAFT


def test_feedback_over_the_api(desk: Desk, kb: Kb) -> None:
    client = client_as(desk, "requester")
    path = API + f"/kb/articles/{kb.public.pk}/feedback"
    response = client.post(path, {"helpful": False, "comment": "Step 3 fails"}, "application/json")
    assert response.json()["not_helpful_count"] == 1
    assert (
        client_as(desk, "requester")
        .post(
            API + f"/kb/articles/{kb.internal.pk}/feedback", {"helpful": True}, "application/json"
        )
        .status_code
        == 404
    )


def test_search_finds_only_readable_published_articles(desk: Desk, kb: Kb) -> None:
    def found(role: str, q: str, **params: Any) -> list[int]:
        response = client_as(desk, role).get(API + "/kb/search", {"q": q, **params})
        assert response.status_code == 200, response.content
        return [hit["id"] for hit in response.json()]

    assert found("requester", "VPN") == [kb.public.pk]
    assert set(found("operator", "VPN")) == {kb.public.pk, kb.internal.pk}
    assert found("requester", "printer") == [kb.acme.pk]
    assert found("outsider", "printer") == []
    assert found("requester", "conectarea", language="ro") == [kb.public.pk]
    assert found("operator", "VPN", category=kb.network.pk) == [kb.public.pk]
    published(desk, "Networking printers", category=None)
    for hostile in ['"', "' OR 1=1 --", "NEAR(a b)", "x" * 10_000, "😀💥", "*", ""]:
        assert (
            client_as(desk, "operator").get(API + "/kb/search", {"q": hostile}).status_code == 200
        )
    # Text that cannot be stored is refused in every API field, a query's too (lib/bounds.py).
    nul = client_as(desk, "operator").get(API + "/kb/search", {"q": "a\x00b"})
    assert error_fields(nul) == ["q"]
    assert error_fields(
        client_as(desk, "operator").get(API + "/kb/search", {"q": "x", "category": 999999})
    ) == ["category"]
