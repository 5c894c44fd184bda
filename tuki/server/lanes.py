"""Views and live streams share a web process without starving each other."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

# Django views running at once in one web process (tuki/server/serving.py, THREADS): their
# database waits overlap, and they stay below the connection pool's size. Live event streams
# (/live/events/) wait on a queue for minutes without the database and do not count: the
# server has a thread for each of them besides (serving.py).
VIEWS_AT_ONCE = 4
STREAMS = "/live/events/"


class Lanes:
    """Two lanes through one web process: at most VIEWS_AT_ONCE views, and any number of
    live streams (up to LIVE_STREAMS, which their view refuses beyond)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], views: int = VIEWS_AT_ONCE) -> None:
        self.app = app
        self.views = threading.BoundedSemaphore(views)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(STREAMS):
            return self.app(environ, start_response)
        with self.views:
            return self.app(environ, start_response)
