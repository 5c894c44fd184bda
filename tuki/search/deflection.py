"""Self-service deflection: remembering that suggestions were shown, and what came of it.

While someone types a request (portal) or an operator types a call (Log a call), matching
articles are suggested and the session remembers the text they matched. Then:
- "This solved my problem" on an article records outcome `solved` (no ticket);
- the request submitted anyway records outcome `submitted` with the new ticket.
Either way the remembered suggestion is used up, so each attempt counts once.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from tuki.search.signals import suggestions_used
from tuki.tickets.models import Ticket

SESSION_KEY = "search_deflection"
CHANNELS = ("portal", "call")


PENDING_FOR = 3600  # seconds: suggestions older than this no longer count


def remember(request: HttpRequest, query: str, channel: str) -> None:
    request.session[SESSION_KEY] = {"query": query[:500], "channel": channel, "at": time.time()}


def pending(request: HttpRequest) -> dict[str, str] | None:
    """The suggestions this session was shown, if recent (an hour: one attempt, not a day)."""
    value = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(value, dict) or value.get("channel") not in CHANNELS:
        return None
    at = value.get("at")
    if not isinstance(at, int | float) or time.time() - at > PENDING_FOR:
        return None
    return value


def _session_key(request: HttpRequest) -> str:
    return request.session.session_key or ""


def record_solved(request: HttpRequest, article: Any) -> None:
    shown = pending(request) or {"query": "", "channel": "portal"}
    suggestions_used.send(
        sender=None,
        user=request.user,
        query=shown["query"],
        channel=shown["channel"],
        outcome="solved",
        article=article,
        ticket=None,
        session_key=_session_key(request),
    )
    request.session.pop(SESSION_KEY, None)


def record_submitted(request: HttpRequest, ticket: Ticket, channel: str = "portal") -> None:
    """Called by the request form after the ticket exists; nothing if nothing was suggested."""
    shown = pending(request)
    if shown is None or shown["channel"] != channel:
        return
    request.session.pop(SESSION_KEY, None)
    suggestions_used.send(
        sender=None,
        user=request.user,
        query=shown["query"],
        channel=channel,
        outcome="submitted",
        article=None,
        ticket=ticket,
        session_key=_session_key(request),
    )
