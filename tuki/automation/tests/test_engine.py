"""The rules engine: triggers, conditions, actions, order, stop, loops and depth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tuki.automation import services
from tuki.automation.models import Rule, RuleRun
from tuki.conftest import Desk
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Ticket, TicketEvent

Commit = Callable[[], Any]


def make_rule(desk: Desk, **data: Any) -> Rule:
    data.setdefault("name", "Rule")
    data.setdefault("trigger", "event")
    if data["trigger"] == "event":
        data.setdefault("events", ["created"])
    data.setdefault("conditions", {"match": "all", "items": []})
    return services.create_rule(desk.admin, **data)


def new_ticket(desk: Desk, committed: Any, **extra: Any) -> Ticket:
    extra.setdefault("title", "Printer on fire")
    extra.setdefault("requester", desk.requester)
    with committed():
        ticket = tickets.create_ticket(desk.operator, **extra)
    return Ticket.objects.with_related().get(pk=ticket.pk)


def tags_of(ticket: Ticket) -> set[str]:
    return {t.name for t in ticket.tags.all()}


def test_a_rule_acts_on_a_new_ticket_in_the_rules_name(desk: Desk, committed: Any) -> None:
    rule = make_rule(
        desk,
        name="Tag urgent VPN",
        conditions={"match": "all", "items": [{"field": "priority", "op": "lte", "value": 2}]},
        actions=[
            {"type": "add_tags", "tags": ["urgent"]},
            {"type": "add_note", "body": "Hurry {{ticket.number}}"},
        ],
    )
    ticket = new_ticket(desk, committed, impact=1, urgency=1)
    assert tags_of(ticket) == {"urgent"}
    assert ticket.comments.get().body == f"Hurry {ticket.number}"
    events = TicketEvent.objects.filter(ticket=ticket, actor_kind=ActorKind.RULE)
    assert {e.action for e in events} == {"field", "note"}
    assert {e.reason for e in events} == {"Tag urgent VPN"}
    assert {e.rule_id for e in events} == {rule.pk}
    run = RuleRun.objects.get()
    assert run.ok and run.rule == rule and run.event.action == "created"
    assert run.trigger == "created"  # a key of catalogue.EVENTS
    assert len(run.changes) == 2


# --- triggers -----------------------------------------------------------------------------------


def test_changed_from_and_to_watch_the_events_of_the_call(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    make_rule(
        desk,
        name="Waiting on the customer",
        events=["status_changed"],
        conditions={
            "match": "all",
            "items": [
                {"field": "status", "op": "changed_from", "value": "new"},
                {"field": "status", "op": "changed_to", "value": "pending_customer"},
            ],
        },
        actions=[{"type": "add_tags", "tags": ["waiting"]}],
    )
    make_rule(
        desk,
        name="Any group change",
        events=["updated"],
        conditions={"match": "all", "items": [{"field": "group", "op": "changed"}]},
        actions=[{"type": "add_tags", "tags": ["moved"]}],
    )
    with committed():
        tickets.change_status(desk.operator, incident, "in_progress")
    assert tags_of(incident) == set()
    with committed():
        tickets.change_status(desk.operator, incident, "pending_customer")
    assert tags_of(incident) == set()  # from in_progress, not from new
    other = new_ticket(desk, committed)
    with committed():
        tickets.change_status(desk.operator, other, "pending_customer")
    assert tags_of(other) == {"waiting"}
    with committed():
        tickets.escalate_ticket(desk.operator, other, group=desk.apps)
    assert tags_of(other) == {"waiting", "moved"}


def test_reply_note_and_email_triggers(desk: Desk, committed: Any, incident: Ticket) -> None:
    make_rule(
        desk, name="On reply", events=["reply"], actions=[{"type": "add_tags", "tags": ["replied"]}]
    )
    make_rule(
        desk, name="On note", events=["note"], actions=[{"type": "add_tags", "tags": ["noted"]}]
    )
    make_rule(
        desk,
        name="On mail",
        events=["email_received"],
        actions=[{"type": "add_tags", "tags": ["mailed"]}],
    )
    with committed():
        tickets.add_comment(desk.operator, incident, "Looking", internal=True)
    assert tags_of(incident) == {"noted"}
    with committed():
        tickets.add_comment(desk.requester, incident, "Thanks", channel="email")
    assert tags_of(incident) == {"noted", "replied", "mailed"}
    by_mail = new_ticket(desk, committed, channel="email")
    assert tags_of(by_mail) == {"mailed"}


def test_sla_warning_and_breach_triggers(desk: Desk, committed: Any, incident: Ticket) -> None:
    from django.db import transaction

    make_rule(
        desk,
        name="Warned",
        events=["sla_warning"],
        actions=[{"type": "add_tags", "tags": ["warned"]}],
    )
    make_rule(
        desk, name="Breached", events=["sla_breach"], actions=[{"type": "escalate_to_manager"}]
    )
    tickets.escalate_ticket(desk.operator, incident, group=desk.network_hel)
    with committed(), transaction.atomic():
        tickets.record_sla_event(incident, "sla_warning", field="resolution", new="75")
    assert tags_of(incident) == {"warned"}
    with committed(), transaction.atomic():
        tickets.record_sla_event(incident, "sla_breached", field="resolution", new="100")
    incident.refresh_from_db()
    assert incident.escalated_to == desk.lead
    event = TicketEvent.objects.get(ticket=incident, action="escalated_manager")
    assert event.reason == "Breached" and event.actor_kind == ActorKind.RULE
    assert RuleRun.objects.get(rule__name="Breached").trigger == "sla_breach"


def test_kinds_limit_a_rule(desk: Desk, committed: Any) -> None:
    make_rule(
        desk,
        name="Requests only",
        kinds=["request"],
        actions=[{"type": "add_tags", "tags": ["req"]}],
    )
    assert tags_of(new_ticket(desk, committed)) == set()
    assert tags_of(new_ticket(desk, committed, kind="request")) == {"req"}


def test_inactive_rules_do_nothing(desk: Desk, committed: Any) -> None:
    make_rule(desk, name="Off", is_active=False, actions=[{"type": "add_tags", "tags": ["x"]}])
    assert tags_of(new_ticket(desk, committed)) == set()


def test_one_pass_per_service_call_not_per_event(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    make_rule(
        desk,
        name="Count updates",
        events=["updated", "status_changed"],
        actions=[{"type": "add_note", "body": "seen"}],
    )
    with committed():
        tickets.take_ticket(desk.operator, incident)  # assigned + status: two events, one call
    assert RuleRun.objects.filter(rule__name="Count updates").count() == 1
    assert incident.comments.count() == 1


# --- order, stop, loops, depth ---------------------------------------------------------------------


def test_rules_run_by_position_then_id_and_stop_ends_the_pass(desk: Desk, committed: Any) -> None:
    late = make_rule(desk, name="Late", position=50, actions=[{"type": "add_note", "body": "late"}])
    early = make_rule(
        desk, name="Early", position=10, actions=[{"type": "add_note", "body": "early"}]
    )
    same = make_rule(
        desk, name="Same place", position=50, actions=[{"type": "add_note", "body": "same"}]
    )
    ticket = new_ticket(desk, committed)
    assert [c.body for c in ticket.comments.order_by("id")] == ["early", "late", "same"]
    services.update_rule(desk.admin, early, stop_processing=True)
    ticket = new_ticket(desk, committed)
    assert [c.body for c in ticket.comments.order_by("id")] == ["early"]
    services.move_rule(desk.admin, same, 5)
    services.update_rule(desk.admin, early, stop_processing=False)
    ticket = new_ticket(desk, committed)
    assert [c.body for c in ticket.comments.order_by("id")] == ["same", "early", "late"]
    assert late.runs.count() == 2


def test_two_rules_that_would_ping_pong_stop(desk: Desk, committed: Any, incident: Ticket) -> None:
    ping = make_rule(
        desk,
        name="Ping",
        events=["updated"],
        conditions={
            "match": "all",
            "items": [{"field": "tags", "op": "contains", "value": "pong"}],
        },
        actions=[{"type": "remove_tags", "tags": ["pong"]}, {"type": "add_tags", "tags": ["ping"]}],
    )
    pong = make_rule(
        desk,
        name="Pong",
        events=["updated"],
        conditions={
            "match": "all",
            "items": [{"field": "tags", "op": "contains", "value": "ping"}],
        },
        actions=[{"type": "remove_tags", "tags": ["ping"]}, {"type": "add_tags", "tags": ["pong"]}],
    )
    with committed():
        tickets.update_ticket(desk.operator, incident, tags=["pong"])
    # Ping acted on the person's change, Pong on Ping's; neither runs again in that chain.
    assert [r.rule_id for r in RuleRun.objects.order_by("id")] == [ping.pk, pong.pk]
    assert tags_of(incident) == {"pong"}


def test_a_rule_changing_what_it_matches_does_not_retrigger_itself(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    rule = make_rule(
        desk,
        name="Bump",
        events=["updated"],
        conditions={"match": "all", "items": [{"field": "impact", "op": "gt", "value": 1}]},
        actions=[
            {"type": "set_field", "field": "impact", "value": 1},
            {"type": "add_note", "body": "bumped"},
        ],
    )
    with committed():
        tickets.update_ticket(desk.operator, incident, urgency=1)
    assert rule.runs.count() == 1
    incident.refresh_from_db()
    assert incident.impact == 1 and incident.priority == 1


def test_a_chain_of_rules_stops_at_the_depth_bound(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    chain = [
        make_rule(
            desk,
            name=f"Step {n}",
            position=100 - n,  # each step acts in the pass after the previous one's
            events=["updated"],
            conditions={
                "match": "all",
                "items": [{"field": "tags", "op": "contains", "value": f"t{n}"}],
            },
            actions=[{"type": "add_tags", "tags": [f"t{n + 1}"]}],
        )
        for n in range(8)
    ]
    with committed():
        tickets.update_ticket(desk.operator, incident, tags=["t0"])
    runs = list(RuleRun.objects.order_by("id"))
    assert [r.rule_id for r in runs] == [rule.pk for rule in chain[:6]]
    assert all(r.ok for r in runs[:5]) and [r.depth for r in runs] == [1, 2, 3, 4, 5, 6]
    assert not runs[5].ok and "deep" in runs[5].error
    assert tags_of(incident) == {"t0", "t1", "t2", "t3", "t4", "t5"}


# --- run-time failures --------------------------------------------------------------------------


def test_a_vanished_group_is_an_error_on_the_run_and_nothing_half_done(
    desk: Desk, committed: Any
) -> None:
    from tuki.accounts.models import SupportGroup

    doomed = SupportGroup.objects.create(name="Doomed", tier=2)
    rule = make_rule(
        desk,
        name="To doomed",
        actions=[{"type": "add_tags", "tags": ["first"]}, {"type": "assign", "group": doomed.pk}],
    )
    doomed.delete()
    ticket = new_ticket(desk, committed)
    assert tags_of(ticket) == set()  # the first action rolled back with the second
    run = rule.runs.get()
    assert not run.ok and "no longer exists" in run.error and run.changes == []


def test_a_refused_transition_is_an_error_on_the_run(
    desk: Desk, committed: Any, incident: Ticket
) -> None:
    rule = make_rule(
        desk,
        name="Close at once",
        events=["note"],
        actions=[{"type": "set_status", "status": "closed"}],
    )
    with committed():
        tickets.add_comment(desk.operator, incident, "hm", internal=True)
    run = rule.runs.get()
    assert not run.ok and run.error


# --- a real commit (no captured callbacks) --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_real_commits_run_the_pass_and_its_consequences_breadth_first(desk: Desk) -> None:
    first = make_rule(
        desk,
        name="Escalate VPN",
        conditions={
            "match": "all",
            "items": [{"field": "title", "op": "contains", "value": "vpn"}],
        },
        actions=[{"type": "assign", "group": desk.network_hel.pk}],
    )
    second = make_rule(
        desk,
        name="Note the move",
        events=["updated"],
        conditions={
            "match": "all",
            "items": [{"field": "group", "op": "changed_to", "value": desk.network_hel.pk}],
        },
        actions=[{"type": "add_note", "body": "Moved to {{ticket.group}} by a rule"}],
    )
    ticket = tickets.create_ticket(desk.operator, title="VPN down", requester=desk.requester)
    ticket = Ticket.objects.with_related().get(pk=ticket.pk)
    assert ticket.group == desk.network_hel
    assert ticket.comments.get().body == "Moved to Network Helsinki by a rule"
    runs = list(RuleRun.objects.order_by("id"))
    assert [(r.rule_id, r.depth, r.ok) for r in runs] == [(first.pk, 1, True), (second.pk, 2, True)]
    note = TicketEvent.objects.get(ticket=ticket, action="note")
    assert (note.reason, note.rule_id, note.depth) == ("Note the move", second.pk, 2)
