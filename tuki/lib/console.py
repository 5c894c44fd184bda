"""The administration console's table of contents (docs/customisation.md).

Tuki's own settings pages replace Django's admin for daily work. Each app keeps its settings
pages in its own views and URLs and registers a `Section` here (in its AppConfig.ready), so
the console's home (tuki/console) lists what the signed-in person may manage without
knowing the apps. The registry lives at the bottom layer so every app can register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User


@dataclass(frozen=True)
class Section:
    """One settings area: a card on the console's home, under its heading."""

    key: str
    label: Any  # lazy translated
    description: Any  # lazy translated: one line of what is managed there
    url_name: str  # the area's first page (reverse() without arguments)
    heading: str  # one of HEADINGS' keys
    allowed: Callable[[User | AnonymousUser], bool]
    position: int = 100


# The console's headings, in page order; their labels are translated in tuki/console.
HEADINGS = ("people", "service_levels", "tickets", "catalogue", "channels", "integrations")

_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    if section.heading not in HEADINGS:
        raise ValueError(f"unknown console heading {section.heading!r}")
    _sections[section.key] = section


def unregister(key: str) -> None:
    _sections.pop(key, None)


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (HEADINGS.index(s.heading), s.position, s.key))


def sections_for(user: User | AnonymousUser) -> list[Section]:
    return [section for section in sections() if section.allowed(user)]
