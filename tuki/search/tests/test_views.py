"""The search pages, the suggestions, "This solved my problem" and the API, per role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuki.accounts.models import ApiToken
from tuki.conftest import Desk
from tuki.knowledge.models import Deflection
from tuki.lib.testing import assert_same_count, query_budget
from tuki.search import deflection, documents
from tuki.search.models import SearchQuery
from tuki.search.tests.conftest import Library
from tuki.tickets import services
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db

PAGE = reverse("search:page")
PORTAL = reverse("search:portal")
SUGGEST = reverse("search:suggest")
AGENTS = ("operator", "specialist", "other_agent", "admin")
REQUESTERS = ("requester", "colleague", "outsider")


def client_of(desk: Desk, role: str) -> Client:
    return Client() if role == "anonymous" else desk.client_for(getattr(desk, role))


class TestWorkspacePage:
    @pytest.mark.parametrize("role", AGENTS)
    def test_agents_search(self, desk: Desk, library: Library, role: str) -> None:
        response = client_of(desk, role).get(PAGE, {"q": "printer"})
        assert response.status_code == 200
        assert library.public.number in response.content.decode()

    @pytest.mark.parametrize("role", REQUESTERS)
    def test_requesters_go_to_the_portal_search(self, desk: Desk, role: str) -> None:
        response = client_of(desk, role).get(PAGE, {"q": "printer"})
        assert response.status_code == 302 and response["Location"] == f"{PORTAL}?q=printer"

    def test_anonymous_signs_in_first(self, desk: Desk) -> None:
        response = Client().get(PAGE, {"q": "x"})
        assert response.status_code == 302 and "/login" in response["Location"]

    def test_a_ticket_number_jumps_to_the_ticket(self, desk: Desk, library: Library) -> None:
        response = desk.client_for(desk.operator).get(PAGE, {"q": library.mine.number})
        assert response.status_code == 302
        assert response["Location"] == library.mine.get_absolute_url()

    def test_an_invisible_ticket_number_is_searched_as_words(
        self, desk: Desk, library: Library
    ) -> None:
        response = desk.client_for(desk.other_agent).get(PAGE, {"q": library.mine.number})
        assert response.status_code == 200

    def test_results_are_ranked_with_highlighted_snippets(
        self, desk: Desk, library: Library
    ) -> None:
        html = desk.client_for(desk.operator).get(PAGE, {"q": "zanzibar"}).content.decode()
        assert "<mark>Zanzibar</mark>" in html and library.mine.number in html

    def test_htmx_gets_the_results_fragment(self, desk: Desk, library: Library) -> None:
        response = desk.client_for(desk.operator).get(
            PAGE, {"q": "printer"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert html.lstrip().startswith('<div id="search-results">') and "<nav class" not in html

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "printer", "kind": "nonsense"},
            {"q": "printer", "status": "x"},
            {"q": "printer", "category": "abc"},
            {"q": "printer", "category": "999999"},
            {"q": "printer", "language": "xx"},
            {"q": "printer", "page": "abc"},
            {"q": "printer", "page": "99999999999"},
            {"q": "\x00printer"},
            {"q": '"printer" OR NEAR(' * 600},
        ],
    )
    def test_bad_input_never_fails(self, desk: Desk, library: Library, params: dict) -> None:
        assert desk.client_for(desk.operator).get(PAGE, params).status_code == 200

    def test_pages(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.admin)
        first = client.get(PAGE, {"q": "printer", "page": "1"}).content.decode()
        assert "Page 1 of" not in first  # 7 results fit one page
        assert client.get(PAGE, {"q": "printer", "page": "5"}).status_code == 200

    def test_searches_are_logged_for_the_reports(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.operator)
        client.get(PAGE, {"q": "teams crash"})
        client.get(PAGE, {"q": "printer"})
        logged = dict(SearchQuery.objects.values_list("normalized", "results"))
        assert logged["teams crash"] == 0 and logged["printer"] > 0

    def test_query_budget_does_not_grow_with_results(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.admin)
        with query_budget(16) as few:
            client.get(PAGE, {"q": "printer"})
        for n in range(15):
            services.create_ticket(
                desk.operator, title=f"Printer {n}", description="Jams.", requester=desk.colleague
            )
        documents.rebuild(documents.TICKET)
        with query_budget(16) as many:
            response = client.get(PAGE, {"q": "printer"})
        assert response.content.decode().count('class="list-group-item search-hit') == 20
        assert_same_count(few, many)  # whatever the number of results


class TestPortalSearch:
    @pytest.mark.parametrize("role", (*REQUESTERS, *AGENTS))
    def test_everyone_signed_in_may_search(self, desk: Desk, library: Library, role: str) -> None:
        response = client_of(desk, role).get(PORTAL, {"q": "printer"})
        assert response.status_code == 200
        html = response.content.decode()
        assert library.draft.number not in html  # the portal shows published articles
        # Agents may read internal articles anywhere; requesters never.
        assert (library.internal.number in html) == (role in AGENTS)

    def test_anonymous_signs_in_first(self, desk: Desk) -> None:
        response = Client().get(PORTAL, {"q": "x"})
        assert response.status_code == 302 and "/login" in response["Location"]

    def test_the_requester_sees_their_request_linked_to_the_portal(
        self, desk: Desk, library: Library
    ) -> None:
        html = desk.client_for(desk.requester).get(PORTAL, {"q": "blank"}).content.decode()
        assert reverse("portal:detail", args=[library.mine.number]) in html
        assert library.colleagues.number not in html

    def test_a_request_number_jumps_to_it_only_for_its_requester(
        self, desk: Desk, library: Library
    ) -> None:
        number = library.mine.number
        response = desk.client_for(desk.requester).get(PORTAL, {"q": number})
        assert response["Location"] == reverse("portal:detail", args=[number])
        assert desk.client_for(desk.colleague).get(PORTAL, {"q": number}).status_code == 200
        assert desk.client_for(desk.operator).get(PORTAL, {"q": number}).status_code == 200

    def test_hostile_queries(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        for q in ('"', "NOT", "🔥" * 50, "x" * 10_000, "a\x00b", "*:^", "%%"):
            assert client.get(PORTAL, {"q": q}).status_code == 200


class TestSuggestions:
    def test_a_requester_gets_matching_public_articles(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        response = client.get(SUGGEST, {"title": "printer jammed", "description": "paper"})
        html = response.content.decode()
        assert response.status_code == 200 and "/kb/" in html
        assert library.internal.number not in html and "service menu" not in html
        assert client.session[deflection.SESSION_KEY]["channel"] == "portal"

    def test_nothing_typed_nothing_suggested(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        html = client.get(SUGGEST, {"title": "", "description": "  "}).content.decode()
        assert "list-group-item" not in html and deflection.SESSION_KEY not in client.session

    def test_an_operator_gets_internal_articles_on_a_call(
        self, desk: Desk, library: Library
    ) -> None:
        client = desk.client_for(desk.operator)
        html = client.get(SUGGEST, {"title": "printer service", "channel": "call"}).content.decode()
        assert "Printer service menu" in html or "<mark>Printer</mark> <mark>service</mark>" in html
        assert client.session[deflection.SESSION_KEY]["channel"] == "call"

    def test_a_requester_cannot_claim_the_call_channel(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        client.get(SUGGEST, {"title": "printer", "channel": "call"})
        assert client.session[deflection.SESSION_KEY]["channel"] == "portal"

    def test_anonymous_signs_in_first(self, desk: Desk) -> None:
        assert Client().get(SUGGEST, {"title": "printer"}).status_code == 302

    def test_hostile_text(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        for text in ('"', "OR AND NOT", "🔥", "x" * 10_000, "\x00", "NEAR(a b)"):
            assert client.get(SUGGEST, {"title": text, "description": text}).status_code == 200


class TestSolved:
    def url(self, library: Library) -> str:
        return reverse("search:solved", args=[library.public.pk])

    def test_solved_after_suggestions_counts_a_deflection(
        self, desk: Desk, library: Library
    ) -> None:
        client = desk.client_for(desk.requester)
        client.get(SUGGEST, {"title": "printer jams"})
        response = client.post(self.url(library))
        assert response.status_code == 200 and "Glad that helped" in response.content.decode()
        solved = Deflection.objects.get()
        assert (solved.outcome, solved.article, solved.user, solved.channel) == (
            "solved",
            library.public,
            desk.requester,
            "portal",
        )
        assert "printer jams" in solved.query and solved.ticket is None
        assert deflection.SESSION_KEY not in client.session

    def test_an_operator_on_a_call_counts_the_call_channel(
        self, desk: Desk, library: Library
    ) -> None:
        client = desk.client_for(desk.operator)
        client.get(SUGGEST, {"title": "printer", "channel": "call"})
        assert client.post(self.url(library)).status_code == 200
        assert Deflection.objects.get().channel == "call"

    @pytest.mark.parametrize("role", (*REQUESTERS, *AGENTS))
    def test_every_reader_of_the_article_may_say_so(
        self, desk: Desk, library: Library, role: str
    ) -> None:
        assert client_of(desk, role).post(self.url(library)).status_code == 200

    def test_an_article_the_reader_may_not_read_is_404(self, desk: Desk, library: Library) -> None:
        for article in (library.internal, library.draft):
            url = reverse("search:solved", args=[article.pk])
            assert desk.client_for(desk.requester).post(url).status_code == 404
        url = reverse("search:solved", args=[library.acme.pk])
        assert desk.client_for(desk.outsider).post(url).status_code == 404
        assert not Deflection.objects.exists()

    def test_old_suggestions_no_longer_count(self, desk: Desk, library: Library) -> None:
        client = desk.client_for(desk.requester)
        client.get(SUGGEST, {"title": "printer jams"})
        session = client.session
        session[deflection.SESSION_KEY]["at"] -= deflection.PENDING_FOR + 1
        session.save()
        client.post(self.url(library))
        assert Deflection.objects.get().query == ""  # counted, without the stale text
        form = {"kind": "incident", "title": "Printer", "description": "x", "urgency": "3"}
        client.get(SUGGEST, {"title": "printer jams"})
        session = client.session
        session[deflection.SESSION_KEY]["at"] -= deflection.PENDING_FOR + 1
        session.save()
        client.post(reverse("portal:new"), form)
        assert not Deflection.objects.filter(outcome="submitted").exists()

    def test_get_is_refused_and_anonymous_signs_in(self, desk: Desk, library: Library) -> None:
        assert desk.client_for(desk.requester).get(self.url(library)).status_code == 405
        assert Client().post(self.url(library)).status_code == 302
        assert not Deflection.objects.exists()


class TestSubmittedAnyway:
    def form(self, desk: Desk) -> dict:
        return {
            "kind": "incident",
            "title": "Printer jams again",
            "description": "Third time today.",
            "urgency": "3",
        }

    def test_a_request_sent_after_suggestions_counts_as_submitted(
        self, desk: Desk, library: Library
    ) -> None:
        client = desk.client_for(desk.requester)
        client.get(SUGGEST, {"title": "printer jams"})
        response = client.post(reverse("portal:new"), self.form(desk))
        assert response.status_code == 302
        ticket = Ticket.objects.get(title="Printer jams again")
        submitted = Deflection.objects.get()
        assert (submitted.outcome, submitted.ticket, submitted.channel) == (
            "submitted",
            ticket,
            "portal",
        )

    def test_a_request_without_suggestions_counts_nothing(
        self, desk: Desk, library: Library
    ) -> None:
        client = desk.client_for(desk.requester)
        assert client.post(reverse("portal:new"), self.form(desk)).status_code == 302
        assert not Deflection.objects.exists()


class TestApi:
    def get(self, user: object, **params: object):
        client = Client()
        if user is not None:
            _token, raw = ApiToken.mint(user)
            return client.get("/api/v1/search/", params, HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client.get("/api/v1/search/", params)

    @pytest.mark.parametrize("role", AGENTS)
    def test_agents(self, desk: Desk, library: Library, role: str) -> None:
        response = self.get(getattr(desk, role), q="printer")
        assert response.status_code == 200
        numbers = {r["number"] for r in response.json()["results"]}
        assert library.internal.number in numbers
        assert (library.mine.number in numbers) == (role in ("operator", "admin"))

    @pytest.mark.parametrize("role", REQUESTERS)
    def test_requesters(self, desk: Desk, library: Library, role: str) -> None:
        body = self.get(getattr(desk, role), q="printer").json()
        numbers = {r["number"] for r in body["results"]}
        assert library.internal.number not in numbers and library.draft.number not in numbers
        assert body["count"] == len(numbers)
        assert (library.mine.number in numbers) == (role == "requester")
        assert not self.get(getattr(desk, role), q="zanzibar").json()["results"]

    def test_anonymous_is_401(self, desk: Desk) -> None:
        assert self.get(None, q="printer").status_code == 401

    def test_results_shape_and_filters(self, desk: Desk, library: Library) -> None:
        body = self.get(desk.admin, q="tulostin", language="fi", kind="article").json()
        assert body["count"] == 1
        hit = body["results"][0]
        assert hit["kind"] == "article" and hit["id"] == library.public.pk
        assert "<mark>" in hit["title"] + hit["snippet"] and hit["url"].startswith("http")

    def test_bad_filters_are_422_with_the_field(self, desk: Desk) -> None:
        response = self.get(desk.admin, q="x", kind="nonsense")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "kind"
        assert self.get(desk.admin, q="x", limit=0).status_code == 422

    @pytest.mark.parametrize("q", ['"', "OR", "🔥", "x" * 10_000, "NEAR(", ""])
    def test_hostile_queries(self, desk: Desk, library: Library, q: str) -> None:
        assert self.get(desk.requester, q=q).status_code == 200

    def test_a_nul_in_the_query_is_a_422_naming_it(self, desk: Desk, library: Library) -> None:
        # Text that cannot be stored is refused in every API field (lib/bounds.py).
        response = self.get(desk.requester, q="a\x00b")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "q"
