"""Notices other apps add to the status page (major incidents' public summaries and
updates) without availability importing them: they register here from their
`AppConfig.ready()`, and the status page shows what is registered, in `order`, above the
services.

`load(public)` returns the notices to show: `public` is True on the anonymous /status/ page,
False on the signed-in portal page. A notice carries only text meant for everybody (no
ticket numbers of people, no names). It must cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Update:
    at: datetime
    text: str


@dataclass(frozen=True)
class Notice:
    title: str
    summary: str
    since: datetime | None
    updates: list[Update] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    key: str
    load: Callable[[bool], list[Notice]]
    order: int = 100


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    _SOURCES[source.key] = source


def unregister(key: str) -> None:
    _SOURCES.pop(key, None)


def collected(public: bool) -> list[Notice]:
    shown: list[Notice] = []
    for source in sorted(_SOURCES.values(), key=lambda s: (s.order, s.key)):
        shown += source.load(public)
    return shown
