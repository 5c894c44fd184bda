"""The "Impact" section of an item's page: what its failure reaches, and what it needs
(tuki/cmdb/impact.py). Filled in once the impact module is on main."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tuki.cmdb.models import ConfigurationItem
from tuki.tickets.models import Ticket


def impact_context(
    user: Any, ci: ConfigurationItem, readable: QuerySet[ConfigurationItem]
) -> dict[str, Any] | None:
    return None


def ticket_impact_context(
    user: Any, ticket: Ticket, readable: QuerySet[ConfigurationItem]
) -> dict[str, Any] | None:
    return None
