"""The console's bundle page: download the configuration, upload one, preview, apply."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tuki.bundles import access, services
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin

View = Callable[..., HttpResponse]


def admin_required(func: View) -> View:
    """Administrators; anonymous users sign in, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_manage_bundles(request.user):
            raise Http404("Not an administrator")
        return func(request, *args, **kwargs)

    return wrapper


class UploadForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("Bundle file"))


class ApplyForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    digest = forms.CharField(widget=forms.HiddenInput)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@require_GET
@admin_required
def export(request: HttpRequest) -> HttpResponse:
    people = request.GET.get("people") != "0"
    text = services.dumps(services.export_bundle(people=people))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    name = f"tuki-configuration-{stamp}{'' if people else '-template'}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def bundle_page(request: HttpRequest) -> HttpResponse:
    upload = UploadForm()
    context: dict[str, Any] = {"nav": "manage", "upload": upload}
    if request.method == "POST":
        if "digest" in request.POST:
            return _apply(request, context)
        upload = UploadForm(request.POST, request.FILES)
        context["upload"] = upload
        if upload.is_valid():
            raw = upload.cleaned_data["file"].read(services.MAX_BYTES + 1)
            try:
                text = raw.decode("utf-8")
                bundle = services.read_bundle(text)
            except UnicodeDecodeError:
                upload.add_error("file", _("The file is not UTF-8 text."))
            except ServiceError as error:
                upload.add_error("file", error.message)
            else:
                report = services.import_bundle(bundle, apply=False)
                context["report"] = report
                context["apply"] = ApplyForm(initial={"text": text, "digest": _digest(text)})
        status = 200 if upload.is_valid() and "report" in context else 400
        return render(request, "bundles/bundle.html", context, status=status)
    return render(request, "bundles/bundle.html", context)


def _apply(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    form = ApplyForm(request.POST)
    if not form.is_valid() or _digest(form.cleaned_data["text"]) != form.cleaned_data["digest"]:
        messages.error(request, _("The previewed bundle did not come back whole; upload it again."))
        return redirect("bundles:page")
    try:
        bundle = services.read_bundle(form.cleaned_data["text"])
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("bundles:page")
    report = services.import_bundle(bundle, apply=True)
    if not report.applied:
        context["report"] = report
        return render(request, "bundles/bundle.html", context, status=400)
    messages.success(
        request,
        _("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        % {
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": report.unchanged,
        },
    )
    return redirect("bundles:page")
