"""The guided-script panel of Log a call (tuki/tickets/call_panels.py).

The panel runs a script with htmx and keeps the run's id in a hidden `script_run` input of
the call form. When the call is registered, an outcome the run reached decides the form's
outcome (resolve at first contact with its text and article, escalate to its group), and
the run is tied to the ticket with its transcript; a "fill fields" outcome writes its values
to the new ticket then (services.apply_fill); a run that ended nowhere is recorded as
abandoned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup
from tuki.lib.errors import ServiceError
from tuki.scripts import access, services
from tuki.tickets.call_panels import CallPanel

if TYPE_CHECKING:
    from django.http import QueryDict

    from tuki.accounts.models import User
    from tuki.scripts.models import ScriptRun
    from tuki.tickets.models import Ticket

RESOLVE, ESCALATE = "resolve", "escalate"  # LogCallForm's outcomes


def _run(user: User, post: QueryDict) -> ScriptRun | None:
    value = post.get("script_run") or ""
    if not value:
        return None
    try:
        run = access.get_run_for_user(user, value)
    except Http404:
        raise ServiceError(
            _("The script run was not found."), field="script_run", code="missing"
        ) from None
    return run if run.finished_at is None else None


def prepare(user: User, post: QueryDict, data: dict[str, Any]) -> None:
    run = _run(user, post)
    node = services.outcome_node(run) if run is not None else None
    if node is None:
        return
    if node["type"] == "resolve":
        data["outcome"] = RESOLVE
        text = str(node.get("text") or "")
        if node.get("article"):
            text = f"{text}\n{services.article_line(node['article'])}".strip()
        data["resolution"] = (data.get("resolution") or "").strip() or text
    elif node["type"] == "escalate":
        data["outcome"] = ESCALATE
        data["group"] = SupportGroup.objects.filter(
            pk=node.get("group") or 0, is_active=True
        ).first()
        if data["group"] is None:
            raise ServiceError(_("The script’s group is inactive."), field="group", code="inactive")


def registered(user: User, post: QueryDict, ticket: Ticket) -> None:
    run = _run(user, post)
    if run is None:
        return
    if services.outcome_node(run) is not None:
        services.finish(user, run, ticket)
    else:
        services.abandon(user, run)
        run.ticket = ticket
        run.save(update_fields=["ticket"])


def context(user: User, post: QueryDict) -> dict[str, Any]:
    """After a refused registration, the run the operator was following (still open)."""
    try:
        run = _run(user, post)
    except ServiceError:
        run = None
    return {"run": run}


PANEL = CallPanel(
    key="scripts",
    template="scripts/partials/call_panel.html",
    context=context,
    prepare=prepare,
    registered=registered,
    picker="scripts/partials/call_picker.html",
)
