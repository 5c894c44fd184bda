"""Housekeeping of the live layer."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tuki.live.models import LiveEvent

KEEP = timedelta(minutes=5)


def forget_old() -> int:
    """Polled messages older than a few minutes (a page away longer fetches everything again)."""
    deleted, _ = LiveEvent.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return deleted
