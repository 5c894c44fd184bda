"""The audit trail over REST: GET /api/v1/audit, administrators only (anyone else a 403)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import AfterValidator

from tuki.audit import access
from tuki.audit.filters import Filters
from tuki.audit.models import Action, AuditEntry, Via
from tuki.lib.bounds import Schema
from tuki.lib.http import ApiRequest

router = Router(tags=["audit"])

MAX_ID = 2**63 - 1


def _plain(value: str) -> str:
    # PostgreSQL refuses NUL in text: a 422 here, not a 500 from the database.
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_plain)]


class AuditFilters(Schema):
    type: Text | None = Field(
        None,
        max_length=100,
        description='"app.model" of an audited model (e.g. `routing.routingrule`), or `sign_ins`',
    )
    actor: int | None = Field(None, ge=1, le=MAX_ID, description="The acting user's id")
    action: Action | None = None
    object_id: Text | None = Field(None, max_length=64, description="With `type`: one object")
    since: date | None = Field(None, description="From this day (UTC), included")
    until: date | None = Field(None, description="To this day (UTC), included")
    cursor: int | None = Field(
        None, ge=1, le=MAX_ID, description="`next_cursor` of the previous page"
    )
    limit: int = Field(50, ge=1, le=200)


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    action: Action
    actor: int | None = Field(description="The acting user's id; null for a command or the system")
    actor_label: str = Field(description="The actor's email then, or the command that acted")
    via: Via
    object_type: str | None = Field(description='"app.model"')
    object_id: str
    object_repr: str
    changes: dict[str, Any] = Field(
        description='Per field `[before, after]`, or `{"added": [...], "removed": [...]}`; '
        'secrets are "********"'
    )
    ip: str | None
    user_agent: str


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: int | None


def _out(e: AuditEntry) -> dict[str, Any]:
    ct = e.content_type
    return {
        "id": e.pk,
        "created_at": e.created_at,
        "action": e.action,
        "actor": e.actor_id,
        "actor_label": e.actor_label,
        "via": e.via,
        "object_type": f"{ct.app_label}.{ct.model}" if ct is not None else None,
        "object_id": e.object_id,
        "object_repr": e.object_repr,
        "changes": e.changes,
        "ip": e.ip,
        "user_agent": e.user_agent,
    }


@router.get("", response=AuditPage, summary="Configuration changes and sign-ins, newest first")
def list_entries(request: ApiRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    if not access.may_read(request.auth):
        raise PermissionDenied(_("Only administrators may read the audit trail."))
    chosen = Filters(
        type=filters.type,
        actor_id=filters.actor,
        action=filters.action,
        object_id=filters.object_id,
        since=filters.since,
        until=filters.until,
    )
    qs = chosen.apply(access.entries_for(request.auth)).select_related(None)
    qs = qs.select_related("content_type").order_by("-id")
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {"items": [_out(e) for e in items], "next_cursor": items[-1].pk if more else None}
