"""When and by whom a mailbox is polled: a lease per mailbox and a self-rescheduling task.

1. `poll_mailbox` (tasks.py) first schedules the next poll with `run_after`, so a worker
   killed mid-poll loses nothing. Only the chain whose poll was due may schedule (a
   conditional UPDATE on next_poll_at), so extra chains ("poll now", a re-saved mailbox)
   die out and one poll per interval remains.
2. It claims the mailbox's lease with a conditional UPDATE that succeeds for one worker
   only; an expired lease (a crashed worker) may be taken over.
3. It polls (imap.py), renewing the lease after each message, then releases it. When more
   messages are waiting than one poll takes, the next poll is brought forward.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tuki.mail import conf
from tuki.mail.models import Mailbox, MailboxPoll

logger = logging.getLogger(__name__)

MIN_INTERVAL = 10  # seconds
MAX_BACKOFF = 3600


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
    done = {"lease_owner": "", "lease_until": None, "last_poll_at": now, "last_error": error[:4000]}
    if error:
        done["failures"] = F("failures") + 1
    else:
        done.update(last_success_at=now, failures=0)
    MailboxPoll.objects.filter(mailbox_id=mailbox_id, lease_owner=token).update(**done)


def next_delay(mailbox: Mailbox, *, failures: int = 0) -> timedelta:
    seconds = max(MIN_INTERVAL, mailbox.poll_interval)
    if failures:
        seconds = min(MAX_BACKOFF, seconds * 2 ** min(failures, 10))
    return timedelta(seconds=seconds)


def schedule_next(mailbox_id: int, delay: timedelta) -> bool:
    """Schedule this mailbox's next poll, unless a later one is already scheduled."""
    from tuki.mail import tasks

    if not tasks.poll_mailbox.get_backend().supports_defer:
        return False  # immediate backend (tests): polls are run explicitly
    poll_row(mailbox_id)
    now = timezone.now()
    at = now + delay
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    with transaction.atomic():
        moved = MailboxPoll.objects.filter(due, mailbox_id=mailbox_id).update(next_poll_at=at)
        if moved == 1:
            transaction.on_commit(
                lambda: tasks.poll_mailbox.using(run_after=at).enqueue(mailbox_id)
            )
    return moved == 1


def schedule_soon(mailbox_id: int) -> bool:
    """Bring the next poll forward to now (more messages are waiting)."""
    from tuki.mail import tasks

    if not tasks.poll_mailbox.get_backend().supports_defer:
        return False
    now = timezone.now()
    with transaction.atomic():
        moved = MailboxPoll.objects.filter(mailbox_id=mailbox_id, next_poll_at__gt=now).update(
            next_poll_at=now
        )
        if moved == 1:
            transaction.on_commit(lambda: tasks.poll_mailbox.enqueue(mailbox_id))
    return moved == 1


def ensure_polling(mailbox_id: int | None = None) -> int:
    """Start the chain of every active IMAP mailbox whose chain ended or stalled, or whose
    next poll lies further ahead than its (maybe just shortened) interval."""
    mailboxes = Mailbox.objects.filter(is_active=True).exclude(imap_host="")
    if mailbox_id is not None:
        mailboxes = mailboxes.filter(pk=mailbox_id)
    started = 0
    now = timezone.now()
    for mailbox in mailboxes:
        row = poll_row(mailbox.pk)
        interval = timedelta(seconds=max(MIN_INTERVAL, mailbox.poll_interval))
        stalled = now - 3 * interval - timedelta(minutes=5)
        at = row.next_poll_at
        if at is None or at < stalled or at > now + interval * 2 ** min(row.failures, 10):
            MailboxPoll.objects.filter(pk=row.pk).update(next_poll_at=None)
            started += schedule_next(mailbox.pk, timedelta(0))
    return started


def chain_ended(mailbox_id: int) -> None:
    """The mailbox was switched off: saving it active again restarts its chain at once."""
    MailboxPoll.objects.filter(mailbox_id=mailbox_id).update(next_poll_at=None)
