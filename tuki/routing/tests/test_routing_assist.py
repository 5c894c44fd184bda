"""A routing rule may send the work to Assist's suggested group, only past the threshold."""

from __future__ import annotations

import pytest

from tuki.assist import services as assist
from tuki.assist.models import Kind as AssistKind, Outcome, Suggestion
from tuki.conftest import Desk
from tuki.routing import services
from tuki.routing.models import RoutingRule
from tuki.tickets import reasons, services as tickets
from tuki.tickets.models import Channel, EventAction, ResolutionCode, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _resolved(desk: Desk, title: str, group: object) -> None:
    ticket = tickets.create_ticket(
        desk.operator, title=title, requester=desk.requester, channel=Channel.PHONE
    )
    ticket = tickets.escalate_ticket(desk.operator, ticket, group=group, reason="theirs")
    tickets.resolve_ticket(desk.admin, ticket, code=ResolutionCode.values[0])


@pytest.fixture
def model(desk: Desk) -> float:
    """A group model that sends VPN calls to Network Helsinki; its confidence for one."""
    for _round in range(3):
        for title in ("VPN drops", "VPN 809 error"):
            _resolved(desk, title, desk.network_hel)
        for title in ("Payroll crashes", "Invoice app error"):
            _resolved(desk, title, desk.apps)
    assist.train(AssistKind.GROUP)
    suggested = assist.suggest({"title": "VPN drops again"}, AssistKind.GROUP)
    assert suggested is not None and suggested.value == str(desk.network_hel.pk)
    return suggested.confidence


def _new(desk: Desk) -> Ticket:
    return tickets.create_ticket(desk.operator, title="VPN drops again", requester=desk.colleague)


def _rule(desk: Desk, *, use_assist: bool = True) -> RoutingRule:
    return services.create_rule(desk.admin, name="All", group=desk.apps, use_assist=use_assist)


def test_a_confident_suggestion_routes_the_work_and_says_why(desk: Desk, model: float) -> None:
    assist.set_routing_threshold(round(model - 0.05, 2))
    _rule(desk)
    ticket = _new(desk)
    assert services.route_new_ticket(ticket.pk) == f"routed to {desk.network_hel.pk}"
    ticket.refresh_from_db()
    assert ticket.group == desk.network_hel and ticket.owner_group == desk.service_desk
    event = TicketEvent.objects.filter(ticket=ticket, action=EventAction.ESCALATED).get()
    percent = int(model * 100)
    assert event.reason == reasons.english(reasons.ROUTING_ASSIST, name="All", percent=percent)
    assert f"{percent} percent confident" in reasons.shown(event.reason)
    logged = Suggestion.objects.get(ticket=ticket)
    assert logged.kind == AssistKind.GROUP and logged.value == str(desk.network_hel.pk)
    assert logged.outcome == Outcome.PENDING  # a rule acted; no person decided


def test_below_the_threshold_the_rule_s_own_group_gets_the_work(desk: Desk, model: float) -> None:
    assist.set_routing_threshold(min(1.0, round(model + 0.05, 2)))
    _rule(desk)
    ticket = _new(desk)
    assert services.route_new_ticket(ticket.pk) == f"routed to {desk.apps.pk}"
    assert not Suggestion.objects.exists()


def test_without_a_threshold_assist_never_routes(desk: Desk, model: float) -> None:
    _rule(desk)
    assert services.route_new_ticket(_new(desk).pk) == f"routed to {desk.apps.pk}"


def test_a_rule_that_does_not_ask_for_assist_ignores_it(desk: Desk, model: float) -> None:
    assist.set_routing_threshold(0.0)
    _rule(desk, use_assist=False)
    assert services.route_new_ticket(_new(desk).pk) == f"routed to {desk.apps.pk}"


def test_the_rule_form_offers_assist(desk: Desk) -> None:
    client = desk.client_for(desk.admin)
    html = client.get("/routing/rules/new/").content.decode()
    assert 'name="use_assist"' in html and "Assist&#x27;s suggested group first" in html
    assert "never uses Assist" in html  # no threshold set yet
    assist.set_routing_threshold(0.8)
    assert "at least 80 % confident" in client.get("/routing/rules/new/").content.decode()
    data = {"name": "Assist first", "group": desk.apps.pk, "use_assist": "on", "is_active": "on"}
    assert client.post("/routing/rules/new/", data).status_code == 302
    assert RoutingRule.objects.get(name="Assist first").use_assist


def test_a_routed_suggestion_is_decided_when_its_ticket_is_settled(
    desk: Desk, model: float
) -> None:
    """Kept in the suggested group to the end: accepted. Moved elsewhere by a person before
    the resolution: rejected. Still open: pending. Running the sweep again changes nothing."""
    from tuki.assist import jobs

    assist.set_routing_threshold(round(model - 0.05, 2))
    _rule(desk)
    kept, moved, open_ = _new(desk), _new(desk), _new(desk)
    for ticket in (kept, moved, open_):
        assert services.route_new_ticket(ticket.pk) == f"routed to {desk.network_hel.pk}"
    code = ResolutionCode.values[0]
    tickets.resolve_ticket(desk.specialist, Ticket.objects.get(pk=kept.pk), code=code)
    moved = tickets.escalate_ticket(
        desk.specialist, Ticket.objects.get(pk=moved.pk), group=desk.apps, reason="payroll"
    )
    tickets.resolve_ticket(desk.admin, moved, code=code)
    assert Suggestion.objects.filter(outcome=Outcome.PENDING).count() == 3

    assert jobs.settle_due() == 2
    outcome = dict(Suggestion.objects.values_list("ticket_id", "outcome"))
    assert outcome == {
        kept.pk: Outcome.ACCEPTED,
        moved.pk: Outcome.REJECTED,
        open_.pk: Outcome.PENDING,
    }
    assert Suggestion.objects.get(ticket=kept).decided_at is not None
    assert assist.settle_routed() == (0, 0)
