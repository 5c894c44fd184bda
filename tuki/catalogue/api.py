"""The service catalogue over REST, under /api/v1/catalogue/: the items the caller may order
with their forms, ordering (422 naming each refused answer, "custom.<key>"), and the
fulfilment tasks of a ticket, ticked off by the agents who may work on it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404
from ninja import Field, Router

from tuki.accounts.models import User
from tuki.catalogue import access, services
from tuki.catalogue.models import CatalogueItem, FulfilmentTask
from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.tickets import access as ticket_access, fields as custom_fields
from tuki.tickets.models import Channel

router = Router(tags=["catalogue"])


class ItemOut(Schema):
    id: int
    name: str
    short_description: str
    category: str
    kind: str
    needs_approval: bool


class QuestionOut(Schema):
    key: str
    label: str
    type: str
    section: str
    required: bool
    condition: dict[str, Any]
    choices: list[dict[str, str]]


class ItemDetailOut(ItemOut):
    description: str
    fields: list[QuestionOut]


class OrderIn(Schema):
    values: dict[str, Any] = Field(default_factory=dict)
    requester: Id | None = Field(None, description="An agent orders for this person (id)")
    channel: Channel = Channel.WEB


class OrderOut(Schema):
    id: int
    number: str


class TaskOut(Schema):
    id: int
    title: str
    group: str | None
    position: int
    done_at: datetime | None
    done_by: str | None


def _item(item: CatalogueItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "name": item.display_name,
        "short_description": item.display_short,
        "category": item.category.display_name,
        "kind": item.kind,
        "needs_approval": item.approval_template_id is not None,
    }


@router.get("/items", response=list[ItemOut], summary="Items you may order")
def list_items(request: ApiRequest) -> list[dict[str, Any]]:
    items = access.orderable_items(request.user).order_by(
        "category__position", "category__name", "position", "name"
    )
    return [_item(item) for item in items]


@router.get("/items/{pk}", response=ItemDetailOut, summary="An item with its form")
def get_item(request: ApiRequest, pk: Id) -> dict[str, Any]:
    item = access.get_orderable_item(request.user, pk)
    questions = [
        {
            "key": q.field.key,
            "label": custom_fields.label(q.field),
            "type": q.field.type,
            "section": q.display_section,
            "required": q.required,
            "condition": q.condition or {},
            "choices": [
                {"value": v, "label": lbl} for v, lbl in custom_fields.choice_options(q.field)
            ],
        }
        for q in services.form_of(item)
    ]
    return {**_item(item), "description": item.display_description, "fields": questions}


@router.post("/items/{pk}/order", response={201: OrderOut}, summary="Order an item")
def order_item(request: ApiRequest, pk: Id, payload: OrderIn) -> tuple[int, dict[str, Any]]:
    user = request.user
    requester = user
    if payload.requester is not None and payload.requester != user.pk:
        if not access.is_agent(user):
            raise Http404("No such person")
        caller = User.objects.filter(pk=payload.requester, is_active=True).first()
        if caller is None:
            raise Http404("No such person")
        requester = caller
    item = access.get_orderable_item(requester, pk)
    ticket = services.order_item(user, item, requester, payload.values, payload.channel)
    return 201, {"id": ticket.pk, "number": ticket.number}


def _task(task: FulfilmentTask) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "group": task.group.name if task.group else None,
        "position": task.position,
        "done_at": task.done_at,
        "done_by": task.done_by.email if task.done_by else None,
    }


@router.get("/tickets/{ref}/tasks", response=list[TaskOut], summary="A ticket's fulfilment tasks")
def list_tasks(request: ApiRequest, ref: str) -> list[dict[str, Any]]:
    if not access.is_agent(request.user):
        raise Http404("No such ticket")
    ticket = ticket_access.get_ticket_for_user(request.user, ref, related=False)
    tasks = FulfilmentTask.objects.filter(ticket=ticket).select_related("group", "done_by")
    return [_task(t) for t in tasks]


@router.post("/tasks/{pk}/complete", response=TaskOut, summary="Tick a fulfilment task off")
def complete_task(request: ApiRequest, pk: Id) -> dict[str, Any]:
    task = access.get_task_for_user(request.user, pk)
    return _task(services.complete_task(request.user, task))


@router.post("/tasks/{pk}/reopen", response=TaskOut, summary="Untick a fulfilment task")
def reopen_task(request: ApiRequest, pk: Id) -> dict[str, Any]:
    task = access.get_task_for_user(request.user, pk)
    return _task(services.reopen_task(request.user, task))
