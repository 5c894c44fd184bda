"""Finishing an SSO sign-in through the sign-in steps of tuki.accounts (helper "twofactor":
`tuki/accounts/signin.py`, identity-contract.md), so that Tuki's second factor is asked unless
the provider asserted one it is trusted for.

The module is looked up at call time: on a branch without it, the person is signed in at once
(no second factor of Tuki's own exists there)."""

from __future__ import annotations

import importlib
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tuki.accounts.models import User

SIGNIN_MODULE = "tuki.accounts.signin"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _signin() -> Any:
    try:
        return importlib.import_module(SIGNIN_MODULE)
    except ImportError:
        return None


def sign_in(request: HttpRequest, user: User, next_url: str, *, satisfied: bool) -> HttpResponse:
    """Signs `user` in (or half in, while a second-factor step is pending) and answers the
    response to send. `satisfied`: the provider asserted multi-factor and is trusted for it."""
    signin = _signin()
    begin = getattr(signin, "begin", None)
    if begin is not None:
        factors = (signin.SECOND_FACTOR,) if satisfied else ()
        response: HttpResponse = begin(request, user, next_url, backend=BACKEND, satisfied=factors)
        return response
    login(request, user, backend=BACKEND)
    return redirect(next_url)


def step_up(view: Any) -> Any:
    """twofactor's `recent_second_factor` for the SSO settings pages, when it exists."""
    signin = _signin()
    decorator = getattr(signin, "recent_second_factor", None)
    return decorator(view) if decorator is not None else view
