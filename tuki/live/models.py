"""Live messages kept for polling pages on SQLite (bus.py); PostgreSQL never writes here."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveEvent(models.Model):
    topic = models.CharField(max_length=100)
    kind = models.CharField(max_length=20)
    data = models.JSONField(default=dict)
    audience = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["topic", "id"], name="live_topic_id")]

    def __str__(self) -> str:
        return f"{self.topic} {self.kind}"
