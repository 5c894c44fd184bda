"""Webhooks: the only way in (queue, deliver, retry, test; create, edit, delete endpoints).

A delivery is a row written in the caller's transaction (the ticket change and the promise
to tell the endpoint commit together); a task sends it after commit. Each attempt is taken
by exactly one worker (a conditional update), takes at most TIMEOUT seconds, and every error
ends up on the row, never in the ticket work that caused it. Failed attempts are retried
after 1 minute, 5, 30, 2 hours and 12 hours; then the delivery is failed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.configcache import cache as configcache
from tuki.lib import crypto, net
from tuki.lib.errors import ServiceError
from tuki.tickets import access as ticket_access
from tuki.tickets.models import EventAction
from tuki.webhooks import tasks
from tuki.webhooks.models import (
    EVENTS,
    TEST_EVENT,
    DeliveryState,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    new_secret,
)

if TYPE_CHECKING:
    from tuki.tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT = 10.0  # seconds; never more, whatever the setting says
STUCK_AFTER = timedelta(minutes=2)  # a "sending" row older than this lost its worker
RESPONSE_LIMIT = 1024  # bytes of an answer kept: enough to debug, too little to read a site
USER_AGENT = "Tuki-Webhooks/1"


# --- payloads -----------------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def ticket_data(ticket: Ticket) -> dict[str, Any]:
    """The ticket as every payload shows it."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "kind": ticket.kind,
        "status": ticket.status.key,
        "status_category": ticket.status.category,
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "group": ticket.group.name if ticket.group_id else None,
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "requester": ticket.requester.email,
        "organisation": ticket.organisation.name if ticket.organisation else None,
        "channel": ticket.channel,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "url": _absolute(reverse("tickets:detail", args=[ticket.number])),
    }


def event_data(event: TicketEvent) -> dict[str, Any]:
    """What one ticket event says: the change, who made it and why."""
    data: dict[str, Any] = {
        "action": event.action,
        "field": event.field,
        "old": event.old_value,
        "new": event.new_value,
        "actor": event.actor.email if event.actor else None,
        "actor_kind": event.actor_kind,
        "reason": event.reason,
        "rule_id": event.rule_id,
        "at": event.created_at.isoformat(),
    }
    comment = event.comment
    if comment is not None:
        data["comment"] = {
            "id": comment.pk,
            "internal": comment.is_internal,
            "channel": comment.channel,
            "body": comment.body,
        }
    return data


def event_names(event: TicketEvent) -> list[str]:
    """The webhook events one ticket event counts as."""
    action = event.action
    if action == EventAction.CREATED:
        names = ["created"]
        if event.ticket.channel == "email":
            names.append("email_received")
        return names
    if action in (EventAction.REPLY, EventAction.NOTE):
        names = [action]
        comment = event.comment
        if comment is not None and comment.channel == "email":
            names.append("email_received")
        return names
    if action == EventAction.STATUS:
        return ["status_changed"]
    if action == EventAction.SLA_WARNING:
        return ["sla_warning"]
    if action == EventAction.SLA_BREACHED:  # the sla app records "sla_breached"
        return ["sla_breach"]
    return ["updated"]


# --- queueing -----------------------------------------------------------------------------------


def queue_delivery(
    webhook: Webhook, ticket: Ticket | None, event_name: str, payload: dict[str, Any] | None = None
) -> WebhookDelivery:
    """Plan one delivery inside the caller's transaction; a task sends it after commit.

    `payload` holds the event's fields (the body's "data"); the body always carries the
    event name and the ticket as it is now.
    """
    if not webhook.is_active:
        raise ServiceError(
            _("The webhook %(name)s is switched off.") % {"name": webhook.name},
            field="webhook",
            code="inactive",
        )
    if ticket is not None and not may_send(webhook, ticket):
        raise ServiceError(
            _("The webhook %(name)s may not send this ticket.") % {"name": webhook.name},
            field="webhook",
            code="out_of_scope",
        )
    body = {
        "event": event_name,
        "created_at": timezone.now().isoformat(),
        "ticket": ticket_data(ticket) if ticket is not None else None,
        "data": payload or {},
    }
    body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, ticket=ticket, event=event_name[:40], payload=body
    )
    delivery_id = delivery.pk
    transaction.on_commit(lambda: enqueue_delivery(delivery_id), robust=True)
    return delivery


