"""Entries are kept TUKI_AUDIT_RETENTION_DAYS (two years by default), then purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.audit import services, tasks
from tuki.audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db


def entry_aged(days: int) -> AuditEntry:
    entry = services.record(Action.SIGN_IN_FAILED, object_repr=f"{days} days")
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(days=days))
    return entry


def test_the_default_keeps_two_years(settings):
    assert settings.AUDIT_RETENTION_DAYS == 730
    kept, gone = entry_aged(729), entry_aged(731)
    assert services.purge_expired() == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEntry.objects.filter(pk=gone.pk).exists()


def test_the_setting_shortens_it_and_a_second_run_does_nothing(settings, monkeypatch):
    settings.AUDIT_RETENTION_DAYS = 30
    monkeypatch.setattr(services, "PURGE_BATCH", 2)  # several batches
    for days in (31, 40, 50, 60, 70):
        entry_aged(days)
    recent = entry_aged(29)
    assert services.purge_expired() == 5
    assert services.purge_expired() == 0
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_task_purges(settings):
    settings.AUDIT_RETENTION_DAYS = 1
    entry_aged(3)
    result = tasks.purge_expired_entries.enqueue()
    assert result.return_value == 1
    assert not AuditEntry.objects.exists()
