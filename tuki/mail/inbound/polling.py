"""When and by whom a mailbox is polled: a lease per mailbox and a self-rescheduling task.

1. `poll_mailbox` (below) first schedules the next poll with `run_after`, so a worker
   killed mid-poll loses nothing. Only the chain whose poll was due may schedule (a
   conditional UPDATE on next_poll_at), so extra chains ("poll now", a re-saved mailbox)
   die out and one poll per interval remains.
2. It claims the mailbox's lease (leases.py) with a conditional UPDATE that succeeds for
   one worker only; an expired lease (a crashed worker) may be taken over.
3. It polls (imap.py), renewing the lease after each message, then releases it. When more
   messages are waiting than one poll takes, the next poll is brought forward.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from tuki.mail.inbound import imap
from tuki.mail.inbound.leases import poll_row
from tuki.mail.models import Mailbox, MailboxPoll
from tuki.mail.outbound import sending

logger = logging.getLogger(__name__)

MIN_INTERVAL = 10  # seconds
MAX_BACKOFF = 3600


@task()
def poll_mailbox(mailbox_id: int) -> str:
    """Poll one mailbox, having first scheduled the next poll (the chain described above)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None or not mailbox.polls_imap:
        chain_ended(mailbox_id)
        return "inactive"
    failures = poll_row(mailbox_id).failures
    schedule_next(mailbox_id, next_delay(mailbox, failures=failures))
    result = imap.poll(mailbox)
    if result.more_waiting and not result.error:
        schedule_soon(mailbox_id)
    sending.requeue_due()  # retries whose enqueue was lost (a crash between commit and enqueue)
    return result.summary


def next_delay(mailbox: Mailbox, *, failures: int = 0) -> timedelta:
    seconds = max(MIN_INTERVAL, mailbox.poll_interval)
    if failures:
        seconds = min(MAX_BACKOFF, seconds * 2 ** min(failures, 10))
    return timedelta(seconds=seconds)


def schedule_next(mailbox_id: int, delay: timedelta) -> bool:
    """Schedule this mailbox's next poll, unless a later one is already scheduled."""
    if not poll_mailbox.get_backend().supports_defer:
        return False  # immediate backend (tests): polls are run explicitly
    poll_row(mailbox_id)
    now = timezone.now()
    at = now + delay
    due = Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    with transaction.atomic():
        moved = MailboxPoll.objects.filter(due, mailbox_id=mailbox_id).update(next_poll_at=at)
        if moved == 1:
            transaction.on_commit(lambda: poll_mailbox.using(run_after=at).enqueue(mailbox_id))
    return moved == 1


def schedule_soon(mailbox_id: int) -> bool:
    """Bring the next poll forward to now (more messages are waiting)."""
    if not poll_mailbox.get_backend().supports_defer:
        return False
    now = timezone.now()
    with transaction.atomic():
        moved = MailboxPoll.objects.filter(mailbox_id=mailbox_id, next_poll_at__gt=now).update(
            next_poll_at=now
        )
        if moved == 1:
            transaction.on_commit(lambda: poll_mailbox.enqueue(mailbox_id))
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
