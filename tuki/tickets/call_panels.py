"""Panels other apps add to Log a call (guided scripts) without the tickets app importing
them: they register here from their `AppConfig.ready()`.

- `template`, rendered in the page's side column with `context(user, post)` (`post` is
  empty but on a refused registration, so a panel can show its state again);
- `picker` (optional), rendered beside the kind picker (incident or request) with the same
  context: another way to take the call, such as ordering from the catalogue;
- `prepare(user, post, data)`: before registering, may change the form's cleaned data (the
  outcome a script reached) or raise ServiceError with a field;
- `registered(user, post, ticket)`: inside the registering transaction, after the ticket
  exists (tie a script run to it, write its transcript).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import QueryDict

    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


@dataclass(frozen=True)
class CallPanel:
    key: str
    template: str
    context: Callable[[User, QueryDict], dict[str, Any]]
    prepare: Callable[[User, QueryDict, dict[str, Any]], None]
    registered: Callable[[User, QueryDict, Ticket], None]
    picker: str = ""


_PANELS: dict[str, CallPanel] = {}


def register(panel: CallPanel) -> None:
    _PANELS[panel.key] = panel


def unregister(key: str) -> None:
    _PANELS.pop(key, None)


def panels() -> list[CallPanel]:
    return [_PANELS[key] for key in sorted(_PANELS)]