def may_send(webhook: Webhook, ticket: Ticket) -> bool:
    """Whether the ticket is within the webhook's scope: one its `run_as` may see now.
    A webhook whose person is gone (deleted) sends no restricted ticket."""
    if webhook.run_as_id is None:
        return not ticket.restricted
    run_as = User.objects.filter(pk=webhook.run_as_id).first()
    return run_as is not None and ticket_access.may_see(run_as, ticket)


def subscribed(event: TicketEvent) -> list[Webhook]:
    """Active webhooks subscribed to what this ticket event counts as."""
    hooks = configcache.cached(
        "webhooks.active", lambda: list(Webhook.objects.filter(is_active=True))
    )
    if not hooks:
        return []  # the usual case: nothing to work out for the event
    names = set(event_names(event))
    return [configcache.fresh(h) for h in hooks if set(h.events) & names]


def queue_for_event(
    event: TicketEvent, hooks: list[Webhook] | None = None
) -> list[WebhookDelivery]:
    """Deliveries for every active webhook subscribed to this ticket event."""
    names = event_names(event)
    hooks = subscribed(event) if hooks is None else hooks
    if not hooks:
        return []
    data = event_data(event)
    deliveries = []
    for hook in hooks:
        if not may_send(hook, event.ticket):
            continue  # out of its scope: not even a row (the log would name the ticket)
        for name in names:
            if name in hook.events:
                deliveries.append(queue_delivery(hook, event.ticket, name, data))
    return deliveries


def enqueue_delivery(delivery_id: int, *, delay: timedelta | None = None) -> None:
    """A task for one attempt, now or after `delay` where the backend can defer."""
    task = tasks.deliver_webhook
    if delay is not None:
        if not task.get_backend().supports_defer:
            return  # no deferred tasks here (tests): the sweep sends it when it is due
        task = task.using(run_after=timezone.now() + delay)
    try:
        task.enqueue(delivery_id)
    except Exception:  # a lost enqueue is caught up by the sweep; ticket work goes on
        logger.exception("cannot enqueue webhook delivery %s", delivery_id)


# --- delivering ---------------------------------------------------------------------------------


def claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a due delivery for this worker alone (conditional update: exactly one row)."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = WebhookDelivery.objects.filter(due, pk=delivery_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, next_attempt_at=now + STUCK_AFTER
    )
    if taken != 1:
        return None
    return WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>" (docs/webhooks.md)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _request(delivery: WebhookDelivery) -> tuple[dict[str, str], bytes]:
    body = json.dumps(
        {"delivery": delivery.pk, **delivery.payload}, ensure_ascii=False, sort_keys=True
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tuki-Event": delivery.event,
        "X-Tuki-Delivery": str(delivery.pk),
        "X-Tuki-Timestamp": timestamp,
        "X-Tuki-Signature": sign(
            crypto.require(delivery.webhook.secret, "webhook signing secret"), timestamp, body
        ),
    }
    return headers, body


def timeout() -> float:
    return min(float(getattr(settings, "WEBHOOK_TIMEOUT", TIMEOUT)), TIMEOUT)


def _post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    """POST to a checked public address (tuki/lib/net.py): redirects are answers, not
    followed; at most RESPONSE_LIMIT bytes of the answer are read."""
    return net.post(url, headers, body, timeout=timeout(), limit=RESPONSE_LIMIT)


