"""The accuracy page: how well each kind of suggestion does (held out at training, and in
practice from the log), the latest decisions, and the routing threshold (administrators);
the ticket page's reply drafts (htmx)."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.assist import access, drafts, llm, services
from tuki.assist.accuracy import accuracy
from tuki.assist.forms import PeriodForm, ThresholdForm
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.access import can_note, get_ticket_for_user
from tuki.tickets.views.common import agent_required


def _page(
    request: AuthenticatedHttpRequest, form: ThresholdForm | None, status: int = 200
) -> HttpResponse:
    period = PeriodForm(request.GET)
    figures = accuracy(request.user, period.days_or_default())
    admin = access.may_change_settings(request.user)
    if admin and form is None:
        form = ThresholdForm(initial={"routing_threshold": figures.threshold})
    context = {"nav": "reports", "figures": figures, "period": period, "form": form}
    if admin:
        context["llm"] = _llm_sample()
    return render(request, "assist/accuracy.html", context, status=status)


@require_GET
@access.accuracy_required
def accuracy_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request, None)


@require_POST
@access.accuracy_required
def threshold(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.may_change_settings(request.user):
        raise Http404("Not an administrator")
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.set_routing_threshold(form.cleaned_data["routing_threshold"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Routing threshold saved."))
            return redirect("assist:accuracy")
    return _page(request, form, status=422)


def _llm_sample() -> dict[str, str]:
    """What the local model is sent for each draft asked for, with placeholders where a
    ticket's values go (administrators): built by the function the real call uses."""
    sample = llm.payload(
        _("<the ticket's title>"),
        _("<the ticket's description>"),
        [_("<the first draft's text>"), _("<the second draft's text>")],
        "en",
    )
    return {
        "url": settings.ASSIST_LLM_URL,
        "payload": json.dumps(sample, indent=2, ensure_ascii=False),
        "timeout": f"{settings.ASSIST_LLM_TIMEOUT:g}",
        "key": "yes" if settings.ASSIST_LLM_KEY else "",
    }


@require_GET
@agent_required(hide=True)
def ticket_drafts(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The ticket page's "Draft a reply" (htmx): what similar resolved tickets and articles
    the agent may see said, to insert into the reply box."""
    ticket = get_ticket_for_user(request.user, number)
    found: list[drafts.Draft] = []
    if ticket.is_active and can_note(request.user, ticket):
        language = getattr(ticket.requester, "language", "") or "en"
        found = drafts.drafts_for(request.user, ticket, language)
    context = {"drafts": found, "ticket": ticket, "model": llm.enabled()}
    return render(request, "assist/partials/drafts.html", context)


@require_POST
@agent_required(hide=True)
def ticket_model_draft(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The drafts section's "Write with the local model" (htmx): the model's reply from the
    drafts the agent may see, or why there is none. A 404 when no model is set up."""
    ticket = get_ticket_for_user(request.user, number)
    if not llm.enabled() or not ticket.is_active or not can_note(request.user, ticket):
        raise Http404("No local model, or no reply to write")
    language = getattr(ticket.requester, "language", "") or "en"
    context: dict[str, object] = {"ticket": ticket}
    try:
        context["text"] = drafts.model_draft(request.user, ticket, language)
    except llm.ModelError as exc:
        context["error"] = str(exc)
    return render(request, "assist/partials/model_draft.html", context)
