"""Single logout: signing out of Tuki after an SSO sign-in goes on to the provider's logout
(OIDC RP-initiated logout, SAML SP-initiated SLO), then back to Tuki's sign-in page."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from tuki.sso import oidc, saml
from tuki.sso.models import IdentityProvider

logger = logging.getLogger(__name__)

ATTRIBUTE = "_sso_logout_url"


@receiver(user_logged_out, dispatch_uid="tuki.sso.single_logout")
def remember_provider_logout(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Runs before Django flushes the session: works out where the provider's logout is."""
    if request is None or not hasattr(request, "session"):
        return
    data = request.session.get("sso")
    if not isinstance(data, dict):
        return
    pk = data.get("provider")
    if not isinstance(pk, int):
        return
    provider = IdentityProvider.objects.filter(pk=pk, enabled=True).first()
    if provider is None:
        return
    try:
        if provider.kind == IdentityProvider.Kind.OIDC:
            back = request.build_absolute_uri(reverse("login"))
            url = oidc.logout_url(provider, data.get("id_token", ""), back)
        else:
            url = saml.logout_url(request, provider, data)
    except Exception:  # the local sign-out must never fail because a provider is down
        logger.exception("sso: no single logout through provider %s", provider.pk)
        url = None
    if url:
        setattr(request, ATTRIBUTE, url)


class SingleLogoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        url = getattr(request, ATTRIBUTE, None)
        if url and response.status_code in (301, 302, 303):
            return continue_to(request, url, _("Signing you out of your organisation's account…"))
        return response


def continue_to(request: HttpRequest, url: str, title: str) -> HttpResponse:
    """A page that goes on to another site. After a form's POST a redirect there would be
    blocked by the Content-Security-Policy (form-action 'self' applies to redirects too)."""
    return render(request, "sso/continue.html", {"url": url, "title": title})
