"""The releases API (/api/v1/releases/): releases, their stages and changes, the deployment
log, and the deployment gate with its public key (docs/releases.md, "API").

Releases are read through releases/access.py (what the caller may not read is a 404;
requesters read nothing); writes go through releases/services.py, refused input a 422 naming
the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.releases import access, gate, rules, services, signing
from tuki.releases.models import Deployment, Release, ReleaseChange

router = Router(tags=["releases"])

StageCode = Literal["build", "test", "approve", "deploy", "review", "done"]


# --- the gate -------------------------------------------------------------------------------


class GateIn(Schema):
    change: str | None = Field(None, max_length=40, description="CHG-12")
    release: str | None = Field(None, max_length=40, description="REL-7")
    environment: str = Field("", max_length=60)
    pipeline: str = Field("", max_length=200)
    ref: str = Field("", max_length=200, description="The commit or tag being deployed")


class WindowOut(Schema):
    start: datetime | None
    end: datetime | None


class GateOut(Schema):
    allowed: bool
    reason: str
    change: str | None
    release: str | None
    environment: str
    pipeline: str
    ref: str
    window: dict[str, str | None] = Field(description="The planned window (ISO 8601, UTC)")
    checked_at: str
    key_id: str
    signature: str = Field(
        description="Base64 Ed25519 over the answer's canonical JSON without `signature`"
    )


@router.post("/gate", response=GateOut, summary="May this change or release be deployed now?")
def ask_gate(request: ApiRequest, payload: GateIn) -> dict[str, Any]:
    if bool(payload.change) == bool(payload.release):
        raise ServiceError(_("Name either a change or a release."), field="change", code="required")
    subject = (payload.change or payload.release or "").strip()
    question = gate.Question(
        subject=subject,
        environment=payload.environment.strip(),
        pipeline=payload.pipeline.strip(),
        ref=payload.ref.strip(),
    )
    return gate.ask(request.auth, question)


@router.get("/gate/key", response=str, summary="The gate's public key (PEM) to verify answers")
def gate_key(request: ApiRequest) -> HttpResponse:
    response = HttpResponse(signing.public_key_pem(), content_type="application/x-pem-file")
    response["X-Key-Id"] = signing.key_id()
    return response


# --- releases -------------------------------------------------------------------------------


class ReleaseOut(Schema):
    number: str
    title: str
    version: str
    stage: str
    status: str
    environment: str
    planned_start: datetime | None
    planned_end: datetime | None
    deployed_at: datetime | None
    changes: list[str]
    approval: str | None = Field(None, description="The latest release approval's state")
    review: str


class ReleasePage(Schema):
    items: list[ReleaseOut]
    next_cursor: int | None = None


class ReleaseIn(Schema):
    title: str = Field(max_length=200)
    version: str = Field("", max_length=100)
    environment: str = Field("production", max_length=60)
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    description: str = ""


class ReleasePatch(Schema):
    version: str | None = Field(None, max_length=100)
    environment: str | None = Field(None, max_length=60)
    planned_start: datetime | None = None
    planned_end: datetime | None = None
    review: str | None = None


class StageIn(Schema):
    stage: StageCode


class ChangeRefIn(Schema):
    change: str = Field(max_length=40, description="CHG-12")


class DeploymentOut(Schema):
    id: int
    subject: str
    environment: str
    pipeline: str
    ref: str
    requested_at: datetime
    allowed: bool
    reason: str
    key_id: str
    signature: str


class ListFilters(Schema):
    stage: StageCode | None = None
    cursor: Id | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=200)


def _reader(request: ApiRequest) -> Any:
    if not access.may_read(request.auth):
        raise Http404("No releases here")
    return request.auth


def _out(release: Release, changes: list[str], approval: str | None) -> dict[str, Any]:
    ticket = release.ticket
    return {
        "number": ticket.number,
        "title": ticket.title,
        "version": release.version,
        "stage": release.stage,
        "status": ticket.status.key,
        "environment": release.environment,
        "planned_start": release.planned_start,
        "planned_end": release.planned_end,
        "deployed_at": release.deployed_at,
        "changes": changes,
        "approval": approval,
        "review": release.review,
    }


def _one(release: Release) -> dict[str, Any]:
    release = Release.objects.select_related("ticket__status").get(pk=release.pk)
    changes = [f"CHG-{c.ticket_id}" for c in rules.grouped_changes(release)]
    return _out(release, changes, services.approval_state(release))


@router.get("/", response=ReleasePage, summary="The releases you may see, newest first")
def list_releases(request: ApiRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    user = _reader(request)
    qs = access.releases_visible_to(user).select_related("ticket__status")
    if filters.stage:
        qs = qs.filter(stage=filters.stage)
    if filters.cursor:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(qs.order_by("-pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    ids = [r.pk for r in rows]
    grouped: dict[int, list[str]] = {pk: [] for pk in ids}
    for release_id, change_id in (
        ReleaseChange.objects.filter(release_id__in=ids)
        .order_by("change_id")
        .values_list("release_id", "change_id")
    ):
        grouped[release_id].append(f"CHG-{change_id}")
    states = rules.latest_approvals(ids)
    return {
        "items": [_out(r, grouped[r.pk], states.get(r.pk)) for r in rows],
        "next_cursor": rows[-1].pk if more and rows else None,
    }


@router.post("/", response={201: ReleaseOut}, summary="Plan a release")
def create_release(request: ApiRequest, payload: ReleaseIn) -> tuple[int, dict[str, Any]]:
    user = _reader(request)
    release = services.create_release(user, **payload.dict())
    return 201, _one(release)


@router.get("/{number}", response=ReleaseOut, summary="A release (REL-7)")
def get_release(request: ApiRequest, number: str) -> dict[str, Any]:
    return _one(access.get_release_for_user(_reader(request), number))


@router.patch(
    "/{number}", response=ReleaseOut, summary="Change a release's version, window or review"
)
def update_release(request: ApiRequest, number: str, payload: ReleasePatch) -> dict[str, Any]:
    user = _reader(request)
    release = access.get_release_for_user(user, number)
    services.update_release(user, release, **payload.dict(exclude_unset=True))
    return _one(release)


@router.post("/{number}/stage", response=ReleaseOut, summary="Move a release to a stage")
def move_stage(request: ApiRequest, number: str, payload: StageIn) -> dict[str, Any]:
    user = _reader(request)
    release = access.get_release_for_user(user, number)
    services.move_stage(user, release, payload.stage)
    return _one(release)


@router.post("/{number}/deployed", response=ReleaseOut, summary="Record the release's deployment")
def mark_deployed(request: ApiRequest, number: str) -> dict[str, Any]:
    user = _reader(request)
    release = access.get_release_for_user(user, number)
    services.mark_deployed(user, release)
    return _one(release)


@router.post("/{number}/changes", response=ReleaseOut, summary="Add a change to a release")
def add_change(request: ApiRequest, number: str, payload: ChangeRefIn) -> dict[str, Any]:
    user = _reader(request)
    release = access.get_release_for_user(user, number)
    services.add_change(user, release, payload.change)
    return _one(release)


@router.post(
    "/{number}/changes/remove", response=ReleaseOut, summary="Remove a change from a release"
)
def remove_change(request: ApiRequest, number: str, payload: ChangeRefIn) -> dict[str, Any]:
    user = _reader(request)
    release = access.get_release_for_user(user, number)
    services.remove_change(user, release, payload.change)
    return _one(release)


@router.get(
    "/{number}/deployments",
    response=list[DeploymentOut],
    summary="The gate's answers about a release (newest first)",
)
def deployments(request: ApiRequest, number: str) -> list[Deployment]:
    release = access.get_release_for_user(_reader(request), number)
    return list(Deployment.objects.filter(release=release)[:200])
