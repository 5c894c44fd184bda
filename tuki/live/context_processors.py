from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.urls import reverse


def live(request: HttpRequest) -> dict[str, Any]:
    """How this desk's pages receive live updates: `sse` (PostgreSQL) or `poll` (SQLite),
    and where (the prefix of /live/events/, /live/poll/, /live/signal/)."""
    return {
        "live_mode": "sse" if connection.vendor == "postgresql" else "poll",
        "live_base": reverse("live:poll").removesuffix("poll/"),
    }
