"""apply_macro: note, reply, actions, refusals, all or nothing; macros_for visibility."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.macros import services
from tuki.macros.models import Macro, Scope
from tuki.tickets import services as ticket_services
from tuki.tickets.models import ActorKind, Comment, Ticket, TicketEvent


def _macro(owner, **data) -> Macro:
    data.setdefault("name", "Macro")
    return services.create_macro(owner, **data)


def test_a_public_reply_macro_posts_the_rendered_text(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.operator, body="Hello {{requester.first_name}}, about {{ticket.number}}.")
    comment = services.apply_macro(desk.operator, incident, macro)
    assert comment is not None and not comment.is_internal
    assert comment.body == f"Hello Maija, about {incident.number}."
    assert comment.author == desk.operator


def test_extra_text_follows_the_macro_text(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.operator, body="Hello {{requester.first_name}},")
    comment = services.apply_macro(desk.operator, incident, macro, extra_text="  More.  ")
    assert comment is not None and comment.body == "Hello Maija,\n\nMore."


def test_a_note_macro_posts_an_internal_note(desk: Desk, escalated: Ticket) -> None:
    macro = _macro(desk.specialist, body="Checked the tunnel logs.", internal=True)
    comment = services.apply_macro(desk.specialist, escalated, macro)
    assert comment is not None and comment.is_internal


def test_actions_change_the_ticket_through_the_services(desk: Desk, incident: Ticket) -> None:
    macro = _macro(
        desk.operator,
        body="",
        actions=[
            {"type": "set_field", "field": "priority", "value": 1},
            {"type": "add_tags", "tags": ["VPN", "callback"]},
            {"type": "assign", "group": desk.network_hel.pk, "agent": desk.specialist.pk},
            {"type": "set_status", "status": "in_progress"},
        ],
    )
    assert services.apply_macro(desk.operator, incident, macro) is None
    incident = Ticket.objects.get(pk=incident.pk)
    assert incident.priority == 1 and (incident.impact, incident.urgency) == (1, 1)
    assert sorted(t.name for t in incident.tags.all()) == ["callback", "vpn"]
    assert incident.group == desk.network_hel and incident.assignee == desk.specialist
    assert incident.status.key == "in_progress"
    fields = set(incident.events.values_list("field", flat=True))
    assert {"priority", "tags", "group", "assignee", "status"} <= fields


def test_set_field_category_impact_urgency(desk: Desk, incident: Ticket) -> None:
    from tuki.tickets.models import Category

    other = Category.objects.create(name="Printers")
    macro = _macro(
        desk.operator,
        actions=[
            {"type": "set_field", "field": "category", "value": other.pk},
            {"type": "set_field", "field": "impact", "value": 3},
            {"type": "set_field", "field": "urgency", "value": "3"},
        ],
    )
    services.apply_macro(desk.operator, incident, macro)
    incident = Ticket.objects.get(pk=incident.pk)
    assert (incident.category, incident.impact, incident.urgency) == (other, 3, 3)


def test_a_public_reply_macro_is_refused_for_a_group_that_may_not_write(
    desk: Desk, escalated: Ticket
) -> None:
    macro = _macro(
        desk.specialist, body="Dear customer", actions=[{"type": "add_tags", "tags": ["x"]}]
    )
    before = Comment.objects.count(), TicketEvent.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.apply_macro(desk.specialist, escalated, macro)
    assert caught.value.code == "no_public_reply"
    assert "may not write to requesters" in caught.value.message
    assert (Comment.objects.count(), TicketEvent.objects.count()) == before
    assert not escalated.tags.exists()


def test_nothing_is_written_when_an_action_fails(desk: Desk, incident: Ticket) -> None:
    macro = _macro(
        desk.operator,
        body="We are on it.",
        actions=[
            {"type": "add_tags", "tags": ["half"]},
            {"type": "set_status", "status": "closed"},  # new → closed is not in the workflow
        ],
    )
    before = Comment.objects.count(), TicketEvent.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.apply_macro(desk.operator, incident, macro)
    assert caught.value.code == "transition_not_allowed"
    assert (Comment.objects.count(), TicketEvent.objects.count()) == before
    assert not Ticket.objects.get(pk=incident.pk).tags.exists()


def test_a_rule_applies_a_macro_as_the_rule(desk: Desk, escalated: Ticket) -> None:
    macro = _macro(desk.admin, name="Ack", scope=Scope.GLOBAL, body="Hi {{agent.name}}")
    with ticket_services.acting_as(ActorKind.RULE, "Acknowledge", rule_id=None, depth=1):
        comment = services.apply_macro(None, escalated, macro)
    assert comment is not None and comment.body == "Hi Service Desk" and comment.author is None
    event = escalated.events.get(comment=comment)
    assert event.actor_kind == ActorKind.RULE and event.reason == "Acknowledge"


def test_someone_elses_personal_macro_cannot_be_applied(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.lead, body="Mine", internal=True)
    with pytest.raises(PermissionDenied):
        services.apply_macro(desk.operator, incident, macro)


def test_an_inactive_macro_cannot_be_applied(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.operator, body="Old", is_active=False)
    with pytest.raises(PermissionDenied):
        services.apply_macro(desk.operator, incident, macro)


def test_a_macro_for_other_kinds_is_refused(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.operator, body="Change!", kinds=["change"])
    with pytest.raises(ServiceError) as caught:
        services.apply_macro(desk.operator, incident, macro)
    assert caught.value.field == "macro"


def test_macros_for_is_personal_plus_groups_plus_global(desk: Desk) -> None:
    mine = _macro(desk.specialist, name="Mine", body="a", internal=True)
    _macro(desk.operator, name="Operator's", body="b")
    network = _macro(desk.lead, name="Network", scope=Scope.GROUP, group=desk.network_hel, body="c")
    _macro(desk.admin, name="Apps", scope=Scope.GROUP, group=desk.apps, body="d")
    everyone = _macro(desk.admin, name="Everyone", scope=Scope.GLOBAL, body="e")
    _macro(desk.admin, name="Retired", scope=Scope.GLOBAL, body="f", is_active=False)
    assert set(services.macros_for(desk.specialist)) == {mine, network, everyone}
    assert set(services.macros_for(desk.other_agent)) == {everyone} | set(
        Macro.objects.filter(name="Apps")
    )
    assert not services.macros_for(desk.requester).exists()


def test_only_managers_and_admins_share_with_a_group(desk: Desk) -> None:
    with pytest.raises(ServiceError) as caught:
        _macro(desk.specialist, scope=Scope.GROUP, group=desk.network_hel, body="x")
    assert caught.value.field == "group"
    with pytest.raises(ServiceError) as caught:
        _macro(desk.lead, scope=Scope.GROUP, group=desk.apps, body="x")
    assert caught.value.field == "group"
    with pytest.raises(ServiceError) as caught:
        _macro(desk.lead, scope=Scope.GLOBAL, body="x")
    assert caught.value.field == "scope"
    assert not Macro.objects.exists()


def test_requesters_cannot_make_macros(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        _macro(desk.requester, body="x")


@pytest.mark.parametrize(
    ("actions", "field"),
    [
        ("nope", "actions"),
        (["nope"], "actions.0"),
        ([{"type": "delete_ticket"}], "actions.0.type"),
        ([{"type": "set_status", "status": "vanished"}], "actions.0.status"),
        ([{"type": "set_field", "field": "title", "value": "x"}], "actions.0.field"),
        ([{"type": "set_field", "field": "priority", "value": 9}], "actions.0.value"),
        ([{"type": "set_field", "field": "impact", "value": "high"}], "actions.0.value"),
        ([{"type": "set_field", "field": "category", "value": 999999}], "actions.0.value"),
        ([{"type": "add_tags", "tags": "vpn"}], "actions.0.tags"),
        ([{"type": "add_tags", "tags": []}], "actions.0.tags"),
        ([{"type": "assign"}], "actions.0.group"),
        ([{"type": "assign", "group": 999999}], "actions.0.group"),
        (
            [{"type": "add_tags", "tags": ["ok"]}, {"type": "assign", "agent": True}],
            "actions.1.agent",
        ),
    ],
)
def test_bad_actions_are_refused_with_their_path(desk: Desk, actions, field) -> None:
    with pytest.raises(ServiceError) as caught:
        _macro(desk.operator, body="x", actions=actions)
    assert caught.value.field == field
    assert not Macro.objects.exists()


def test_an_agent_outside_the_group_is_refused(desk: Desk) -> None:
    with pytest.raises(ServiceError) as caught:
        _macro(
            desk.operator,
            actions=[{"type": "assign", "group": desk.apps.pk, "agent": desk.specialist.pk}],
        )
    assert caught.value.field == "actions.0.agent"


def test_a_macro_needs_text_or_actions(desk: Desk) -> None:
    with pytest.raises(ServiceError) as caught:
        _macro(desk.operator, body="   ")
    assert caught.value.field == "body"


def test_update_and_delete_follow_who_may_edit(desk: Desk) -> None:
    network = _macro(desk.lead, name="Network", scope=Scope.GROUP, group=desk.network_hel, body="c")
    with pytest.raises(PermissionDenied):
        services.update_macro(desk.specialist, network, name="Hijacked")
    updated = services.update_macro(desk.admin, network, name="Network v2")
    assert updated.name == "Network v2" and updated.group == desk.network_hel
    with pytest.raises(PermissionDenied):
        services.delete_macro(desk.operator, network)
    services.delete_macro(desk.lead, network)
    assert not Macro.objects.exists()


def test_a_rule_cannot_run_a_switched_off_macro(desk: Desk, incident: Ticket) -> None:
    macro = _macro(desk.admin, scope=Scope.GLOBAL, body="Old", is_active=False)
    with pytest.raises(ServiceError) as caught:
        services.apply_macro(None, incident, macro)
    assert caught.value.code == "inactive"
