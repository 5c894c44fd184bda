"""Sections other apps add to a configuration item's page (capacity's metrics, monitoring's
alerts) without the cmdb app importing them: they register here from their
`AppConfig.ready()`, the CI page renders what is registered, in `order`.

`context(user, ci)` returns the template's context, or None to leave the section out (the
reader may not see it, or there is nothing to show). It must cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.cmdb.models import ConfigurationItem


@dataclass(frozen=True)
class Panel:
    key: str
    template: str
    context: Callable[[User, ConfigurationItem], dict[str, Any] | None]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def rendered_for(user: User, ci: ConfigurationItem) -> list[tuple[Panel, dict[str, Any]]]:
    """The registered sections with their context, those with something to show."""
    shown = []
    for panel in panels():
        context = panel.context(user, ci)
        if context is not None:
            shown.append((panel, context))
    return shown
