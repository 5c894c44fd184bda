"""Who may use the administration console, and fetching its objects (404 for anyone else)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from tuki.accounts.models import User
from tuki.lib.bounds import parse_id

M = TypeVar("M", bound=models.Model)
View = Callable[..., HttpResponse]


def is_admin(user: User | AnonymousUser | None) -> bool:
    """Administrators: staff or superusers, signed in and active (automation/access.py)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def admin_required(func: View) -> View:
    """Anonymous visitors sign in; everyone else who is not an administrator gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            raise Http404("Not an administrator")
        return func(request, *args, **kwargs)

    return wrapper


def get_for_admin(user: User, model: type[M], pk: int | str) -> M:
    """The row of `model`, or 404 (also for non-administrators: they learn nothing)."""
    if not is_admin(user):
        raise Http404
    number = parse_id(pk)
    found = model._default_manager.filter(pk=number).first() if number is not None else None
    if found is None:
        raise Http404
    return found
