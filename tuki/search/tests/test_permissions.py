"""Who finds what: tickets through visible_to, articles through articles_visible_to, and
internal notes only for agents. Through queries.run, which the pages and the API share."""

from __future__ import annotations

import pytest

from tuki.conftest import Desk
from tuki.search import queries
from tuki.search.tests.conftest import Library

pytestmark = pytest.mark.django_db


def found(user: object, q: str, *, portal: bool = False, **filters: object) -> set[str]:
    results, total = queries.run(user, queries.Filters(q=q, **filters), portal=portal, limit=100)
    assert total == len(results)
    return {r.label for r in results}


def test_a_requester_finds_their_own_ticket_and_public_articles(
    desk: Desk, library: Library
) -> None:
    assert found(desk.requester, "printer") == {
        library.mine.number,
        library.public.number,
        library.acme.number,
    }


def test_a_requester_never_sees_internal_articles_drafts_or_others_tickets(
    desk: Desk, library: Library
) -> None:
    for user in (desk.requester, desk.colleague, desk.outsider):
        labels = found(user, "printer") | found(user, "printer", portal=True)
        assert library.internal.number not in labels
        assert library.draft.number not in labels
    assert library.colleagues.number not in found(desk.requester, "printer")
    assert library.mine.number not in found(desk.colleague, "printer")
    assert found(desk.outsider, "printer") == {library.outsiders.number, library.public.number}


def test_internal_note_words_never_match_for_requesters(desk: Desk, library: Library) -> None:
    assert found(desk.requester, "zanzibar") == set()
    assert found(desk.requester, "zanzibar", portal=True) == set()
    assert found(desk.requester, "cartridge") == {library.mine.number}  # the public reply
    assert found(desk.operator, "zanzibar") == {library.mine.number}
    results, _ = queries.run(desk.requester, queries.Filters(q="cartridge"), portal=True, limit=5)
    assert "Zanzibar" not in results[0].snippet


def test_agents_find_drafts_and_internal_articles(desk: Desk, library: Library) -> None:
    labels = found(desk.operator, "printer")
    assert {library.internal.number, library.draft.number, library.mine.number} <= labels


def test_an_agent_outside_the_groups_does_not_find_their_tickets(
    desk: Desk, library: Library
) -> None:
    labels = found(desk.other_agent, "printer")
    assert library.mine.number not in labels and library.internal.number in labels
    assert library.mine.number in found(desk.admin, "printer")


def test_agents_in_the_portal_find_only_their_own_requests_and_published_articles(
    desk: Desk, library: Library
) -> None:
    labels = found(desk.operator, "printer", portal=True)
    assert library.mine.number not in labels and library.draft.number not in labels


def test_filters(desk: Desk, library: Library) -> None:
    assert found(desk.operator, "printer", kind="article") == {
        library.public.number,
        library.internal.number,
        library.acme.number,
        library.draft.number,
    }
    assert found(desk.admin, "printer", status="new") == {
        library.mine.number,
        library.colleagues.number,
        library.outsiders.number,
    }
    assert found(desk.admin, "printer", status="closed") == set()
    assert found(desk.admin, "tulostin", language="fi") == {library.public.number}
    assert found(desk.admin, "tulostin", language="ro") == set()


def test_each_language_of_an_article_finds_it_once(desk: Desk, library: Library) -> None:
    for q in ("imprimantă", "tulostin", "printing"):
        assert library.public.number in found(desk.requester, q)
    results, _ = queries.run(desk.requester, queries.Filters(q="tulostin"), portal=True, limit=5)
    assert results[0].language == "fi" and results[0].url.endswith("?lang=fi")


def test_the_requesters_narrowing_keeps_exactly_what_visible_to_allows(
    desk: Desk, library: Library
) -> None:
    """allowed_for narrows requesters by a union of index lookups first; whatever a requester
    may see (own, watched, organisation's, restricted or not) must survive it."""
    from tuki.tickets.models import Ticket

    library.colleagues.watchers.add(desk.outsider)
    Ticket.objects.filter(pk=library.outsiders.pk).update(restricted=True)
    desk.colleague.sees_organisation_tickets = True
    desk.colleague.save(update_fields=["sees_organisation_tickets"])
    for user in (desk.requester, desk.colleague, desk.outsider, desk.operator, desk.admin):
        for portal in (False, True):
            allowed = queries.allowed_for(user, queries.Filters(), portal=portal)["ticket"]
            expected = Ticket.objects.visible_to(user)
            if portal and queries.is_agent(user):
                expected = expected.filter(requester=user)
            assert set(Ticket.objects.filter(pk__in=allowed)) == set(expected), (user, portal)
    assert library.colleagues.number in found(desk.outsider, "printer")
    assert library.mine.number in found(desk.colleague, "printer")


def test_a_restricted_ticket_is_found_only_within_its_groups(desk: Desk, library: Library) -> None:
    """An agent granted all tickets (a staff administrator, say) outside a restricted
    ticket's two groups finds it neither by its words nor by its number (issue 13)."""
    from django.test import Client

    from tuki.conftest import make_user
    from tuki.search import documents
    from tuki.tickets.models import Ticket
    from tuki.tickets.tests.test_api_support import token_client

    secret = library.mine
    Ticket.objects.filter(pk=secret.pk).update(restricted=True)
    documents.rebuild(documents.TICKET)
    staff = make_user(
        "staff@tuki.test", "Stella Staff", is_agent=True, is_staff=True, sees_all_tickets=True
    )
    assert secret.number not in found(staff, "zanzibar") | found(staff, "printer")
    assert library.colleagues.number in found(staff, "printer")  # granted the others
    assert secret.number in found(desk.operator, "zanzibar")  # its owner group finds it
    api = token_client(staff).get("/api/v1/search/", {"q": "zanzibar"}).json()
    assert api["count"] == 0
    client = Client()
    client.force_login(staff)
    jump = client.get("/search/", {"q": secret.number})
    assert jump.status_code == 200 and f"/{secret.number}/" not in jump.content.decode()
