"""Blackout periods and freezes: agents read them, staff write them (docs/change-calendar.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tuki.changes import scheduling
from tuki.changes.models import BlackoutKind, BlackoutPeriod
from tuki.changes.views.calendar import FORMAT, agent_required
from tuki.cmdb import access as cmdb_access
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.http import AuthenticatedHttpRequest

LIST_MAX = 200


class BlackoutForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=BlackoutKind.choices)
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT),
    )
    items = forms.CharField(
        label=_("Services and items"),
        required=False,
        max_length=2000,
        help_text=_("Names or ids, separated by commas. None: every service and item."),
    )
    allow_emergency = forms.BooleanField(
        label=_("Emergency changes allowed"), required=False, initial=True
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_items(self) -> list[ConfigurationItem]:
        readable = cmdb_access.items_visible_to(self.user)
        found: list[ConfigurationItem] = []
        for token in [t.strip() for t in self.cleaned_data["items"].split(",") if t.strip()]:
            matches = list(
                readable.filter(pk=int(token)) if token.isdigit() else readable.filter(name=token)
            )[:2]
            if len(matches) != 1:
                message = (
                    gettext("No such item: %(name)s.")
                    if not matches
                    else gettext("Several items are called %(name)s: give its id.")
                )
                raise forms.ValidationError(message % {"name": token})
            found.append(matches[0])
        return found


def _initial(blackout: BlackoutPeriod) -> dict[str, Any]:
    return {
        "name": blackout.name,
        "kind": blackout.kind,
        "starts_at": blackout.starts_at,
        "ends_at": blackout.ends_at,
        "items": ", ".join(str(ci.pk) for ci in blackout.items.all()),
        "allow_emergency": blackout.allow_emergency,
        "reason": blackout.reason,
    }


@agent_required
def blackout_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = BlackoutPeriod.objects.prefetch_related("items").order_by("-starts_at", "pk")
    context = {
        "blackouts": rows[:LIST_MAX],
        "may_manage": scheduling.may_manage_blackouts(request.user),
    }
    return render(request, "changes/blackouts.html", context)


@require_http_methods(["GET", "POST"])
@agent_required
def blackout_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    if not scheduling.may_manage_blackouts(request.user):
        raise PermissionDenied
    blackout = get_object_or_404(BlackoutPeriod, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = BlackoutForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                if blackout is None:
                    scheduling.create_blackout(request.user, **form.cleaned_data)
                else:
                    scheduling.update_blackout(request.user, blackout, **form.cleaned_data)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("Blackout period saved."))
                return redirect("changes:blackouts")
        status = 422
    else:
        initial = _initial(blackout) if blackout else None
        form = BlackoutForm(initial=initial, user=request.user)
        status = 200
    context = {"form": form, "blackout": blackout}
    return render(request, "changes/blackout_form.html", context, status=status)


@require_POST
@agent_required
def blackout_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not scheduling.may_manage_blackouts(request.user):
        raise PermissionDenied
    blackout = get_object_or_404(BlackoutPeriod, pk=pk)
    scheduling.delete_blackout(request.user, blackout)
    messages.success(request, gettext("Blackout period deleted."))
    return redirect("changes:blackouts")
