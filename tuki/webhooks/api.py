"""Webhooks over REST, under /api/v1/webhooks/: administrators only (anyone else a 404).

The signing secret is returned when a webhook is created and by POST /{id}/secret (rotate).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router

from tuki.lib.bounds import Id, Int, Schema
from tuki.lib.http import ApiRequest
from tuki.webhooks import access, services
from tuki.webhooks.models import DeliveryState, Webhook, WebhookDelivery

router = Router(tags=["webhooks"])


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    run_as: str | None = Field(
        None, description="Sends only tickets this person (who last saved it) may see"
    )
    created_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(description="Signs X-Tuki-Signature; keep it on the endpoint")


class WebhookIn(Schema):
    name: str = Field(max_length=120)
    url: str = Field(max_length=500)
    events: list[str] = Field(default_factory=list)
    is_active: bool = True


class WebhookPatch(Schema):
    name: str | None = Field(None, max_length=120)
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = None
    is_active: bool | None = None


class DeliveryOut(Schema):
    id: int
    webhook: int
    ticket: str | None
    hidden: bool = Field(
        False,
        description="About a ticket you may not see: no ticket, payload or response is shown",
    )
    event: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    error: str
    duration_ms: int | None
    created_at: datetime
    delivered_at: datetime | None


class AttemptOut(Schema):
    number: int
    at: datetime
    response_status: int | None
    error: str
    duration_ms: int | None


class DeliveryDetail(DeliveryOut):
    attempt_log: list[AttemptOut]
    payload: dict[str, Any]
    request_headers: dict[str, str]
    request_body: str
    response_body: str


def _hook(webhook: Webhook, *, secret: bool = False) -> dict[str, Any]:
    data = {
        "id": webhook.pk,
        "name": webhook.name,
        "url": webhook.url,
        "events": webhook.events,
        "is_active": webhook.is_active,
        "run_as": webhook.run_as.email if webhook.run_as else None,
        "created_at": webhook.created_at,
    }
    if secret:
        data["secret"] = webhook.secret
    return data


def _delivery(d: WebhookDelivery, *, detail: bool = False) -> dict[str, Any]:
    """A delivery about a ticket the caller may not see keeps its state but names no ticket
    and shows no payload or answer (`hidden`: true)."""
    hidden = d.hidden
    data: dict[str, Any] = {
        "id": d.pk,
        "webhook": d.webhook_id,
        "ticket": d.ticket.number if d.ticket and not hidden else None,
        "hidden": hidden,
        "event": d.event,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_attempt_at": d.last_attempt_at,
        "response_status": d.response_status,
        "error": d.error,
        "duration_ms": d.duration_ms,
        "created_at": d.created_at,
        "delivered_at": d.delivered_at,
    }
    if detail:
        data.update(
            attempt_log=[
                {
                    "number": a.number,
                    "at": a.at,
                    "response_status": a.response_status,
                    "error": a.error,
                    "duration_ms": a.duration_ms,
                }
                for a in d.attempt_log.all()
            ],
            payload={} if hidden else d.payload,
            request_headers={} if hidden else d.request_headers,
            request_body="" if hidden else d.request_body,
            response_body="" if hidden else d.response_body,
        )
    return data


def _admin(request: ApiRequest) -> Any:
    from django.http import Http404

    if not access.is_admin(request.user):
        raise Http404("No webhooks here")
    return request.user


@router.get("", response=list[WebhookOut], summary="Webhooks")
def list_webhooks(request: ApiRequest) -> list[dict[str, Any]]:
    _admin(request)
    return [_hook(w) for w in Webhook.objects.select_related("run_as").order_by("name", "id")]


@router.post("", response={201: WebhookWithSecret}, summary="Create a webhook")
def create_webhook(request: ApiRequest, payload: WebhookIn) -> tuple[int, dict[str, Any]]:
    user = _admin(request)
    return 201, _hook(services.create_webhook(user, **payload.dict()), secret=True)


@router.get("/deliveries/{delivery_id}", response=DeliveryDetail, summary="One delivery")
def get_delivery(request: ApiRequest, delivery_id: Id) -> dict[str, Any]:
    user = _admin(request)
    return _delivery(access.get_delivery_for_user(user, delivery_id), detail=True)


@router.post(
    "/deliveries/{delivery_id}/retry", response=DeliveryOut, summary="Retry a delivery now"
)
def retry_delivery(request: ApiRequest, delivery_id: Id) -> dict[str, Any]:
    user = _admin(request)
    delivery = access.get_delivery_for_user(user, delivery_id)
    services.retry_delivery(user, delivery)
    return _delivery(access.get_delivery_for_user(user, delivery_id))


@router.get("/{webhook_id}", response=WebhookOut, summary="One webhook")
def get_webhook(request: ApiRequest, webhook_id: Id) -> dict[str, Any]:
    user = _admin(request)
    return _hook(access.get_webhook_for_user(user, webhook_id))


@router.patch("/{webhook_id}", response=WebhookOut, summary="Edit a webhook")
def update_webhook(request: ApiRequest, webhook_id: Id, payload: WebhookPatch) -> dict[str, Any]:
    user = _admin(request)
    webhook = access.get_webhook_for_user(user, webhook_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return _hook(services.update_webhook(user, webhook, **changes))


@router.delete("/{webhook_id}", response={204: None}, summary="Delete a webhook")
def delete_webhook(request: ApiRequest, webhook_id: Id) -> tuple[int, None]:
    user = _admin(request)
    services.delete_webhook(user, access.get_webhook_for_user(user, webhook_id))
    return 204, None


@router.post("/{webhook_id}/secret", response=WebhookWithSecret, summary="Make a new secret")
def rotate_secret(request: ApiRequest, webhook_id: Id) -> dict[str, Any]:
    user = _admin(request)
    webhook = access.get_webhook_for_user(user, webhook_id)
    return _hook(services.rotate_secret(user, webhook), secret=True)


@router.post("/{webhook_id}/test", response={202: DeliveryOut}, summary="Send a test ping")
def send_test(request: ApiRequest, webhook_id: Id) -> tuple[int, dict[str, Any]]:
    user = _admin(request)
    delivery = services.send_test(user, access.get_webhook_for_user(user, webhook_id))
    return 202, _delivery(delivery)


@router.get("/{webhook_id}/deliveries", response=list[DeliveryOut], summary="Delivery log")
def list_deliveries(
    request: ApiRequest,
    webhook_id: Id,
    state: DeliveryState | None = None,
    limit: Int = 50,
) -> list[dict[str, Any]]:
    user = _admin(request)
    webhook = access.get_webhook_for_user(user, webhook_id)
    rows = access.deliveries_seen_by(
        user,
        webhook.deliveries.select_related("ticket").defer(
            "payload", "request_body", "response_body", "request_headers"
        ),
    )
    if state is not None:
        rows = rows.filter(state=state)
    return [_delivery(d) for d in rows[: max(1, min(limit, 200))]]
