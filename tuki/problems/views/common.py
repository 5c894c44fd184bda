"""Who may enter problem management's pages, and what every view shares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.problems import access

View = Callable[..., HttpResponseBase]


def agent_required(func: View) -> View:
    """Agents and administrators. Anonymous visitors sign in first; anyone else gets a 404:
    requesters see nothing of the back office, and ids leak nothing."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_use(request.user):
            raise Http404("Not in problem management")
        return func(request, *args, **kwargs)

    return wrapper


def posted_ids(request: HttpRequest, name: str) -> list[int]:
    """Ids posted under `name` (several), bounded; anything that is not an id is dropped."""
    raw = request.POST.getlist(name)[:500]
    return list(dict.fromkeys(i for value in raw if (i := parse_id(value)) is not None))


def error_message(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, str(exc.message))
