"""Configuration read on every ticket change, kept per process while it is unchanged.

Creating a ticket reads the statuses, the priority matrix, the service desk groups, the SLA
policies with their agreements, services and calendars, and the webhooks. They change a few
times a year and are read thousands of times an hour, so each process keeps what it loaded,
tagged with the configuration's *version*. architecture.md forbids state another process needs:
the version is read from the database (one single-row query) whenever a cached value is
used, so a change committed by any process is seen by the next ticket change everywhere,
exactly as without the cache.

The version is the token of the one row of `configcache_version`. A trigger on each table
in TABLES (the migration adds them, on PostgreSQL and SQLite) writes a new random token in
the same transaction as any INSERT, UPDATE, DELETE or TRUNCATE there: it commits with the
change, also when made by QuerySet.update(), bulk_create(), raw SQL or another program, and
several changes in one transaction give several tokens. No row (a flushed test database):
nothing is cached.

`pinned()` reads the version once for a whole service call (a ticket creation asks for
several cached values; they need one query, not one each).

Cached values are shared between requests: treat them as read-only. `fresh()` hands out a
copy of a model instance, so that a caller attaching it to a ticket or caching a related
object on it never changes what the next request gets.
"""

from __future__ import annotations

import contextvars
import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

# The tables cached values are read from; each has the trigger (migrations/0001). A loader
# reading another table needs it added here and a migration adding its trigger.
TABLES = (
    "tickets.Status",
    "tickets.PriorityRule",
    "tickets.Category",
    "accounts.SupportGroup",
    "accounts.SupportGroup.members",
    "sla.SlaPolicy",
    "sla.SlaPolicy.organisations",
    "sla.SlaPolicy.agreements",
    "sla.SlaPolicy.services",
    "sla.SlaPolicy.categories",
    "sla.SlaPolicy.pause_statuses",
    "sla.SlaTarget",
    "sla.OlaTarget",
    "sla.Agreement",
    "sla.Agreement.services",
    "sla.Service",
    "sla.Service.categories",
    "calendars.Calendar",
    "webhooks.Webhook",
    "automation.Rule",
    "tickets.CustomField",
    "tickets.CustomField.categories",
)

VERSION_SQL = "SELECT token FROM configcache_version WHERE id = 1"

_values: dict[str, tuple[str, Any]] = {}
# Inside pinned(): a one-item list holding the version once the block has read it.
_pinned: contextvars.ContextVar[list[str | None] | None] = contextvars.ContextVar(
    "tuki_configcache_pinned", default=None
)


def _read() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL)
        row = cursor.fetchone()
    return str(row[0]) if row else None


def version() -> str | None:
    """The configuration's version now (pinned for the current block), None: do not cache."""
    pinned = _pinned.get()
    if pinned:
        return pinned[0]
    current = _read()
    if pinned is not None:
        pinned.append(current)
    return current


@contextmanager
def pinned() -> Iterator[None]:
    """Read the version at most once (when first needed) for everything this block uses."""
    if _pinned.get() is not None:
        yield
        return
    token = _pinned.set([])
    try:
        yield
    finally:
        _pinned.reset(token)


def cached(key: str, load: Callable[[], T]) -> T:
    """`load()`'s value, loaded again only when the configuration changed since."""
    current = version()
    if current is None:
        return load()
    found = _values.get(key)
    if found is not None and found[0] == current:
        return found[1]
    value = load()
    _values[key] = (current, value)
    return value


def fresh(instance: T) -> T:
    """A copy of a cached model instance (its own state and related-object cache)."""
    return copy.copy(instance)


def clear() -> None:
    """Forget every cached value."""
    _values.clear()
