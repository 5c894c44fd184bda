"""Macro pages (list, editor, preview) and the picker in the ticket page's reply form."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.macros import access, services
from tuki.macros.forms import MacroForm, PreviewForm, placeholder_help
from tuki.macros.models import Macro, Scope
from tuki.tickets import access as ticket_access
from tuki.tickets.views.common import go_to

View = Callable[..., HttpResponse]


def desk_user_required(func: View) -> View:
    """Agents and administrators; anonymous users sign in, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (access.is_agent(request.user) or access.is_admin(request.user)):
            raise Http404("Not in the workspace")
        return func(request, *args, **kwargs)

    return wrapper


# --- list and editor ----------------------------------------------------------------------------


@require_GET
@desk_user_required
def macro_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    macros = list(access.listed(request.user).order_by("scope", "name", "id"))
    sections = []
    for scope, title in (
        (Scope.PERSONAL, _("My macros")),
        (Scope.GROUP, _("Group macros")),
        (Scope.GLOBAL, _("For every agent")),
    ):
        rows = [
            {"macro": m, "editable": access.can_edit(request.user, m)}
            for m in macros
            if m.scope == scope
        ]
        sections.append({"scope": scope, "title": title, "rows": rows})
    context = {"nav": "manage", "sections": sections}
    return render(request, "macros/macro_list.html", context)


def _editor(
    request: HttpRequest, form: MacroForm, macro: Macro | None, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "manage",
        "form": form,
        "macro": macro,
        "placeholders": placeholder_help(),
        "action_fields": [form[name] for name in MacroForm.ACTION_FIELDS],
    }
    return render(request, "macros/macro_edit.html", context, status=status)


@desk_user_required
def macro_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, MacroForm(user=request.user), None)
    form = MacroForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            macro = services.create_macro(request.user, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("macros:list")
    return _editor(request, form, None, status=422)


@desk_user_required
def macro_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    macro = access.get_macro_for_user(request.user, pk, write=True)
    if request.method != "POST":
        form = MacroForm(initial=MacroForm.initial_for(macro), user=request.user)
        return _editor(request, form, macro)
    form = MacroForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            macro = services.update_macro(request.user, macro, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Macro “%(name)s” saved.") % {"name": macro.name})
            return redirect("macros:list")
    return _editor(request, form, macro, status=422)


@require_POST
@desk_user_required
def macro_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    macro = access.get_macro_for_user(request.user, pk, write=True)
    services.delete_macro(request.user, macro)
    messages.success(request, _("Macro “%(name)s” deleted.") % {"name": macro.name})
    return redirect("macros:list")


@require_POST
@desk_user_required
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The editor's text rendered against a ticket the user can see (nothing is saved)."""
    form = PreviewForm(request.POST)
    form.is_valid()
    body = form.cleaned_data.get("body", "")
    number = (form.cleaned_data.get("ticket") or "").strip()
    context: dict[str, Any] = {"number": number}
    try:
        services.validate_template(body)
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "macros/partials/preview.html", context)
    if not number:
        context["error"] = _("Enter the number of a ticket, e.g. INC-1042.")
        return render(request, "macros/partials/preview.html", context)
    try:
        ticket = ticket_access.get_ticket_for_user(request.user, number)
    except Http404:
        context["error"] = _("No ticket %(number)s that you can see.") % {"number": number}
        return render(request, "macros/partials/preview.html", context)
    context.update(ticket=ticket, text=services.render_text(body, ticket, request.user))
    return render(request, "macros/partials/preview.html", context)


# --- the picker in the ticket page's reply form -------------------------------------------------


@require_GET
@desk_user_required
def picker(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = ticket_access.get_ticket_for_user(request.user, number)
    context = {"ticket": ticket, "macros": services.macros_for_ticket(request.user, ticket)}
    return render(request, "macros/partials/picker.html", context)


def _picked(
    request: AuthenticatedHttpRequest, number: str, source: Any
) -> tuple[Any, Macro | None]:
    ticket = ticket_access.get_ticket_for_user(request.user, number)
    macro_id = source.get("macro", "")
    macro_pk = parse_id(macro_id)
    if macro_pk is None:
        return ticket, None
    macro = services.macros_for(request.user).filter(pk=macro_pk).first()
    return ticket, macro


@require_GET
@desk_user_required
def insert(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The macro's text for this ticket, as plain text the picker puts into the textarea."""
    ticket, macro = _picked(request, number, request.GET)
    if macro is None:
        return HttpResponse(
            _("Choose a macro."), status=422, content_type="text/plain; charset=utf-8"
        )
    text = services.preview_text(macro, ticket, request.user)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["X-Tuki-Macro-Internal"] = "1" if macro.internal else "0"
    return response


@require_POST
@desk_user_required
def apply(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Post the macro's text (then what the agent typed) and make its changes."""
    ticket, macro = _picked(request, number, request.POST)
    if macro is None:
        return _apply_failed(request, ticket, _("Choose a macro."))
    try:
        comment = services.apply_macro(
            request.user, ticket, macro, extra_text=request.POST.get("body", "")
        )
    except ServiceError as exc:
        return _apply_failed(request, ticket, exc.message)
    except PermissionDenied as exc:
        return _apply_failed(request, ticket, str(exc) or _("You may not do this."))
    if comment is None:
        done = _("Macro “%(name)s” applied.")
    elif comment.is_internal:
        done = _("Macro “%(name)s” applied; note added.")
    else:
        done = _("Macro “%(name)s” applied; reply sent.")
    messages.success(request, done % {"name": macro.name})
    return go_to(request, ticket.get_absolute_url())


def _apply_failed(request: AuthenticatedHttpRequest, ticket: Any, message: str) -> HttpResponse:
    if is_fragment_request(request):
        return render(
            request, "macros/partials/picker_error.html", {"message": message}, status=422
        )
    messages.error(request, message)
    return redirect(ticket.get_absolute_url())
