"""Writing audit entries, and forgetting them after the retention period.

Entries are written by the receivers (receivers.py) inside the transaction of the change
they describe, so a change and its record commit or roll back together. Nothing else writes
them; nobody edits them.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from tuki.audit import context
from tuki.audit.models import Action, AuditEntry

MASK = "********"
# Deleted in batches, so a first clean-up of years of entries holds no lock for long.
PURGE_BATCH = 5000


def record(
    action: str,
    *,
    instance: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    actor: context.Actor | None = None,
    object_repr: str | None = None,
) -> AuditEntry:
    actor = actor or context.current()
    entry = AuditEntry(
        action=action,
        actor=actor.user,
        actor_label=actor.label,
        via=actor.via,
        ip=actor.ip,
        user_agent=actor.user_agent,
        changes=changes or {},
    )
    if instance is not None:
        entry.content_type = ContentType.objects.get_for_model(instance._meta.model)
        entry.object_id = str(instance.pk)[:64]
        entry.object_repr = _repr(instance) if object_repr is None else object_repr[:254]
    elif object_repr is not None:
        entry.object_repr = object_repr[:254]
    entry.save()
    return entry


def _repr(instance: models.Model) -> str:
    try:
        return str(instance)[:254]
    except Exception:  # a __str__ reading a deleted relation: the id still names it
        return f"{instance._meta.verbose_name} #{instance.pk}"[:254]


def shown(value: Any) -> Any:
    """A field's value as stored in an entry: JSON, readable, no model instances."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(bytes(value))} bytes>"
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return str(value)


def retention() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "AUDIT_RETENTION_DAYS", 730)))


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the entries older than the retention period (TUKI_AUDIT_RETENTION_DAYS); the
    number deleted. Safe to run on several workers at once and to run twice."""
    cutoff = (now or timezone.now()) - retention()
    deleted = 0
    while True:
        ids = list(
            AuditEntry.objects.filter(created_at__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:PURGE_BATCH]
        )
        if not ids:
            return deleted
        deleted += AuditEntry.objects.filter(id__in=ids).delete()[0]


__all__ = ["MASK", "Action", "purge_expired", "record", "shown"]
