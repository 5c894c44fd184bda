"""The doors of single sign-on: start at a provider, come back from it (OIDC callback, SAML
assertion consumer), route an email address to its organisation's provider, SAML metadata
and single logout. Sign-in itself is decided by tuki.sso.services.sign_in."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tuki.lib.errors import ServiceError
from tuki.sso import access, oidc, saml, second_factor, services
from tuki.sso.middleware import continue_to
from tuki.sso.models import IdentityProvider

logger = logging.getLogger(__name__)

NEXT_KEY = "sso_next"
SESSION_KEY = "sso"  # the provider a session signed in through, and what its logout needs


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def _failed(request: HttpRequest, provider: IdentityProvider, exc: ServiceError) -> HttpResponse:
    logger.info("sso: provider %s refused a sign-in: %s", provider.pk, exc.code)
    ctx = {"provider": provider, "message": exc.message, "code": exc.code}
    return render(request, "sso/error.html", ctx, status=400)


@require_GET
def start(request: HttpRequest, pk: int) -> HttpResponse:
    provider = access.get_enabled(pk)
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
    try:
        if provider.kind == IdentityProvider.Kind.OIDC:
            callback = request.build_absolute_uri(reverse("sso:oidc_callback", kwargs={"pk": pk}))
            return oidc.start(request, provider, callback)
        location, request_id = saml.start(request, provider)
    except ServiceError as exc:
        return _failed(request, provider, exc)
    services.remember_saml_request(provider, request_id, request.session.pop(NEXT_KEY, ""))
    return redirect(location)


@require_POST
def find(request: HttpRequest) -> HttpResponse:
    """The "company account" form: an address of a provider's domain goes to that provider."""
    email = request.POST.get("email", "").strip()
    provider = services.provider_for_email(email)
    next_url = _safe_next(request, request.POST.get("next"))
    if provider is None:
        messages.info(
            request,
            _("There is no single sign-on for this address; sign in with your password."),
        )
        login_url = reverse("login")
        return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    url = reverse("sso:start", kwargs={"pk": provider.pk})
    url = f"{url}?{urlencode({'next': next_url})}" if next_url else url
    title = _("Signing in through %(name)s…") % {"name": provider.name}
    return continue_to(request, url, title)


@require_GET
def oidc_callback(request: HttpRequest, pk: int) -> HttpResponse:
    provider = access.get_enabled(pk, IdentityProvider.Kind.OIDC)
    try:
        identity, logout_data = oidc.finish(request, provider)
        return _complete(request, provider, identity, logout_data)
    except ServiceError as exc:
        return _failed(request, provider, exc)


# The IdP posts it from its own site: no CSRF token, and no session cookie either (SameSite=Lax).
# The signed assertion and its InResponseTo (a request Tuki recorded, used once) protect it.
@csrf_exempt
@require_POST
def saml_acs(request: HttpRequest, pk: int) -> HttpResponse:
    provider = access.get_enabled(pk, IdentityProvider.Kind.SAML)
    try:
        identity, logout_data, in_response_to = saml.finish(request, provider)
        started = services.consume_saml_request(provider, in_response_to)
        if started is None:
            raise ServiceError(
                _("The SAML response answers no sign-in started here. Start again."),
                code="unsolicited",
            )
        request.session[NEXT_KEY] = _safe_next(request, started.next_url)
        return _complete(request, provider, identity, logout_data)
    except ServiceError as exc:
        return _failed(request, provider, exc)


def _complete(
    request: HttpRequest,
    provider: IdentityProvider,
    identity: services.Identity,
    logout_data: dict[str, Any],
) -> HttpResponse:
    user = services.sign_in(provider, identity)
    next_url = request.session.pop(NEXT_KEY, "") or reverse("home")
    satisfied = identity.mfa and provider.asserts_second_factor
    response = second_factor.sign_in(request, user, next_url, satisfied=satisfied)
    # After the sign-in steps began (they flush a session of someone else, or cycle its key):
    # what single logout needs stays with this session through a second-factor step too.
    request.session[SESSION_KEY] = {"provider": provider.pk, "kind": provider.kind, **logout_data}
    request.session["sso_mfa"] = satisfied
    return response


@require_GET
def saml_metadata(request: HttpRequest, pk: int) -> HttpResponse:
    """Tuki's service provider metadata for this provider: what the IdP's admin imports."""
    provider = access.get_enabled(pk, IdentityProvider.Kind.SAML)
    try:
        xml = saml.sp_metadata(request, provider)
    except ServiceError as exc:
        return _failed(request, provider, exc)
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@require_GET
def saml_sls(request: HttpRequest, pk: int) -> HttpResponse:
    """The IdP's answer to Tuki's LogoutRequest (SP-initiated single logout)."""
    provider = access.get_enabled(pk, IdentityProvider.Kind.SAML)
    try:
        ok = saml.finish_logout(request, provider)
    except ServiceError:
        ok = False
    if ok:
        messages.success(
            request, _("You are signed out of %(name)s too.") % {"name": provider.name}
        )
    return redirect("login")
