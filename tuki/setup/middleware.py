"""Sends the landing page to the set-up while the install is not set up.

Only `/` (the landing redirect) is looked at, so no other page pays for the check: a fresh
install's first visitor, and an administrator made by `createsuperuser` who signs in (the
sign-in lands on `/`), are sent to `/setup/`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from tuki.setup import state


class FirstRunMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/" and request.method == "GET" and _goes_to_setup(request):
            return redirect("setup:start")
        return self.get_response(request)


def _goes_to_setup(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated:
        return bool(user.is_superuser) and not state.has_service_desk()
    return not state.has_admin()
