"""The header's bell: the unread count, read at most once per request and only if shown."""

from __future__ import annotations

from functools import cached_property

from django.http import HttpRequest

from tuki.accounts.models import User
from tuki.notifications import access, services

LIMIT = 100  # counted up to this; shown as "99+"


class Bell:
    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return services.unread_count(self.user, limit=LIMIT)

    @property
    def badge(self) -> str:
        return "99+" if self.unread >= LIMIT else str(self.unread)


def notifications(request: HttpRequest) -> dict[str, Bell]:
    user = getattr(request, "user", None)
    if user is None or not access.is_notified(user):
        return {}
    bell = getattr(request, "_tuki_bell", None)
    if bell is None:
        bell = Bell(user)
        # One count per request, however many templates ask: cached on the request itself.
        request._tuki_bell = bell  # type: ignore[attr-defined]  # HttpRequest declares no such attribute
    return {"notification_bell": bell}
