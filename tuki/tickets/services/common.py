"""What every ticket service does: one transaction at one configuration version, the ticket
re-read under a row lock, the agents-only check and the `updated_at` stamp.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.configcache import cache as configcache
from tuki.lib import taskqueue
from tuki.lib.errors import ServiceError
from tuki.tickets import signals
from tuki.tickets.models import FIELD_LABELS, Ticket, TicketEvent


@contextmanager
def _writing() -> Iterator[None]:
    """A service's transaction.

    The configuration (statuses, SLA policies, webhooks: tuki/configcache/cache.py) is read
    at one version for the whole call. When this block is the whole transaction (no caller's
    transaction around it), `signals.committing` is sent just before the commit, so that
    receivers can write the follow-up work they collected (a queued task) into it, and the
    tasks enqueued through tuki/lib/taskqueue.py meanwhile are written by one INSERT: one
    commit for the change and everything it sets off.
    """
    outermost = not transaction.get_connection().in_atomic_block
    with configcache.pinned(), transaction.atomic():
        if not outermost:
            yield
            return
        with taskqueue.collecting():  # inside the transaction: on-commit work enqueues alone
            yield
            signals.committing.send(sender=Ticket)
            taskqueue.flush()


def _lock(actor: User | None, ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock, checking the actor may still see it."""
    qs = Ticket.objects.all() if actor is None else Ticket.objects.visible_to(actor)
    locked = qs.select_for_update().filter(pk=ticket.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot see this ticket."))
    return Ticket.objects.with_related().get(pk=locked.pk)


def _require_agent(actor: User | None) -> None:
    if actor is not None and not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only agents may do this."))


def _touch(ticket: Ticket, *fields: str, bump: bool | None = None) -> None:
    """Stamp `updated_at`, and move the version on when fields changed (`bump`: whatever the
    fields). Hold the ticket lock (`_lock`): the version is counted on from the locked row.

    A comment, a link, a watcher or a file alone leaves the version: the ticket's fields are
    what an edit can lose (docs/api.md, "Editing at the same time")."""
    ticket.updated_at = timezone.now()
    names = [*fields, "updated_at"]
    if fields if bump is None else bump:
        ticket.version += 1
        names.append("version")
    ticket.save(update_fields=names)


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    """Refuse the change when the caller saw another version than the locked ticket's.

    Called under the row lock, so of two writers that saw the same version one passes."""
    if expected_version is None or expected_version == ticket.version:
        return
    raise StaleTicket(ticket, expected_version)


class StaleTicket(ServiceError):
    """The ticket changed since the caller read it (an `If-Match`, a page opened earlier)."""

    def __init__(self, ticket: Ticket, expected_version: int):
        super().__init__(
            _("This ticket changed since you opened it (version %(seen)s, now %(now)s).")
            % {"seen": expected_version, "now": ticket.version},
            field="version",
            code="stale",
        )
        self.version = ticket.version
        self.changed = changed_since(ticket, expected_version)


def changed_since(ticket: Ticket, version: int) -> list[str]:
    """The fields changed after `version`, in the order they changed, from the events."""
    rows = (
        TicketEvent.objects.filter(ticket=ticket, version__gt=version, version__lte=ticket.version)
        .exclude(field="")
        .order_by("created_at", "id")
        .values_list("field", flat=True)
    )
    return [f for f in dict.fromkeys(rows) if f in FIELD_LABELS or f.startswith("custom.")]
