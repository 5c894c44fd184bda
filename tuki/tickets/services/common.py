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
from tuki.tickets import signals
from tuki.tickets.models import Ticket


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


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])
