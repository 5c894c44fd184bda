import pytest
from django.core.exceptions import PermissionDenied

from tuki.approvals.models import Approval, ApprovalTemplate
from tuki.catalogue import services
from tuki.catalogue.models import CatalogueOrder, FulfilmentTask
from tuki.lib.errors import ServiceError, ServiceErrors
from tuki.tickets.models import Ticket


def fields_of(exc):
    return sorted(e.field for e in getattr(exc, "errors", [exc]))


def test_an_order_files_a_ticket_with_its_answers_tasks_and_group(desk, laptop):
    ticket = services.order_item(
        desk.requester,
        laptop.item,
        desk.requester,
        {"laptop_model": "x1", "docking": True, "monitor_count": "2"},
    )
    assert ticket.kind == "request"
    assert ticket.category == laptop.category
    assert ticket.group == desk.network_hel
    assert ticket.custom == {"laptop_model": "x1", "docking": True, "monitor_count": 2}
    assert "ThinkPad X1" in ticket.description
    assert CatalogueOrder.objects.get(ticket=ticket).item == laptop.item
    tasks = list(FulfilmentTask.objects.filter(ticket=ticket))
    assert [(t.title, t.group) for t in tasks] == [
        ("Prepare the laptop", desk.network_hel),
        ("Hand it over", None),
    ]


def test_a_hidden_field_s_value_is_dropped(desk, laptop):
    ticket = services.order_item(
        desk.requester,
        laptop.item,
        desk.requester,
        {"laptop_model": "mac", "docking": False, "monitor_count": "99"},
    )
    assert "monitor_count" not in ticket.custom


def test_a_field_is_required_only_when_shown(desk, laptop):
    with pytest.raises(ServiceErrors) as caught:
        services.order_item(
            desk.requester, laptop.item, desk.requester, {"laptop_model": "x1", "docking": True}
        )
    assert fields_of(caught.value) == ["custom.monitor_count"]


def test_bad_values_are_each_a_field_error_and_nothing_is_written(desk, laptop):
    before = Ticket.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.order_item(
            desk.requester,
            laptop.item,
            desk.requester,
            {"laptop_model": "amiga", "docking": True, "monitor_count": "9", "other": 1},
        )
    assert fields_of(caught.value) == [
        "custom.laptop_model",
        "custom.monitor_count",
        "custom.other",
    ]
    assert Ticket.objects.count() == before
    assert not FulfilmentTask.objects.exists()


def test_a_failure_after_the_ticket_leaves_nothing(desk, laptop, monkeypatch):
    def boom(*args, **kwargs):
        raise ServiceError("no", field="ticket")

    monkeypatch.setattr(services.approvals, "request_approval", boom)
    laptop.item.approval_template = ApprovalTemplate.objects.create(
        name="Manager", steps=[{"rule": "any", "users": [desk.lead.pk], "group": None}]
    )
    laptop.item.save()
    with pytest.raises(ServiceError):
        services.order_item(desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"})
    assert not Ticket.objects.exists()
    assert not CatalogueOrder.objects.exists()


def test_an_item_s_approval_is_started(desk, laptop):
    template = ApprovalTemplate.objects.create(
        name="Manager", steps=[{"rule": "any", "users": [desk.lead.pk], "group": None}]
    )
    services.save_item(desk.admin, laptop.item, {"approval_template": template})
    ticket = services.order_item(
        desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"}
    )
    approval = Approval.objects.get(ticket=ticket)
    assert approval.template == template
    assert approval.state == "pending"


def test_the_audience_limits_who_may_order(desk, laptop):
    services.save_item(desk.admin, laptop.item, {"organisations": [desk.acme]})
    with pytest.raises(ServiceError) as caught:
        services.order_item(desk.outsider, laptop.item, desk.outsider, {"laptop_model": "x1"})
    assert caught.value.field == "requester"
    assert services.order_item(desk.colleague, laptop.item, desk.colleague, {"laptop_model": "x1"})


def test_a_support_group_in_the_audience_lets_its_members_order(desk, laptop):
    services.save_item(desk.admin, laptop.item, {"groups": [desk.apps]})
    services.order_item(desk.other_agent, laptop.item, desk.other_agent, {"laptop_model": "x1"})
    with pytest.raises(ServiceError):
        services.order_item(desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"})


def test_an_agent_orders_for_a_caller_but_a_requester_only_for_themselves(desk, laptop):
    ticket = services.order_item(
        desk.operator, laptop.item, desk.requester, {"laptop_model": "x1"}, channel="phone"
    )
    assert ticket.requester == desk.requester
    assert ticket.channel == "phone"
    with pytest.raises(PermissionDenied):
        services.order_item(desk.colleague, laptop.item, desk.requester, {"laptop_model": "x1"})


def test_an_inactive_item_cannot_be_ordered(desk, laptop):
    services.save_item(desk.admin, laptop.item, {"is_active": False})
    with pytest.raises(ServiceError):
        services.order_item(desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"})


def test_tasks_are_ticked_by_the_fulfilling_agents_only(desk, laptop):
    ticket = services.order_item(
        desk.requester, laptop.item, desk.requester, {"laptop_model": "x1"}
    )
    task = ticket.fulfilment_tasks.first()
    with pytest.raises(PermissionDenied):
        services.complete_task(desk.other_agent, task)
    with pytest.raises(PermissionDenied):
        services.complete_task(desk.requester, task)
    task = services.complete_task(desk.specialist, task)
    assert task.done_by == desk.specialist and task.done_at
    task = services.reopen_task(desk.specialist, task)
    assert task.done_at is None and task.done_by is None


def test_only_administrators_shape_the_catalogue(desk, laptop):
    with pytest.raises(PermissionDenied):
        services.save_item(desk.operator, laptop.item, {"name": "Mine"})
    with pytest.raises(PermissionDenied):
        services.set_form(desk.lead, laptop.item, [])


def test_a_condition_on_an_unknown_field_is_refused(desk, laptop):
    with pytest.raises(ServiceError) as caught:
        services.set_form(
            desk.admin,
            laptop.item,
            [
                {
                    "field": laptop.model,
                    "condition": {"all": [{"field": "nope", "op": "empty"}]},
                }
            ],
        )
    assert caught.value.field == "condition"
    assert laptop.item.fields.count() == 3
