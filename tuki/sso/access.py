"""Which identity providers the public sign-in doors may use: enabled ones only (404 else)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tuki.sso.models import IdentityProvider


def enabled_providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.filter(enabled=True)


def desk_wide_buttons() -> QuerySet[IdentityProvider]:
    """The buttons of the sign-in page: enabled providers of no organisation."""
    return enabled_providers().filter(organisation__isnull=True).order_by("name")


def any_routed() -> bool:
    """Whether typing an email address can lead to a provider (the page's second form)."""
    return enabled_providers().exclude(email_domains="").exists()


def get_enabled(pk: int, kind: str | None = None) -> IdentityProvider:
    provider = enabled_providers().filter(pk=pk).first()
    if provider is None or (kind is not None and provider.kind != kind):
        raise Http404("No such identity provider")
    return provider
