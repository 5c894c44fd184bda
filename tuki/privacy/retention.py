"""Retention of raw inbound mail: after TUKI_RAW_MAIL_RETENTION_DAYS (default 90) the bytes
of a received message are cleared. What intake made of it stays: the ticket, the comment,
its attachments, and the message's row (sender, subject, Message-ID, status) that threading
and duplicate detection read. Quarantined (or held) messages keep their bytes: an agent has
not decided on them yet. `tuki clear_raw_mail` runs it; the periodic scheduler calls
`clear_raw_mail()` once a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tuki.mail.models import InboundMessage, InboundStatus

# Only messages intake is done with; anything else still waits for a person.
CLEARED_STATUSES = (InboundStatus.PROCESSED, InboundStatus.IGNORED)


def clear_raw_mail(now: datetime | None = None, days: int | None = None) -> int:
    """Clear the raw bytes of inbound mail received more than `days` ago; returns how many.

    Safe to run twice or on two workers at once: one UPDATE, already cleared rows excluded.
    `days` 0 (or TUKI_RAW_MAIL_RETENTION_DAYS=0) keeps raw mail for ever.
    """
    days = settings.RAW_MAIL_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return (
        InboundMessage.objects.filter(received_at__lt=cutoff, status__in=CLEARED_STATUSES)
        .exclude(raw=b"")
        .update(raw=b"")
    )
