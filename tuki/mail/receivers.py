"""Connects outbound email to ticket events (tuki/tickets/signals.py), and polling to mailboxes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from tuki.accounts.models import SupportGroup
from tuki.lib import taskqueue
from tuki.mail.inbound import polling
from tuki.mail.models import InboundMessage, InboundStatus, Mailbox
from tuki.mail.outbound import planning
from tuki.mail.tasks import release_waiting_mail
from tuki.tickets.models import TicketEvent
from tuki.tickets.signals import event_recorded


@receiver(event_recorded, sender=TicketEvent, dispatch_uid="tuki.mail.plan_outbound")
def plan_outbound(sender: type, event: TicketEvent, **kwargs: Any) -> None:
    """Inside the service's transaction: the mail row commits or rolls back with the change."""
    what = planning.what_for(event)
    if what:
        planning.plan(event, what)


@receiver(post_save, sender=Mailbox, dispatch_uid="tuki.mail.mailbox_saved")
def mailbox_saved(sender: type, instance: Mailbox, **kwargs: Any) -> None:
    """A new or changed mailbox is polled soon (its chain starts if it was not running)."""
    mailbox_id = instance.pk
    transaction.on_commit(lambda: polling.ensure_polling(mailbox_id))


@receiver(post_save, sender=SupportGroup, dispatch_uid="tuki.mail.desk_saved")
def desk_saved(sender: type, instance: SupportGroup, **kwargs: Any) -> None:
    """Mail that came before any service desk group existed is taken in once one does."""
    if instance.tier != SupportGroup.Tier.SERVICE_DESK or not instance.is_active:
        return
    if InboundMessage.objects.filter(status=InboundStatus.HELD, reason_code="no_desk").exists():
        taskqueue.enqueue_with_change(release_waiting_mail)
