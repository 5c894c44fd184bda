"""Who polls a mailbox right now: one lease per mailbox (a MailboxPoll row), taken with a
conditional UPDATE that succeeds for one worker only. An expired lease (a crashed worker)
may be taken over; the holder renews it after each message (imap.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from tuki.mail import conf
from tuki.mail.models import MailboxPoll


def poll_row(mailbox_id: int) -> MailboxPoll:
    row, _created = MailboxPoll.objects.get_or_create(mailbox_id=mailbox_id)
    return row


def claim_lease(mailbox_id: int) -> str | None:
    """A token if this worker now holds the mailbox, None if another worker does."""
    poll_row(mailbox_id)
    token = uuid.uuid4().hex
    now = timezone.now()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = MailboxPoll.objects.filter(free, mailbox_id=mailbox_id).update(
        lease_owner=token, lease_until=now + timedelta(seconds=conf.lease_seconds())
    )
    return token if taken == 1 else None


def renew_lease(mailbox_id: int, token: str) -> bool:
    """False when the lease expired and another worker took it: stop at once."""
    until = timezone.now() + timedelta(seconds=conf.lease_seconds())
    return (
        MailboxPoll.objects.filter(mailbox_id=mailbox_id, lease_owner=token).update(
            lease_until=until
        )
        == 1
    )


def release_lease(mailbox_id: int, token: str, *, error: str = "") -> None:
    now = timezone.now()
    done: dict[str, object] = {
        "lease_owner": "",
        "lease_until": None,
        "last_poll_at": now,
        "last_error": error[:4000],
    }
    if error:
        done["failures"] = F("failures") + 1
    else:
        done.update(last_success_at=now, failures=0)
    MailboxPoll.objects.filter(mailbox_id=mailbox_id, lease_owner=token).update(**done)
