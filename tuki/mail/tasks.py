"""Background work for email, run by the task worker (`tuki worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

from tuki.mail import imap, polling, sending
from tuki.mail.models import Mailbox

logger = logging.getLogger(__name__)


@task()
def poll_mailbox(mailbox_id: int) -> str:
    """Poll one mailbox, having first scheduled the next poll (polling.py explains the chain)."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first()
    if mailbox is None or not mailbox.polls_imap:
        polling.chain_ended(mailbox_id)
        return "inactive"
    failures = polling.poll_row(mailbox_id).failures
    polling.schedule_next(mailbox_id, polling.next_delay(mailbox, failures=failures))
    result = imap.poll(mailbox)
    if result.more_waiting and not result.error:
        polling.schedule_soon(mailbox_id)
    sending.requeue_due()  # retries whose enqueue was lost (a crash between commit and enqueue)
    return result.summary


@task()
def send_outbound(outbound_id: int) -> str:
    """One delivery attempt of one outbound message (sending.py)."""
    return sending.send(outbound_id)
