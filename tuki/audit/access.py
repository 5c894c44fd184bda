"""The audit trail is for administrators (superusers and staff administrators) only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tuki.audit.models import AuditEntry


def may_read(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def entries_for(user: Any) -> QuerySet[AuditEntry]:
    """Every entry for an administrator, none for anyone else."""
    if not may_read(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("content_type", "actor")
