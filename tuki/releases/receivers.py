"""Keep each release ticket's detail row and stage in step with the ticket (connected in
ReleasesConfig.ready()): a ticket registered as, or switched to, a release gets its Release
row; a status move by any door moves the stage (services.STAGE_OF_STATUS)."""

from __future__ import annotations

from typing import Any

from tuki.releases import services
from tuki.releases.models import Release, Stage
from tuki.tickets.models import EventAction, Kind, TicketEvent


def on_event(sender: Any, event: TicketEvent, **kwargs: Any) -> None:
    ticket = event.ticket
    if ticket.kind != Kind.RELEASE:
        return
    if event.action == EventAction.CREATED or (
        event.action == EventAction.FIELD and event.field == "kind"
    ):
        first = services.STAGE_OF_STATUS.get(ticket.status.key, Stage.BUILD)
        Release.objects.get_or_create(ticket=ticket, defaults={"stage": first})
    elif event.action == EventAction.STATUS:
        stage = services.STAGE_OF_STATUS.get(ticket.status.key)
        if stage is not None:
            Release.objects.filter(pk=ticket.pk).exclude(stage=stage).update(stage=stage)
