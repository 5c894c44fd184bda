"""Notifications over REST (/api/v1/notifications/): the caller's own list, marking read,
and preferences. Agents only; another person's notification is a 404."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import User
from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest
from tuki.notifications import access, services
from tuki.notifications.models import Notification, NotificationKind

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    text: str
    ticket: str | None = Field(None, description="Ticket number, e.g. INC-12")
    actor: str | None = Field(None, description="Who caused it (name)")
    url: str
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_ticket(obj: Notification) -> str | None:
        return obj.ticket.number if obj.ticket else None

    @staticmethod
    def resolve_actor(obj: Notification) -> str | None:
        return str(obj.actor) if obj.actor else None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread_count: int = Field(description="Unread notifications (at most 100)")
    next_cursor: int | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="Only unread (true) or only read (false)")
    cursor: int | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class MarkReadIn(Schema):
    ids: list[int] = Field(default_factory=list, description="Notification ids to mark read")
    all: bool = Field(False, description="Mark every unread notification read")


class MarkedOut(Schema):
    marked: int
    unread_count: int


class PreferenceIO(Schema):
    kind: NotificationKind
    in_app: bool
    email: bool


class PreferenceOut(PreferenceIO):
    label: str


class PreferencesIn(Schema):
    items: list[PreferenceIO]


def _user(request: ApiRequest) -> User:
    user = request.auth
    if not access.is_notified(user):
        raise PermissionDenied(_("Notifications are for agents."))
    return user


def _preferences(user: User) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": str(NotificationKind(kind).label), "in_app": a, "email": e}
        for kind, (a, e) in services.preferences_of(user).items()
    ]


@router.get("", response=NotificationPage, summary="My notifications, newest first")
def list_notifications(request: ApiRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    user = _user(request)
    qs = access.notifications_of(user).select_related("ticket", "actor").order_by("-pk")
    if filters.unread is not None:
        qs = qs.filter(read_at__isnull=filters.unread)
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {
        "items": items,
        "unread_count": services.unread_count(user),
        "next_cursor": items[-1].pk if more else None,
    }


@router.post("/read", response=MarkedOut, summary="Mark some or all of mine read")
def mark_read(request: ApiRequest, payload: MarkReadIn) -> dict[str, int]:
    user = _user(request)
    marked = services.mark_read(user, "all" if payload.all else payload.ids)
    return {"marked": marked, "unread_count": services.unread_count(user)}


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one read")
def mark_one_read(request: ApiRequest, notification_id: Id) -> Notification:
    user = _user(request)
    notification = access.get_notification_for_user(user, notification_id)
    services.mark_read(user, [notification.pk])
    return access.get_notification_for_user(user, notification_id)


@router.get("/preferences", response=list[PreferenceOut], summary="My preferences per kind")
def get_preferences(request: ApiRequest) -> list[dict[str, Any]]:
    return _preferences(_user(request))


@router.put("/preferences", response=list[PreferenceOut], summary="Change my preferences")
def put_preferences(request: ApiRequest, payload: PreferencesIn) -> list[dict[str, Any]]:
    user = _user(request)
    choices = {item.kind.value: (item.in_app, item.email) for item in payload.items}
    services.set_preferences(user, user, choices)
    return _preferences(user)
