"""Webhook pages for administrators: list, editor, secret, test, delivery log, retry."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.lib import crypto
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.webhooks import access, services
from tuki.webhooks.forms import WebhookForm
from tuki.webhooks.models import EVENTS, DeliveryState, Webhook

View = Callable[..., HttpResponse]


def admin_required(func: View) -> View:
    """Administrators only; anonymous users sign in first, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_admin(request.user):
            raise Http404("Not for you")
        return func(request, *args, **kwargs)

    return wrapper


@require_GET
@admin_required
def webhook_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    webhooks = Webhook.objects.annotate(
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        waiting=Count("deliveries", filter=Q(deliveries__state=DeliveryState.PENDING)),
        last_delivery=Max("deliveries__created_at"),
    ).order_by("name", "id")
    context = {"nav": "manage", "webhooks": webhooks, "events": EVENTS}
    return render(request, "webhooks/webhook_list.html", context)


def _editor(
    request: HttpRequest, form: WebhookForm, webhook: Webhook | None, status: int = 200
) -> HttpResponse:
    context = {"nav": "manage", "form": form, "webhook": webhook}
    return render(request, "webhooks/webhook_edit.html", context, status=status)


@admin_required
def webhook_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, WebhookForm(), None)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook = services.create_webhook(request.user, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Webhook “%(name)s” saved. Copy its signing secret now.")
                % {"name": webhook.name},
            )
            _show_secret_once(request, webhook)
            return redirect(_edit_url(webhook))
    return _editor(request, form, None, status=422)


# The signing secret is write-only: shown on the page that follows its making (creation or
# a new secret), then never again; a lost secret is replaced, not read back.
SECRET_ONCE = "tuki:webhooks:show-secret"


def _show_secret_once(request: HttpRequest, webhook: Webhook) -> None:
    request.session[SECRET_ONCE] = webhook.pk


def _edit_url(webhook: Webhook) -> str:
    from django.urls import reverse

    return reverse("webhooks:edit", args=[webhook.pk])


@admin_required
def webhook_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_webhook_for_user(request.user, pk)
    if request.method != "POST":
        initial = {
            "name": webhook.name,
            "url": webhook.url,
            "events": webhook.events,
            "is_active": webhook.is_active,
        }
        context = {
            "nav": "manage",
            "form": WebhookForm(initial=initial),
            "webhook": webhook,
            "show_secret": request.session.pop(SECRET_ONCE, None) == webhook.pk,
            "secret_unreadable": not crypto.readable(webhook.secret),
        }
        response = render(request, "webhooks/webhook_edit.html", context)
        response["Cache-Control"] = "no-store"
        return response
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook = services.update_webhook(request.user, webhook, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Webhook “%(name)s” saved.") % {"name": webhook.name})
            return redirect("webhooks:list")
    return _editor(request, form, webhook, status=422)


@require_POST
@admin_required
def rotate_secret(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_webhook_for_user(request.user, pk)
    services.rotate_secret(request.user, webhook)
    messages.success(request, _("A new signing secret is in use; update the endpoint."))
    _show_secret_once(request, webhook)
    return redirect(_edit_url(webhook))


@require_POST
@admin_required
def webhook_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_webhook_for_user(request.user, pk)
    services.delete_webhook(request.user, webhook)
    messages.success(request, _("Webhook “%(name)s” deleted.") % {"name": webhook.name})
    return redirect("webhooks:list")


@require_POST
@admin_required
def send_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_webhook_for_user(request.user, pk)
    try:
        delivery = services.send_test(request.user, webhook)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("webhooks:deliveries", pk=webhook.pk)
    messages.info(request, _("Test delivery queued."))
    return redirect("webhooks:delivery", pk=delivery.pk)


@require_GET
@admin_required
def deliveries(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    webhook = access.get_webhook_for_user(request.user, pk)
    rows = access.deliveries_seen_by(
        request.user,
        webhook.deliveries.select_related("ticket").defer(
            "payload", "request_body", "response_body", "request_headers"
        ),
    )
    state = request.GET.get("state", "")
    if state in DeliveryState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context = {
        "nav": "manage",
        "webhook": webhook,
        "page": page,
        "state": state,
        "states": DeliveryState.choices,
    }
    return render(request, "webhooks/delivery_list.html", context)


@require_GET
@admin_required
def delivery_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = access.get_delivery_for_user(request.user, pk)
    body = (
        ""
        if delivery.hidden
        else delivery.request_body
        or json.dumps(
            {"delivery": delivery.pk, **delivery.payload}, ensure_ascii=False, sort_keys=True
        )
    )
    try:
        pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False) if body else ""
    except ValueError:
        pretty = body
    context = {
        "nav": "manage",
        "delivery": delivery,
        "webhook": delivery.webhook,
        "body": pretty,
        "retryable": delivery.state in (DeliveryState.FAILED, DeliveryState.PENDING),
        "attempts": list(delivery.attempt_log.all()),
    }
    return render(request, "webhooks/delivery_detail.html", context)


@require_POST
@admin_required
def retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    delivery = access.get_delivery_for_user(request.user, pk)
    try:
        services.retry_delivery(request.user, delivery)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Delivery queued again."))
    return redirect("webhooks:delivery", pk=delivery.pk)
