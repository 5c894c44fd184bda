"""Who is acting now: the request's user (set by AuditMiddleware), a named process
(`acting_as`), the management command being run, or the system.

A context variable, so each request, thread and task has its own.
"""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse

from tuki.audit.models import Via

if TYPE_CHECKING:
    from tuki.accounts.models import User

_request: ContextVar[HttpRequest | None] = ContextVar("tuki_audit_request", default=None)
_label: ContextVar[str | None] = ContextVar("tuki_audit_label", default=None)


@dataclass(frozen=True)
class Actor:
    user: User | None
    label: str
    via: str
    ip: str | None = None
    user_agent: str = ""


class AuditMiddleware:
    """Remembers the request for the audit receivers (after AuthenticationMiddleware; the API
    puts a token's user on `request.user` too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Changes made in this block without a request are recorded as made by `label`."""
    token = _label.set(label[:254])
    try:
        yield
    finally:
        _label.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    raw = str(request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def user_agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT") or "")[:300]


def via_of(request: HttpRequest) -> str:
    path = request.path_info or ""
    if path.startswith("/admin/"):
        return Via.ADMIN
    if path.startswith("/api/"):
        return Via.API
    return Via.WEB


def from_request(request: HttpRequest, user: Any = None) -> Actor:
    if user is None:
        user = getattr(request, "user", None)
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    return Actor(
        user=user if signed_in else None,
        label=str(user.email)[:254] if signed_in else "anonymous",
        via=via_of(request),
        ip=client_ip(request),
        user_agent=user_agent(request),
    )


def command_name() -> str | None:
    """`tuki <command>` or `manage.py <command>`: the command's name."""
    argv = sys.argv
    if len(argv) < 2:
        return None
    program = Path(argv[0]).name
    if program in ("tuki", "manage.py", "django-admin", "__main__.py") and argv[1][:1] != "-":
        return f"tuki {argv[1]}"[:254]
    return None


def current() -> Actor:
    request = _request.get()
    if request is not None:
        return from_request(request)
    label = _label.get()
    if label:
        return Actor(user=None, label=label, via=Via.SYSTEM)
    command = command_name()
    if command:
        return Actor(user=None, label=command, via=Via.COMMAND)
    return Actor(user=None, label="system", via=Via.SYSTEM)
