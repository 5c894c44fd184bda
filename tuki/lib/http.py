"""Request types for annotations: what a view or endpoint may assume about `request`.

Django types `request.user` as "a user or AnonymousUser". Behind a decorator that lets only
signed-in users through (`login_required` or an app's `*_required`), and in every API
endpoint (the API as a whole requires authentication, see tuki/lib/api_auth.py), the user
is a real `User`: annotate those with these types instead of narrowing in every view.
Views that anonymous users may reach keep `HttpRequest` and check `is_authenticated`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    # Types only: lib sits below accounts (docs/development/architecture.md).
    from tuki.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is signed in."""

    user: User


class ApiRequest(AuthenticatedHttpRequest):
    """A request to an API endpoint: `request.auth` is the caller (the same as `request.user`)."""

    auth: User
