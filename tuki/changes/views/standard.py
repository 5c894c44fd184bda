"""Standard change templates (approved by change managers) and the advisory boards
(administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.changes import access, services
from tuki.changes.forms import SettingsForm, TemplateForm
from tuki.changes.models import ChangeSettings, ChangeTemplate, TemplateState
from tuki.changes.views.common import agent_required
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest


@agent_required
def template_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    templates = list(access.templates_for(request.user))
    settings = ChangeSettings.objects.select_related("cab", "ecab").filter(pk=1).first()
    context = {
        "nav": "changes",
        "templates": templates,
        "settings": settings,
        "is_manager": access.is_change_manager(request.user),
        "is_admin": access.is_admin(request.user),
    }
    return render(request, "changes/templates.html", context)


def _editor(
    request: AuthenticatedHttpRequest,
    form: TemplateForm,
    template: ChangeTemplate | None,
    status: int = 200,
) -> HttpResponse:
    context = {"nav": "changes", "form": form, "template": template}
    return render(request, "changes/template_edit.html", context, status=status)


@agent_required
def template_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _editor(request, TemplateForm(), None)
    form = TemplateForm(request.POST)
    if form.is_valid():
        values = {k: form.cleaned_data[k] for k in TemplateForm.Meta.fields}
        try:
            services.create_template(request.user, **values)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Template saved as a draft."))
            return redirect("changes:templates")
    return _editor(request, form, None, status=422)


@agent_required
def template_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = access.get_template_for_user(request.user, pk)
    if request.method != "POST":
        return _editor(request, TemplateForm(instance=template), template)
    form = TemplateForm(request.POST, instance=ChangeTemplate.objects.get(pk=pk))
    if form.is_valid():
        values = {k: form.cleaned_data[k] for k in TemplateForm.Meta.fields}
        try:
            services.update_template(request.user, template, **values)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("changes:templates")
    return _editor(request, form, template, status=422)


@agent_required
@require_POST
def template_state(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    template = access.get_template_for_user(request.user, pk)
    if not access.is_change_manager(request.user):
        raise PermissionDenied
    state = request.POST.get("state", "")
    if state not in TemplateState.values:
        raise Http404("No such state")
    try:
        services.set_template_state(request.user, template, state)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Template saved."))
    return redirect("changes:templates")


@agent_required
def board_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise PermissionDenied
    settings = ChangeSettings.load()
    if request.method != "POST":
        form = SettingsForm(initial={"cab": settings.cab_id, "ecab": settings.ecab_id})
        return render(request, "changes/settings.html", {"nav": "changes", "form": form})
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.save_settings(
                request.user, cab=form.cleaned_data["cab"], ecab=form.cleaned_data["ecab"]
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Advisory boards saved."))
            return redirect("changes:templates")
    return render(request, "changes/settings.html", {"nav": "changes", "form": form}, status=422)
