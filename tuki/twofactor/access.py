"""Who may reach which second-factor page, and fetching rows (404 for anyone else)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from tuki.accounts.models import User
from tuki.lib.bounds import parse_id
from tuki.twofactor.models import Passkey, TotpDevice
from tuki.twofactor.services import is_admin

View = Callable[..., HttpResponse]


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


def own_totp(user: User, pk: int | str) -> TotpDevice:
    number = parse_id(pk)
    found = TotpDevice.objects.filter(pk=number, user=user).first() if number else None
    if found is None:
        raise Http404
    return found


def own_passkey(user: User, pk: int | str) -> Passkey:
    number = parse_id(pk)
    found = Passkey.objects.filter(pk=number, user=user).first() if number else None
    if found is None:
        raise Http404
    return found


def person_for_admin(user: User, pk: int | str) -> User:
    """Someone whose factors `user` may reset: any person for an administrator, 404 otherwise."""
    if not is_admin(user):
        raise Http404
    number = parse_id(pk)
    found = User.objects.filter(pk=number).first() if number else None
    if found is None:
        raise Http404
    return found
