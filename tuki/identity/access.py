"""Who may use the SCIM doors: only a provider's own bearer token. Sessions, personal API
tokens and anonymous callers get a SCIM 401; a provider sees only its own users and groups
(another's are a 404)."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from tuki.identity.models import ScimGroup, ScimProvider, ScimUser


def provider_for(request: HttpRequest) -> ScimProvider | None:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    raw = raw.strip()
    if scheme.lower() != "bearer" or not raw.startswith(ScimProvider.PREFIX):
        return None
    return ScimProvider.objects.filter(digest=ScimProvider.hash(raw), is_active=True).first()


def _number(ref: str) -> int | None:
    """A SCIM id as Tuki's row id; anything else (a provider's GUID) names nothing here."""
    return int(ref) if ref.isascii() and ref.isdigit() and len(ref) < 19 else None


def scim_user(provider: ScimProvider, ref: str) -> ScimUser:
    number = _number(ref)
    found = (
        ScimUser.objects.select_related("user").filter(provider=provider, pk=number).first()
        if number is not None
        else None
    )
    if found is None:
        raise Http404
    return found


def scim_group(provider: ScimProvider, ref: str) -> ScimGroup:
    number = _number(ref)
    found = (
        ScimGroup.objects.filter(provider=provider, pk=number).first()
        if number is not None
        else None
    )
    if found is None:
        raise Http404
    return found
