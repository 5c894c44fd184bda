"""Sections that the apps above accounts add to a user's preferences page.

accounts sits in the bottom layer (docs/development/architecture.md, "Layers"), so its views
may not import the apps that have something to show there (routing's away dates). Such an
app registers a section from its `AppConfig.ready()`: the template the page includes and a
function giving that template's context for the user, or None when the section is not theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tuki.accounts.models import User

SectionContext = Callable[[User], dict[str, object] | None]


@dataclass(frozen=True)
class Section:
    template: str
    context: SectionContext


# By template: registering twice (a second ready() in tests) keeps one section.
_sections: dict[str, Section] = {}


def register(template: str, context: SectionContext) -> None:
    _sections[template] = Section(template, context)


def sections_for(user: User) -> tuple[list[str], dict[str, object]]:
    """The templates to include, in the order of registration, and the context they read."""
    templates: list[str] = []
    context: dict[str, object] = {}
    for section in _sections.values():
        extra = section.context(user)
        if extra is not None:
            templates.append(section.template)
            context.update(extra)
    return templates, context
