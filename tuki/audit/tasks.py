"""The audit trail's clean-up, as a task for the periodic scheduler."""

from __future__ import annotations

from django_tasks import task

from tuki.audit import services


@task()
def purge_expired_entries() -> int:
    """Forget the entries older than TUKI_AUDIT_RETENTION_DAYS (safe to run twice)."""
    return services.purge_expired()
