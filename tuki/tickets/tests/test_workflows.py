"""The workflow editing services and their enforcement (docs/workflows.md)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets import services, workflows
from tuki.tickets.models import (
    Category,
    PriorityRule,
    Status,
    StatusTransition,
    Ticket,
)
from tuki.tickets.tests.test_custom_fields import make_field

pytestmark = pytest.mark.django_db


def _pairs(kind: str) -> set[tuple[int, int]]:
    return set(
        StatusTransition.objects.filter(kind=kind).values_list("from_status_id", "to_status_id")
    )


def test_only_admins_edit(desk: Desk) -> None:
    with pytest.raises(PermissionDenied):
        workflows.set_transitions(desk.operator, "incident", [])
    with pytest.raises(PermissionDenied):
        workflows.set_priority_matrix(desk.lead, {})


def test_removing_the_last_way_out_of_a_status_with_open_tickets_is_refused(
    desk: Desk, incident: Ticket
) -> None:
    new = Status.objects.get(key="new")
    before = _pairs("incident")
    kept = {p for p in before if p[0] != new.pk}
    with pytest.raises(workflows.StrandedTickets) as refused:
        workflows.set_transitions(desk.admin, "incident", kept)
    assert [t.pk for t in refused.value.tickets] == [incident.pk]
    assert incident.number in refused.value.message
    assert _pairs("incident") == before  # nothing half-written
    # Keeping one way out is fine.
    one = next(p for p in before if p[0] == new.pk)
    workflows.set_transitions(desk.admin, "incident", kept | {one})
    assert _pairs("incident") == kept | {one}


def test_another_kind_without_tickets_may_lose_transitions(desk: Desk, incident: Ticket) -> None:
    workflows.set_transitions(desk.admin, "problem", [])
    assert _pairs("problem") == set()


def test_a_status_in_use_is_retired_not_deleted(desk: Desk, incident: Ticket) -> None:
    new = Status.objects.get(key="new")
    with pytest.raises(ServiceError) as refused:
        workflows.delete_status(desk.admin, new)
    assert refused.value.field == "status"
    workflows.set_status_retired(desk.admin, new, True)
    assert Status.objects.get(pk=new.pk).is_retired
    unused = workflows.save_status(
        desk.admin,
        None,
        key="on_hold",
        name="On hold",
        names={"fi": "Pidossa"},
        category="pending",
        order=45,
    )
    assert unused.names == {"fi": "Pidossa"}
    workflows.delete_status(desk.admin, unused)
    assert not Status.objects.filter(key="on_hold").exists()


def test_status_input_errors_name_the_field(desk: Desk) -> None:
    for kwargs, field in (
        ({"key": "Bad Key", "name": "X"}, "key"),
        ({"key": "new", "name": "X"}, "key"),
        ({"key": "ok", "name": " "}, "name"),
    ):
        with pytest.raises(ServiceError) as refused:
            workflows.save_status(
                desk.admin,
                None,
                names={},
                category="open",
                order=1,
                **kwargs,  # type: ignore[arg-type]
            )
        assert refused.value.field == field


def test_transition_roles_are_enforced(desk: Desk, escalated: Ticket) -> None:
    assigned = escalated.status
    in_progress = Status.objects.get(key="in_progress")
    transition = StatusTransition.objects.get(
        kind="incident", from_status=assigned, to_status=in_progress
    )
    workflows.update_transition_rules(desk.admin, transition, roles=["manager"], required_fields=[])
    with pytest.raises(ServiceError) as refused:
        services.change_status(desk.specialist, escalated, "in_progress")
    assert refused.value.field == "status"
    assert refused.value.code == "transition_role"
    services.change_status(desk.lead, escalated, "in_progress")
    assert Ticket.objects.get(pk=escalated.pk).status.key == "in_progress"


def test_required_fields_are_enforced(desk: Desk, escalated: Ticket) -> None:
    make_field("site")
    transition = StatusTransition.objects.get(
        kind="incident", from_status=escalated.status, to_status__key="in_progress"
    )
    workflows.update_transition_rules(
        desk.admin, transition, roles=[], required_fields=["assignee", "custom.site"]
    )
    with pytest.raises(ServiceError) as refused:
        services.change_status(desk.specialist, escalated, "in_progress")
    assert refused.value.code == "transition_fields"
    assert "assignee" in refused.value.message and "site" in refused.value.message
    with pytest.raises(ServiceError) as bad:
        workflows.update_transition_rules(
            desk.admin, transition, roles=[], required_fields=["colour"]
        )
    assert bad.value.field == "required_fields"
    with pytest.raises(ServiceError) as unknown:
        workflows.update_transition_rules(
            desk.admin, transition, roles=[], required_fields=["custom.nowhere"]
        )
    assert unknown.value.code == "unknown_field"


def test_resolving_fills_a_required_resolution(desk: Desk, escalated: Ticket) -> None:
    for transition in StatusTransition.objects.filter(kind="incident", to_status__key="resolved"):
        workflows.update_transition_rules(
            desk.admin, transition, roles=[], required_fields=["resolution", "resolution_code"]
        )
    services.resolve_ticket(desk.specialist, escalated, code="solved", resolution="Rebooted")
    assert Ticket.objects.get(pk=escalated.pk).status.key == "resolved"


def test_priority_matrix(desk: Desk) -> None:
    workflows.set_priority_matrix(desk.admin, {(1, 1): 2})
    assert PriorityRule.objects.get(impact=1, urgency=1).priority == 2
    with pytest.raises(ServiceError) as refused:
        workflows.set_priority_matrix(desk.admin, {(1, 1): 9})
    assert refused.value.field == "cell_1_1"


def test_categories_move_rename_and_refuse_cycles(desk: Desk) -> None:
    network = desk.vpn.parent
    with pytest.raises(ServiceError) as refused:
        workflows.save_category(
            desk.admin,
            network,
            name="Network",
            names={},
            parent=desk.vpn,
            default_group=None,
            is_active=True,
        )
    assert refused.value.field == "parent"
    hardware = workflows.save_category(
        desk.admin,
        None,
        name="Hardware",
        names={"fi": "Laitteet"},
        parent=None,
        default_group=None,
        is_active=True,
    )
    workflows.save_category(
        desk.admin,
        desk.vpn,
        name="VPN",
        names={"fi": "VPN-yhteys"},
        parent=hardware,
        default_group=desk.network_hel,
        is_active=False,
    )
    vpn = Category.objects.get(pk=desk.vpn.pk)
    assert vpn.path == "Hardware › VPN"
    assert vpn.display_path("fi") == "Laitteet › VPN-yhteys"
    assert not vpn.is_active
    with pytest.raises(ServiceError) as taken:
        workflows.save_category(
            desk.admin,
            None,
            name="VPN",
            names={},
            parent=hardware,
            default_group=None,
            is_active=True,
        )
    assert taken.value.field == "name"
