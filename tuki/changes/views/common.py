"""Who may enter the change pages: agents and administrators (access.may_read); anonymous
visitors sign in first, anyone else gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from tuki.changes import access

View = Callable[..., HttpResponseBase]


def agent_required(func: View) -> View:
    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_read(request.user):
            raise Http404("No change management here")
        return func(request, *args, **kwargs)

    return wrapper
