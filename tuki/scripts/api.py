"""Guided scripts over REST, under /api/v1/scripts/, so a phone tool can drive a run.

Agents only. Scripts: the published ones (with their tree). Runs: start, answer, back,
abandon, and finish on a ticket the caller may see (the transcript becomes an internal
note). Refused input is a 422 naming the field; another operator's run is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.scripts import access, services, tree
from tuki.scripts.models import Script, ScriptRun
from tuki.tickets import access as ticket_access

router = Router(tags=["scripts"])


class ScriptOut(Schema):
    id: int
    name: str
    names: dict[str, str]
    description: str
    keywords: list[str]
    categories: list[int]
    version: int | None = Field(description="The published version's number")


class ScriptDetailOut(ScriptOut):
    tree: dict[str, Any] = Field(description="The published tree (docs/scripts.md)")


class RunOut(Schema):
    id: int
    script: int
    version: int
    node: str = Field(description="The node the run stands at")
    step: dict[str, Any] = Field(description="That node")
    path: list[dict[str, Any]]
    outcome: str
    dropped_at: str
    ticket: str | None
    started_at: datetime
    finished_at: datetime | None


class AnswerIn(Schema):
    answer: int = Field(ge=0, le=50, description="Index of the answer chosen")


class FinishIn(Schema):
    ticket: str = Field(max_length=40, description="Number (INC-1042) or id of the call's ticket")


def _agent(request: ApiRequest) -> Any:
    if not access.is_agent(request.user):
        raise PermissionDenied(_("Only agents run scripts."))
    return request.user


def _script_out(script: Script, with_tree: bool = False) -> dict[str, Any]:
    version = services.published(script)
    out: dict[str, Any] = {
        "id": script.pk,
        "name": script.name,
        "names": script.names,
        "description": script.description,
        "keywords": script.keyword_list(),
        "categories": [c.pk for c in script.categories.all()],
        "version": version.number if version else None,
    }
    if with_tree:
        out["tree"] = version.tree if version else tree.empty()
    return out


def _run_out(run: ScriptRun) -> dict[str, Any]:
    node = tree.current(run.version.tree, run.path)
    return {
        "id": run.pk,
        "script": run.version.script_id,
        "version": run.version.number,
        "node": node,
        "step": tree.nodes(run.version.tree).get(node, {}),
        "path": run.path,
        "outcome": run.outcome,
        "dropped_at": run.dropped_at,
        "ticket": run.ticket.number if run.ticket else None,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


@router.get("", response=list[ScriptOut], summary="Published scripts")
def list_scripts(request: ApiRequest) -> list[dict[str, Any]]:
    user = _agent(request)
    scripts = access.usable(user).prefetch_related("categories").order_by("name", "id")
    return [_script_out(s) for s in scripts]


@router.get("/runs/{id}", response=RunOut, summary="One run")
def get_run(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _run_out(access.get_run_for_user(_agent(request), id))


@router.post("/runs/{id}/answer", response=RunOut, summary="Answer the current step")
def answer_run(request: ApiRequest, id: Id, payload: AnswerIn) -> dict[str, Any]:
    user = _agent(request)
    run = access.get_run_for_user(user, id)
    return _run_out(services.answer(user, run, payload.answer))


@router.post("/runs/{id}/back", response=RunOut, summary="Go back one step")
def back_run(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    return _run_out(services.back(user, access.get_run_for_user(user, id)))


@router.post("/runs/{id}/abandon", response=RunOut, summary="Stop following the script")
def abandon_run(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _agent(request)
    return _run_out(services.abandon(user, access.get_run_for_user(user, id)))


@router.post("/runs/{id}/finish", response=RunOut, summary="Record the run on its ticket")
def finish_run(request: ApiRequest, id: Id, payload: FinishIn) -> dict[str, Any]:
    user = _agent(request)
    run = access.get_run_for_user(user, id)
    ticket = ticket_access.get_ticket_for_user(user, payload.ticket)
    return _run_out(services.finish(user, run, ticket))


@router.get("/{id}", response=ScriptDetailOut, summary="A script and its published tree")
def get_script(request: ApiRequest, id: Id) -> dict[str, Any]:
    return _script_out(access.get_script_for_agent(_agent(request), id), with_tree=True)


@router.post("/{id}/runs", response={201: RunOut}, summary="Start a run")
def start_run(request: ApiRequest, id: Id) -> tuple[int, dict[str, Any]]:
    user = _agent(request)
    script = access.get_script_for_agent(user, id)
    return 201, _run_out(services.start_run(user, script))
