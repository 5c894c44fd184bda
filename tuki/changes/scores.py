"""The change success score (docs/changes.md, "Success score"): per implementing group and
per service, the share of the changes resolved in a period that were successful and caused
no incident. Counts only the changes the reader may see; three queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tuki.changes import access
from tuki.changes.models import Outcome
from tuki.cmdb.models import SERVICE_LAYERS, AffectedItem
from tuki.tickets.models import LinkType, TicketLink

if TYPE_CHECKING:
    from tuki.accounts.models import User


@dataclass
class Score:
    id: int
    name: str
    total: int = 0
    successful: int = 0

    @property
    def score(self) -> float | None:
        """0-100, or None with no change."""
        return round(100 * self.successful / self.total, 1) if self.total else None


@dataclass
class Scores:
    start: datetime
    end: datetime
    total: int
    successful: int
    groups: list[Score]
    services: list[Score]

    @property
    def score(self) -> float | None:
        return round(100 * self.successful / self.total, 1) if self.total else None


def scores(user: User, start: datetime, end: datetime) -> Scores:
    rows = list(
        access.visible_changes(user)
        .filter(ticket__resolved_at__gte=start, ticket__resolved_at__lt=end)
        .exclude(outcome="")
        .values_list("pk", "outcome", "ticket__group_id", "ticket__group__name")
    )
    ids = [pk for pk, *_rest in rows]
    caused = set(
        TicketLink.objects.filter(type=LinkType.CAUSED_BY, target_id__in=ids).values_list(
            "target_id", flat=True
        )
    )
    good = {pk for pk, outcome, *_rest in rows if outcome == Outcome.SUCCESSFUL} - caused
    groups: dict[int, Score] = {}
    for pk, _outcome, group_id, group_name in rows:
        if group_id is None:
            continue
        score = groups.setdefault(group_id, Score(group_id, group_name))
        score.total += 1
        score.successful += pk in good
    services: dict[int, Score] = {}
    for ticket_id, ci_id, ci_name in AffectedItem.objects.filter(
        ticket_id__in=ids, ci__ci_class__layer__in=SERVICE_LAYERS
    ).values_list("ticket_id", "ci_id", "ci__name"):
        score = services.setdefault(ci_id, Score(ci_id, ci_name))
        score.total += 1
        score.successful += ticket_id in good

    def ordered(values: dict[int, Score]) -> list[Score]:
        return sorted(values.values(), key=lambda s: (s.score or 0, s.name))

    return Scores(start, end, len(rows), len(good), ordered(groups), ordered(services))