def deliver(delivery_id: int) -> str:
    """One attempt of one delivery. Returns its new state, or "not due"."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "not due"
    if not delivery.webhook.is_active:
        # Switched off while this waited: keep it, failed, for a retry once it is back on.
        delivery.error = _("The webhook was switched off.")
        return _finish(delivery, DeliveryState.FAILED)
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    delivery.response_status, delivery.response_body, delivery.error = None, "", ""
    started = time.monotonic()
    status: int | None = None
    try:
        headers, body = _request(delivery)
        delivery.request_headers, delivery.request_body = headers, body.decode()
        if urlsplit(delivery.webhook.url).scheme not in ("http", "https"):
            raise ValueError(_("Only http and https URLs are allowed."))
        status, answer = _post(delivery.webhook.url, headers, body)
        delivery.response_status = status
        delivery.response_body = answer.decode("utf-8", "replace")
        if not 200 <= status < 300:
            delivery.error = _("The endpoint answered HTTP %(status)d.") % {"status": status}
    except net.BlockedAddress as exc:
        delivery.error = _blocked_message(exc)
        logger.warning("webhook delivery %s refused: %s", delivery.pk, exc)
    except Exception as exc:  # any failure is the endpoint's or the network's: log, retry
        delivery.error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.info("webhook delivery %s failed: %s", delivery.pk, delivery.error)
    delivery.duration_ms = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=WebhookAttempt.objects.filter(delivery=delivery).count() + 1,  # across retries
        at=delivery.last_attempt_at,
        response_status=delivery.response_status,
        response_excerpt=delivery.response_body[:500],
        error=delivery.error,
        duration_ms=delivery.duration_ms,
    )
    if status is not None and 200 <= status < 300:
        delivery.delivered_at = timezone.now()
        return _finish(delivery, DeliveryState.SENT)
    return _retry_or_fail(delivery)


def backoff(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt; None when it was the last."""
    return BACKOFF[attempts - 1] if 1 <= attempts <= len(BACKOFF) else None


def _retry_or_fail(delivery: WebhookDelivery) -> str:
    delay = backoff(delivery.attempts)
    if delay is None:
        return _finish(delivery, DeliveryState.FAILED)
    attempted = delivery.last_attempt_at
    if attempted is None:
        raise ValueError("A delivery is retried after an attempt.")
    delivery.next_attempt_at = attempted + delay
    state = _finish(delivery, DeliveryState.PENDING)
    delivery_id = delivery.pk
    transaction.on_commit(lambda: enqueue_delivery(delivery_id, delay=delay), robust=True)
    return state


def _finish(delivery: WebhookDelivery, state: str) -> str:
    delivery.state = state
    if state != DeliveryState.PENDING:
        delivery.next_attempt_at = None
    delivery.save(
        update_fields=[
            "state",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "request_headers",
            "request_body",
            "response_status",
            "response_body",
            "error",
            "duration_ms",
            "delivered_at",
        ]
    )
    logger.info("webhook delivery %s: %s %s", delivery.pk, state, delivery.error)
    return state


def deliver_due(limit: int = 100) -> int:
    """Enqueue deliveries whose retry is due or whose worker vanished; how many."""
    now = timezone.now()
    WebhookDelivery.objects.filter(state=DeliveryState.SENDING, next_attempt_at__lt=now).update(
        state=DeliveryState.PENDING, next_attempt_at=now
    )
    due = WebhookDelivery.objects.filter(
        Q(next_attempt_at__lte=now)
        | Q(next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1)),
        state=DeliveryState.PENDING,
    ).values_list("pk", flat=True)[:limit]
    ids = list(due)
    for delivery_id in ids:
        enqueue_delivery(delivery_id)
    return len(ids)


# --- what administrators do ---------------------------------------------------------------------


def _require_admin(actor: User) -> None:
    if not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied(_("Only administrators may manage webhooks."))


