"""Reply drafts (tuki/assist/drafts.py): copied from similar resolved tickets and articles the
agent may see, on the ticket page for agents, and the local model's panel for administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from tuki.accounts.models import SupportGroup
from tuki.conftest import Desk
from tuki.knowledge import services as knowledge
from tuki.knowledge.models import State
from tuki.lib.testing import assert_same_count, query_budget
from tuki.tickets import services as tickets
from tuki.tickets.models import Channel, Ticket

FIX = "Renewed the client certificate and restarted the tunnel."
ARTICLE = "# Before you call\n\nCheck the tunnel's certificate first.\n\nThen the client."
SECRET = "Rebooted the core switch in the Helsinki server room."


def _ticket(desk: Desk, title: str, group: SupportGroup, resolution: str = "") -> Ticket:
    ticket = tickets.create_ticket(
        desk.operator,
        title=title,
        description="It happens every morning.",
        requester=desk.requester,
        channel=Channel.PHONE,
        category=desk.vpn,
        group=group,
    )
    if resolution:
        ticket = tickets.resolve_ticket(desk.admin, ticket, code="solved", resolution=resolution)
    return ticket


@pytest.fixture
def current(desk: Desk, django_capture_on_commit_callbacks: Any) -> Ticket:
    """An open ticket of the Applications group, a resolved one like it there, one in the
    Network group (Applications may not see it) and a published article."""
    with django_capture_on_commit_callbacks(execute=True):
        _ticket(desk, "Payroll VPN tunnel drops", desk.apps, resolution=FIX)
        _ticket(desk, "Payroll VPN tunnel drops hourly", desk.network_hel, resolution=SECRET)
        _ticket(desk, "Printer out of toner", desk.apps, resolution="New toner.")
        article = knowledge.create_article(
            desk.operator, title="Payroll tunnel checklist", body=ARTICLE
        )
        knowledge.set_state(desk.operator, article, State.REVIEW)
        knowledge.set_state(desk.operator, article, State.PUBLISHED)
        return _ticket(desk, "Payroll VPN tunnel drops again", desk.apps)


def _drafts(client: Client, ticket: Ticket) -> Any:
    return client.get(f"/assist/tickets/{ticket.number}/drafts/")


def test_drafts_come_from_a_similar_resolved_ticket_and_an_article(
    desk: Desk, current: Ticket
) -> None:
    response = _drafts(desk.client_for(desk.other_agent), current)
    html = response.content.decode()
    assert response.status_code == 200
    assert FIX in html and "Check the tunnel&#x27;s certificate first." in html
    assert "data-kb-insert=" in html and "From a resolved ticket" in html
    assert "New toner." not in html  # not similar
    assert "Before you call" not in html  # the article's first paragraph, not its heading


def test_a_resolved_ticket_the_agent_may_not_see_never_contributes(
    desk: Desk, current: Ticket
) -> None:
    assert not Ticket.objects.visible_to(desk.other_agent).filter(title__endswith="hourly")
    html = _drafts(desk.client_for(desk.other_agent), current).content.decode()
    assert SECRET not in html and "hourly" not in html
    # The operator may see it, and gets it.
    assert SECRET in _drafts(desk.client_for(desk.operator), current).content.decode()


def test_the_ticket_page_loads_the_section_for_agents(desk: Desk, current: Ticket) -> None:
    page = desk.client_for(desk.other_agent).get(current.get_absolute_url()).content.decode()
    assert f"/assist/tickets/{current.number}/drafts/" in page


@pytest.mark.parametrize("role", ["requester", "outsider"])
def test_requesters_get_a_404(desk: Desk, current: Ticket, role: str) -> None:
    response = _drafts(desk.client_for(getattr(desk, role)), current)
    assert response.status_code == 404


def test_an_anonymous_visitor_signs_in_first(desk: Desk, current: Ticket) -> None:
    response = _drafts(Client(), current)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert FIX.encode() not in response.content


def test_an_unknown_or_invisible_ticket_is_a_404(desk: Desk, current: Ticket) -> None:
    client = desk.client_for(desk.other_agent)
    assert client.get("/assist/tickets/INC-99999999/drafts/").status_code == 404
    assert client.get("/assist/tickets/nonsense%00/drafts/").status_code == 404
    hidden = Ticket.objects.get(title__endswith="hourly")
    assert _drafts(client, hidden).status_code == 404


def test_a_resolved_ticket_gets_no_drafts(desk: Desk, current: Ticket) -> None:
    done = Ticket.objects.get(title="Payroll VPN tunnel drops")
    html = _drafts(desk.client_for(desk.admin), done).content.decode()
    assert "drafts-section" not in html


def test_the_drafts_keep_to_a_fixed_query_budget(
    desk: Desk, current: Ticket, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # PostgreSQL's search plans its reads from pg_stats, read once per 10 minutes: pinned
    # here (no common word), so that a refresh between the two counts cannot differ them.
    from tuki.search.backends import postgres

    monkeypatch.setitem(postgres._stats, "at", float("inf"))
    monkeypatch.setitem(postgres._stats, "shares", {})
    client = desk.client_for(desk.other_agent)
    _drafts(client, current)  # the session and caches warmed
    with query_budget(BUDGET) as few:
        assert _drafts(client, current).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            _ticket(desk, f"Payroll VPN tunnel drops {n}", desk.apps, resolution=f"Fix {n}.")
    with query_budget(BUDGET) as many:
        assert _drafts(client, current).status_code == 200
    assert_same_count(few, many)


# The session, the user, their groups, the ticket; the category family (3); the resolved
# statuses and the candidates (2); the article search (3 with its savepoint on SQLite; on
# PostgreSQL up to 5: its savepoint and up to three reads, as search/backends/postgres.py
# plans them from pg_stats, which other tests' rows change: the table-order window when the
# words are common, the exact stems, the prefixes), the articles and their translations.
BUDGET = 17


def test_administrators_see_that_the_local_model_is_off(desk: Desk) -> None:
    html = desk.client_for(desk.admin).get("/assist/accuracy/").content.decode()
    assert 'id="assist-llm-off"' in html and "assist-llm-payload" not in html


@override_settings(ASSIST_LLM_URL="http://10.0.0.5:8080/v1/chat/completions")
def test_administrators_see_what_the_local_model_would_be_sent(desk: Desk) -> None:
    html = desk.client_for(desk.admin).get("/assist/accuracy/").content.decode()
    assert "http://10.0.0.5:8080/v1/chat/completions" in html
    assert "assist-llm-payload" in html and "&lt;the ticket&#x27;s title&gt;" in html
    assert "&quot;model&quot;: &quot;local&quot;" in html
