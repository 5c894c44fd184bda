"""What every workspace view shares: who may enter, and how results and errors come back."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from tuki.lib.htmx import is_fragment_request

View = Callable[..., HttpResponse]


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def agent_required(view: View | None = None, *, hide: bool = False) -> Any:
    """Agents and administrators only. Anonymous users sign in first; requesters go to the
    portal, or get a 404 for ticket URLs (`hide=True`) so ticket ids leak nothing."""

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_agent(request.user):
                if hide:
                    raise Http404("Not in the workspace")
                return redirect("portal:home")
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a full navigation, for htmx requests too."""
    if is_fragment_request(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)
