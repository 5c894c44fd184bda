"""What the status page shows of major incidents (availability/notices.py): each declared
major's public summary and its public updates, newest first. No ticket, no names."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from tuki.availability.notices import Notice, Update
from tuki.majors.models import Communication, CommunicationKind, MajorIncident, State

LIMIT = 10
UPDATES = 10


def notices(public: bool) -> list[Notice]:
    majors = list(
        MajorIncident.objects.filter(state=State.DECLARED)
        .only("ticket_id", "summary", "declared_at")
        .order_by("-declared_at", "-ticket_id")[:LIMIT]
    )
    if not majors:
        return []
    updates: dict[int, list[Update]] = defaultdict(list)
    rows = (
        Communication.objects.filter(
            major_id__in=[m.pk for m in majors], kind=CommunicationKind.PUBLIC
        )
        .only("major_id", "body", "posted_at")
        .order_by("-posted_at", "-id")
    )
    for row in rows[: LIMIT * UPDATES]:
        if len(updates[row.major_id]) < UPDATES:
            updates[row.major_id].append(Update(row.posted_at, row.body))
    return [
        Notice(
            title=_("Major incident"),
            summary=m.summary,
            since=m.declared_at,
            updates=updates[m.pk],
        )
        for m in majors
    ]
