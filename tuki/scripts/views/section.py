"""The ticket page's section: the scripts followed on this ticket, as readable transcripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuki.scripts import services, tree
from tuki.scripts.models import ScriptRun
from tuki.tickets.models import Channel

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    # Scripts run on calls: other tickets skip the query (the ticket page's query budget);
    # a run recorded through the API on another ticket has its transcript note there.
    if ticket.channel != Channel.PHONE:
        return None
    runs = list(
        ScriptRun.objects.filter(ticket=ticket)
        .select_related("version__script")
        .order_by("started_at", "id")
    )
    if not runs:
        return None
    shown = []
    for run in runs:
        node = tree.nodes(run.version.tree).get(run.outcome_node or run.dropped_at) or {}
        shown.append(
            {
                "run": run,
                "steps": services.transcript(run),
                "end_text": node.get("text", ""),
            }
        )
    return {"script_runs": shown}
