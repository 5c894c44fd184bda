"""`POST /api/v1/alerts`: alerts from Prometheus Alertmanager (its webhook, version 4) or in
Tuki's plain JSON form (docs/operations.md, "Monitoring alerts").

Who may post: an alert source with its own token (`Authorization: Bearer tukialert_…`), or
a staff administrator with a personal token or session (`?source=NAME` posts with that
source's settings). Anyone else gets a 404. Refused input is a 422 naming each field.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import ValidationError
from ninja.security import HttpBearer

from tuki.accounts.api_auth import activate_preferences, api_auth
from tuki.lib.bounds import Schema
from tuki.monitoring import access, services
from tuki.monitoring.models import AlertSource
from tuki.monitoring.payloads import PayloadError, parse


class SourceAuth(HttpBearer):
    """An alert source's token: the request acts as the source's person."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        source = access.source_for_token(token.strip())
        if source is None:
            return None
        request.user = source.user
        request.alert_source = source  # type: ignore[attr-defined]  # read by post_alerts
        activate_preferences(source.user)
        now = timezone.now()
        if source.last_used_at is None or now - source.last_used_at > timedelta(minutes=1):
            AlertSource.objects.filter(pk=source.pk).exclude(last_used_at__gte=now).update(
                last_used_at=now
            )
        return source.user


router = Router(tags=["monitoring"], auth=[SourceAuth(), *api_auth()])


class ReceivedOut(Schema):
    received: int
    new: int
    repeats: int
    resolved: int
    suppressed: int
    incidents_opened: list[str]
    incidents_joined: list[str]


_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": (
                        "Alertmanager's webhook payload (version 4), or "
                        '{"alerts": [{"name", "severity", "status", "ci", "service", '
                        '"summary", "description", "fingerprint", "starts_at", "ends_at", '
                        '"labels"}]}, or one such alert object.'
                    ),
                    "properties": {"alerts": {"type": "array", "items": {"type": "object"}}},
                }
            }
        },
    }
}


@router.post("/alerts", response=ReceivedOut, openapi_extra=_BODY)
def post_alerts(request: HttpRequest, source: str = "") -> dict[str, Any]:
    found: AlertSource | None = getattr(request, "alert_source", None)
    if found is None:
        if not access.may_post(request.user):
            raise Http404("No such endpoint")
        found = access.source_for_admin(request.user, source) or services.posting_as(
            request.user  # type: ignore[arg-type]  # may_post: a signed-in administrator
        )
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValidationError(
            [{"loc": ["body"], "msg": _("Expected a JSON object."), "type": "json_invalid"}]
        ) from None
    try:
        incoming = parse(body)
    except PayloadError as exc:
        raise ValidationError(exc.errors) from None
    return services.receive(found, incoming).as_dict()
