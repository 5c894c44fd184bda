"""Sections other apps add to the agent's ticket page (the configuration database's affected
items) without the tickets app importing them: they register here from their
`AppConfig.ready()`, and the ticket page renders what is registered, in `order`, in its side
column.

`context(user, ticket)` returns the template's context, or None to leave the section out. It
must cost a fixed number of queries (the ticket page's budget counts them; a section that
needs many loads its content with htmx instead).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[[User, Ticket], dict[str, Any] | None]
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def unregister(key: str) -> None:
    _SECTIONS.pop(key, None)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def rendered_for(user: User, ticket: Ticket) -> list[tuple[Section, dict[str, Any]]]:
    """The registered sections with their context, those with something to show."""
    shown = []
    for section in sections():
        context = section.context(user, ticket)
        if context is not None:
            shown.append((section, context))
    return shown
