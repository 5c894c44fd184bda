"""The change calendar's entries: changes, blackout periods and maintenance windows, and
whatever the apps above add (releases) through `register_source` (docs/changes.md).

A source is `fn(user, start, end, filters) -> list[Entry]`: the entries overlapping
[start, end) that `user` may see; `filters` holds the page's filters ("service": a
ConfigurationItem id, "item": a ConfigurationItem id), a source ignores what it cannot
filter by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuki.accounts.models import User


@dataclass(frozen=True)
class Entry:
    kind: str  # "change", "blackout", "freeze", "maintenance", "release"
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str = ""
    detail: str = ""  # one line under the title: state, type, risk
    tone: str = ""  # a CSS modifier: the change's state or type ("emergency", "closed"...)


Source = Callable[["User", datetime, datetime, dict[str, Any]], list[Entry]]

_SOURCES: dict[str, Source] = {}


def register_source(key: str, source: Source) -> None:
    _SOURCES[key] = source


def unregister_source(key: str) -> None:
    _SOURCES.pop(key, None)


def sources() -> list[Source]:
    return [source for _key, source in sorted(_SOURCES.items())]


def entries(user: User, start: datetime, end: datetime, filters: dict[str, Any]) -> list[Entry]:
    """Every source's entries overlapping [start, end), in time order."""
    found = [entry for source in sources() for entry in source(user, start, end, filters)]
    return sorted(found, key=lambda e: (e.starts_at, e.ends_at, e.kind, e.title))
