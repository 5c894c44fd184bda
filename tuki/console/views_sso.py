"""The console's identity providers (single sign-on): list, settings with a write-only client
secret, "test the connection", delete. Writes go through tuki.sso.services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.console.access import admin_required, get_for_admin
from tuki.console.forms_sso import IdentityProviderForm
from tuki.console.views import _save
from tuki.lib import crypto
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.sso import checks, services
from tuki.sso.models import IdentityProvider
from tuki.sso.second_factor import step_up


@require_GET
@admin_required
def provider_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = IdentityProvider.objects.select_related("organisation").order_by("name")
    return render(request, "console/sso_providers.html", {"nav": "manage", "providers": rows})


def _page(
    request: AuthenticatedHttpRequest,
    provider: IdentityProvider | None,
    form: IdentityProviderForm,
    status: int = 200,
    report: checks.Report | None = None,
) -> HttpResponse:
    urls: dict[str, str] = {}
    if provider is not None:
        for key, name in (
            ("callback", "sso:oidc_callback"),
            ("metadata", "sso:saml_metadata"),
            ("acs", "sso:saml_acs"),
            ("sls", "sso:saml_sls"),
        ):
            urls[key] = request.build_absolute_uri(reverse(name, kwargs={"pk": provider.pk}))
        urls["logout_return"] = request.build_absolute_uri(reverse("login"))
    context: dict[str, Any] = {
        "nav": "manage",
        "provider": provider,
        "form": form,
        "urls": urls,
        "report": report,
        "has_secret": bool(provider and provider.client_secret),
        "secret_readable": provider is None or crypto.readable(provider.client_secret),
    }
    return render(request, "console/sso_provider.html", context, status=status)


def _save_provider(request: AuthenticatedHttpRequest, provider: IdentityProvider) -> HttpResponse:
    form = IdentityProviderForm(request.POST)
    if form.is_valid():
        data = form.service_data()
        saved = _save(form, lambda: services.save_provider(request.user, provider, data))
        if saved is not None:
            messages.success(
                request, _("Identity provider “%(name)s” saved.") % {"name": saved.name}
            )
            return redirect("console:sso_provider", pk=saved.pk)
    if provider.pk is not None:
        provider.refresh_from_db()
    return _page(request, provider if provider.pk else None, form, status=422)


@admin_required
@step_up  # a recent second factor (twofactor's step-up), once merged
def provider_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save_provider(request, IdentityProvider())
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in IdentityProvider.Kind.values else {}
    return _page(request, None, IdentityProviderForm(initial=initial))


@admin_required
@step_up  # a recent second factor (twofactor's step-up), once merged
def provider_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, IdentityProvider, pk)
    if request.method == "POST":
        return _save_provider(request, provider)
    form = IdentityProviderForm(initial=IdentityProviderForm.initial_for(provider))
    return _page(request, provider, form)


@require_POST
@admin_required
@step_up  # a recent second factor (twofactor's step-up), once merged
def provider_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, IdentityProvider, pk)
    report = checks.check_provider(request.user, provider, request)
    form = IdentityProviderForm(initial=IdentityProviderForm.initial_for(provider))
    return _page(request, provider, form, report=report)


@require_POST
@admin_required
@step_up  # a recent second factor (twofactor's step-up), once merged
def provider_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    provider = get_for_admin(request.user, IdentityProvider, pk)
    name = provider.name
    services.delete_provider(request.user, provider)
    messages.success(request, _("Identity provider “%(name)s” deleted.") % {"name": name})
    return redirect("console:sso_providers")
