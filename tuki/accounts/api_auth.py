"""How API callers prove who they are: a personal token, or the browser's session.

Tokens (`Authorization: Bearer tuki_…`) are for scripts and integrations; the session lets
the web UI and the interactive docs call the API, and therefore needs CSRF protection on
writes. Either way the user's language and time zone are activated, as for pages.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tuki.accounts.models import User
from tuki.accounts.tokens import token_for


def activate_preferences(user: User) -> None:
    """What UserPreferencesMiddleware does for sessions, for users known only after auth."""
    translation.activate(user.language)
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class TokenAuth(HttpBearer):
    """A personal API token (see `tuki api_token`)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = token_for(token.strip())
        if found is None:
            return None
        user = found.user
        # Endpoints read request.user, whichever way the caller signed in; request.api_token
        # tells them the caller is a token (which may not mint more: accounts/api.py).
        request.user = user
        request.api_token = found  # type: ignore[attr-defined]  # Tuki's own request attribute
        activate_preferences(user)
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser. Unsafe methods must carry the CSRF token (X-CSRFToken header)."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # No CSRF check before we know there is a session: an anonymous caller gets a 401,
        # and a bad bearer token is not reported as a CSRF failure.
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed.")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if key is None or not request.user.is_authenticated or not request.user.is_active:
            return None
        return request.user


def api_auth() -> list[Any]:
    """Token first: a script sending a token is never judged by a stray session cookie."""
    return [TokenAuth(), SessionAuth()]
