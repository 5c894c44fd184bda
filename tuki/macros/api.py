"""Macros over REST, under /api/v1/macros/: list, create, edit, delete, render and apply.

Agents only; a macro the caller may not use (or edit, for writes) is a 404, as is a ticket
they cannot see. Refused input is a 422 naming the field ("actions.1.value").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.macros import access, services
from tuki.macros.models import Macro, Scope
from tuki.tickets import access as ticket_access

router = Router(tags=["macros"])


class MacroOut(Schema):
    id: int
    name: str
    scope: Scope
    owner: str | None = Field(description="Email of the owner of a personal macro")
    group: int | None
    body: str
    internal: bool
    actions: list[dict[str, Any]]
    kinds: list[str]
    is_active: bool
    editable: bool
    updated_at: datetime


class MacroIn(Schema):
    name: str = Field(max_length=120)
    scope: Scope = Scope.PERSONAL
    group: int | None = None
    body: str = ""
    internal: bool = False
    actions: list[Any] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    is_active: bool = True


class MacroPatch(Schema):
    name: str | None = Field(None, max_length=120)
    scope: Scope | None = None
    group: int | None = None
    body: str | None = None
    internal: bool | None = None
    actions: list[Any] | None = None
    kinds: list[str] | None = None
    is_active: bool | None = None


class RenderIn(Schema):
    template: str = Field(max_length=20_000)
    ticket: str = Field(description="Number (INC-1042) or id of a ticket you can see")


class RenderOut(Schema):
    text: str


class ApplyIn(Schema):
    ticket: str
    extra_text: str = Field("", max_length=20_000)


class ApplyOut(Schema):
    ticket: str
    comment: int | None = Field(description="The reply or note posted, if the macro has text")
    internal: bool | None


def _agent(request: ApiRequest) -> Any:
    user = request.user
    if not (access.is_agent(user) or access.is_admin(user)):
        raise PermissionDenied(_("Only agents may use macros."))
    return user


def _out(user: Any, macro: Macro) -> dict[str, Any]:
    return {
        "id": macro.pk,
        "name": macro.name,
        "scope": macro.scope,
        "owner": macro.owner.email if macro.owner else None,
        "group": macro.group_id,
        "body": macro.body,
        "internal": macro.internal,
        "actions": macro.actions,
        "kinds": macro.kinds,
        "is_active": macro.is_active,
        "editable": access.can_edit(user, macro),
        "updated_at": macro.updated_at,
    }


@router.get("", response=list[MacroOut], summary="Macros you may use")
def list_macros(request: ApiRequest) -> list[dict[str, Any]]:
    user = _agent(request)
    return [_out(user, m) for m in services.macros_for(user)]


@router.post("", response={201: MacroOut}, summary="Create a macro")
def create_macro(request: ApiRequest, payload: MacroIn) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    macro = services.create_macro(user, **payload.dict())
    return 201, _out(user, macro)


@router.post("/render", response=RenderOut, summary="Render a text against a ticket")
def render(request: ApiRequest, payload: RenderIn) -> dict[str, str]:
    user = _agent(request)
    services.validate_template(payload.template, field="template")
    ticket = ticket_access.get_ticket_for_user(user, payload.ticket)
    return {"text": services.render_text(payload.template, ticket, user)}


@router.get("/{macro_id}", response=MacroOut, summary="One macro")
def get_macro(request: ApiRequest, macro_id: Id) -> dict[str, Any]:
    user = _agent(request)
    return _out(user, access.get_macro_for_user(user, macro_id))


@router.patch("/{macro_id}", response=MacroOut, summary="Edit a macro")
def update_macro(request: ApiRequest, macro_id: Id, payload: MacroPatch) -> dict[str, Any]:
    user = _agent(request)
    macro = access.get_macro_for_user(user, macro_id, write=True)
    changes = payload.dict(exclude_unset=True)
    return _out(user, services.update_macro(user, macro, **changes))


@router.delete("/{macro_id}", response={204: None}, summary="Delete a macro")
def delete_macro(request: ApiRequest, macro_id: Id) -> tuple[int, None]:
    user = _agent(request)
    services.delete_macro(user, access.get_macro_for_user(user, macro_id, write=True))
    return 204, None


@router.post("/{macro_id}/apply", response=ApplyOut, summary="Apply a macro to a ticket")
def apply_macro(request: ApiRequest, macro_id: Id, payload: ApplyIn) -> dict[str, Any]:
    user = _agent(request)
    macro = access.get_macro_for_user(user, macro_id)
    ticket = ticket_access.get_ticket_for_user(user, payload.ticket)
    comment = services.apply_macro(user, ticket, macro, extra_text=payload.extra_text)
    return {
        "ticket": ticket.number,
        "comment": comment.pk if comment else None,
        "internal": comment.is_internal if comment else None,
    }
