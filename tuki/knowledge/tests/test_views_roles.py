"""Every knowledge page against every role: who reads, who gets a 404, who signs in first.

A requester never learns that an internal article, a draft or another organisation's
article exists: each is a 404, exactly like an id that was never used.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tuki.conftest import Desk
from tuki.knowledge.models import Article, State
from tuki.knowledge.tests.conftest import Kb
from tuki.tickets.models import Ticket

ROLES = [
    "anonymous", "requester", "colleague", "outsider", "operator", "specialist", "other_agent",
    "admin",
]  # fmt: skip
LOGIN = 302  # anonymous visitors are sent to sign in (for any id, so nothing leaks)
AGENTS = {"operator": 200, "specialist": 200, "other_agent": 200, "admin": 200}
WORKSPACE = {"anonymous": LOGIN, "requester": 404, "colleague": 404, "outsider": 404, **AGENTS}


def client_for(desk: Desk, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


def check(desk: Desk, url: str, expected: dict[str, int], method: str = "get", **data: Any) -> None:
    got = {}
    for role in ROLES:
        response = getattr(client_for(desk, role), method)(url, data)
        got[role] = response.status_code
        if response.status_code == LOGIN and role == "anonymous":
            assert "/login" in response["Location"] or "next=" in response["Location"]
    assert got == expected


@pytest.mark.parametrize(
    "path", ["/kb/articles/", "/kb/new/", "/kb/reports/", "/kb/{pk}/edit/", "/kb/{pk}/history/"]
)
def test_workspace_pages_are_for_agents(desk: Desk, kb: Kb, path: str) -> None:
    check(desk, path.format(pk=kb.public.pk), WORKSPACE)


def test_categories_are_for_administrators(desk: Desk, kb: Kb) -> None:
    expected = {role: 404 for role in ROLES} | {"anonymous": LOGIN, "admin": 200}
    check(desk, "/kb/categories/", expected)


def test_knowledge_home_is_for_everyone_signed_in(desk: Desk, kb: Kb) -> None:
    check(desk, "/kb/", {role: 200 for role in ROLES} | {"anonymous": LOGIN})


READERS = {
    "public": {role: 200 for role in ROLES},
    "internal": WORKSPACE,
    "acme": WORKSPACE | {"requester": 200, "colleague": 200},
    "globex": WORKSPACE | {"outsider": 200},
    "draft": WORKSPACE,
    "archived": WORKSPACE,
}


@pytest.mark.parametrize("name", READERS)
def test_article_page_per_audience_and_state(desk: Desk, kb: Kb, name: str) -> None:
    article: Article = getattr(kb, name)
    check(desk, f"/kb/{article.pk}/", READERS[name])


def test_an_unknown_article_is_a_404_to_readers_and_login_to_strangers(desk: Desk, kb: Kb) -> None:
    check(desk, "/kb/999999/", {role: 404 for role in ROLES} | {"anonymous": LOGIN})


def test_requester_pages_never_show_hidden_titles(desk: Desk, kb: Kb) -> None:
    client = desk.client_for(desk.requester)
    hidden = ["Reset the VPN concentrator", "Globex badge office", "Half-written", "dial-up"]
    for url in (
        "/kb/",
        "/kb/?q=vpn",
        f"/kb/category/{kb.network.slug}/",
        f"/kb/faq/{desk.acme.pk}/",
    ):
        html = client.get(url).content.decode()
        for title in hidden:
            assert title not in html, (url, title)


def test_faq_per_organisation(desk: Desk, kb: Kb) -> None:
    url = f"/kb/faq/{desk.acme.pk}/"
    anonymous = Client().get(url).content.decode()
    assert "Connect to the VPN" in anonymous and "Acme printer codes" not in anonymous
    member = desk.client_for(desk.requester).get("/kb/faq/acme-oy/").content.decode()
    assert "Connect to the VPN" in member and "Acme printer codes" in member
    assert "Globex badge office" not in member
    outsider = desk.client_for(desk.outsider).get(url).content.decode()
    assert "Acme printer codes" not in outsider and "Globex badge office" not in outsider
    assert Client().get("/kb/faq/no-such-org/").status_code == 404
    desk.globex.is_active = False
    desk.globex.save()
    assert Client().get(f"/kb/faq/{desk.globex.pk}/").status_code == 404


def test_faq_shows_the_readers_language(desk: Desk, kb: Kb) -> None:
    html = Client().get(f"/kb/faq/{desk.acme.pk}/?lang=fi").content.decode()
    assert "VPN-yhteyden avaaminen" in html


def test_votes_only_on_what_one_may_read(desk: Desk, kb: Kb) -> None:
    expected = {
        "anonymous": LOGIN, "requester": 302, "colleague": 302, "outsider": 404,
        "operator": 302, "specialist": 302, "other_agent": 302, "admin": 302,
    }  # fmt: skip
    check(desk, f"/kb/{kb.acme.pk}/vote/", expected, method="post", helpful="yes")
    kb.acme.refresh_from_db()
    assert kb.acme.helpful_count == 6
    check(
        desk, f"/kb/{kb.internal.pk}/vote/", WORKSPACE | {"operator": 302, "specialist": 302,
        "other_agent": 302, "admin": 302}, method="post", helpful="no",
    )  # fmt: skip


@pytest.mark.parametrize(
    "path,data",
    [
        ("/kb/{pk}/state/", {"state": "archived"}),
        ("/kb/{pk}/edit/?lang=en", {"title": "Hijacked", "body": "x"}),
        ("/kb/{pk}/fields/", {"audience": "public"}),
        ("/kb/{pk}/delete/", {}),
        ("/kb/{pk}/translations/ro/delete/", {}),
    ],
)
def test_writes_are_for_agents(desk: Desk, kb: Kb, path: str, data: dict[str, str]) -> None:
    url = path.format(pk=kb.public.pk)
    for role in ("requester", "colleague", "outsider"):
        assert client_for(desk, role).post(url, data).status_code == 404
    assert Client().post(url, data).status_code == LOGIN
    kb.public.refresh_from_db()
    assert kb.public.state == State.PUBLISHED
    assert kb.public.translations.count() == 3
    assert not kb.public.translations.filter(title="Hijacked").exists()


def test_insert_picker_follows_ticket_visibility(desk: Desk, kb: Kb, incident: Ticket) -> None:
    url = f"/kb/insert/{incident.number}/"
    expected = WORKSPACE | {"other_agent": 404, "specialist": 404}
    check(desk, url, expected)


def test_create_article_from_ticket_follows_ticket_visibility(
    desk: Desk, kb: Kb, incident: Ticket
) -> None:
    url = f"/kb/from-ticket/{incident.number}/"
    for role in ("requester", "other_agent"):
        assert client_for(desk, role).post(url).status_code == 404
    assert Client().post(url).status_code == LOGIN
    # Visible but not resolved: refused with a message, nothing written.
    response = desk.client_for(desk.operator).post(url)
    assert response.status_code == 302 and response["Location"].endswith(incident.number + "/")
    assert Article.objects.count() == 6


def test_attachment_download_follows_the_article(desk: Desk, kb: Kb) -> None:
    from tuki.knowledge import services
    from tuki.lib.uploads import Upload

    [file] = services.add_attachments(desk.operator, kb.acme, [Upload("codes.txt", b"1234\n")])
    expected = READERS["acme"]
    check(desk, f"/kb/{kb.acme.pk}/files/{file.pk}/", expected)
    wrong_article = f"/kb/{kb.public.pk}/files/{file.pk}/"
    assert desk.client_for(desk.operator).get(wrong_article).status_code == 404