def clean_url(url: str, *, check_address: bool = True) -> str:
    """A URL webhooks may call; its host's addresses are checked unless `check_address` is
    off (an unchanged URL: switching off a webhook that now points inside is still allowed).
    """
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServiceError(_("Enter an http:// or https:// URL."), field="url", code="invalid_url")
    if parts.username or parts.password:
        raise ServiceError(
            _("Put no user name or password in the URL; the signature proves who sends."),
            field="url",
            code="invalid_url",
        )
    if len(url) > 500:
        raise ServiceError(_("The URL is too long."), field="url", code="invalid_url")
    try:
        if check_address:
            net.check_url(url)
    except net.BlockedAddress as exc:
        raise ServiceError(_blocked_message(exc), field="url", code="blocked_address") from None
    return url


def _blocked_message(exc: net.BlockedAddress) -> str:
    if exc.address is None or str(exc.address) == exc.host.strip("[]"):
        return _(
            "%(address)s is not a public internet address: webhooks do not call loopback, "
            "private, link-local or cloud metadata addresses. An operator can allow an "
            "on-premise network with TUKI_WEBHOOK_ALLOWED_NETWORKS."
        ) % {"address": exc.host}
    return _(
        "%(host)s is not a public internet address (it is %(address)s): webhooks do not "
        "call loopback, private, link-local or cloud metadata addresses. An operator can "
        "allow an on-premise network with TUKI_WEBHOOK_ALLOWED_NETWORKS."
    ) % {"host": exc.host, "address": exc.address}


def clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple):
        raise ServiceError(_("Events must be a list."), field="events", code="invalid")
    for index, name in enumerate(events):
        if name not in EVENTS:
            raise ServiceError(_("Unknown event."), field=f"events.{index}", code="invalid")
    return [name for name in EVENTS if name in events]


def _clean(data: dict[str, Any], current: Webhook | None = None) -> dict[str, Any]:
    name = str(data.get("name", current.name if current else "") or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    url = str(data.get("url", current.url if current else "") or "")
    changed = current is None or url.strip() != current.url
    return {
        "name": name[:120],
        "url": clean_url(url, check_address=changed),
        "events": clean_events(data.get("events", current.events if current else [])),
        "is_active": bool(data.get("is_active", current.is_active if current else True)),
    }


def create_webhook(actor: User, **data: Any) -> Webhook:
    _require_admin(actor)
    clean = _clean(data)
    return Webhook.objects.create(created_by=actor, run_as=actor, secret=new_secret(), **clean)


def update_webhook(actor: User, webhook: Webhook, **data: Any) -> Webhook:
    _require_admin(actor)
    clean = _clean(data, current=webhook)
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.run_as = actor  # whoever saves it answers for what it sends
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def rotate_secret(actor: User, webhook: Webhook) -> Webhook:
    _require_admin(actor)
    # A save, not update(): the audit trail (tuki/audit) records the rotation (masked).
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        locked.secret, locked.updated_at = new_secret(), timezone.now()
        locked.save(update_fields=["secret", "updated_at"])
    return locked


def delete_webhook(actor: User, webhook: Webhook) -> None:
    _require_admin(actor)
    Webhook.objects.filter(pk=webhook.pk).delete()


def send_test(actor: User, webhook: Webhook) -> WebhookDelivery:
    """A "ping" delivery, signed like the others, sent at once after commit."""
    _require_admin(actor)
    with transaction.atomic():
        return queue_delivery(
            webhook,
            None,
            TEST_EVENT,
            {"message": "Test delivery from Tuki.", "requested_by": actor.email},
        )


def retry_delivery(actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Another round of attempts for a failed (or waiting) delivery, starting now."""
    _require_admin(actor)
    with transaction.atomic():
        updated = WebhookDelivery.objects.filter(
            pk=delivery.pk, state__in=(DeliveryState.FAILED, DeliveryState.PENDING)
        ).update(state=DeliveryState.PENDING, next_attempt_at=None, attempts=0)
        if updated != 1:
            raise ServiceError(
                _("This delivery is being sent or was delivered already."),
                field="delivery",
                code="not_retryable",
            )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: enqueue_delivery(delivery_id), robust=True)
    return WebhookDelivery.objects.get(pk=delivery.pk)
