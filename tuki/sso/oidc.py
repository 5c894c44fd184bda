"""OpenID Connect sign-in through Authlib's Django client: discovery, the authorization code
flow with state, nonce and PKCE, the ID token checked against the provider's JWKS (issuer,
audience, expiry, issued-at with a minute of clock skew), RP-initiated logout."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import JoseError

from tuki.lib.errors import ServiceError
from tuki.sso.models import IdentityProvider
from tuki.sso.services import Identity

LEEWAY = 60  # seconds of clock skew accepted on iat/exp
MFA_AMR = {"mfa", "otp", "hwk", "swk", "fido", "sms", "pop", "sc", "face", "fpt", "iris", "tel"}
TIMEOUT = 10


def client(provider: IdentityProvider) -> Any:
    registry = OAuth()
    app = registry.register(
        name=f"tuki_sso_{provider.pk}",
        overwrite=True,
        client_id=provider.client_id,
        client_secret=str(provider.client_secret) or None,
        server_metadata_url=provider.discovery_url(),
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "timeout": TIMEOUT,
            "token_endpoint_auth_method": "client_secret_post"
            if str(provider.client_secret)
            else "none",
        },
    )
    return app


def start(request: HttpRequest, provider: IdentityProvider, redirect_uri: str) -> HttpResponse:
    try:
        return client(provider).authorize_redirect(request, redirect_uri)
    except (OAuthError, OSError, ValueError) as exc:
        raise ServiceError(
            _("The provider could not be reached: %(error)s") % {"error": exc},
            code="unreachable",
        ) from exc


def finish(request: HttpRequest, provider: IdentityProvider) -> tuple[Identity, dict[str, Any]]:
    """The identity of a callback, and what logout needs later (the ID token)."""
    app = client(provider)
    try:
        token = app.authorize_access_token(request, leeway=LEEWAY)
    except JoseError as exc:
        raise ServiceError(_describe(exc), code="invalid_token") from exc
    except OAuthError as exc:
        raise ServiceError(
            _("The provider refused the sign-in: %(error)s")
            % {"error": exc.description or exc.error},
            code="refused",
        ) from exc
    except (OSError, ValueError) as exc:
        raise ServiceError(
            _("The provider could not be reached: %(error)s") % {"error": exc},
            code="unreachable",
        ) from exc
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if provider.groups_attribute not in claims or provider.email_attribute not in claims:
        try:
            claims = {**dict(app.userinfo(token=token)), **claims}
        except (OAuthError, OSError, ValueError):
            pass  # the ID token's claims are all there is
    return identity_from_claims(provider, claims), {"id_token": token.get("id_token", "")}


def identity_from_claims(provider: IdentityProvider, claims: dict[str, Any]) -> Identity:
    groups = claims.get(provider.groups_attribute)
    if isinstance(groups, str):
        groups = [groups]
    amr = claims.get("amr") or []
    mfa = bool(set(amr) & MFA_AMR) if isinstance(amr, list) else False
    name = claims.get(provider.name_attribute) or " ".join(
        str(claims.get(k, "")) for k in ("given_name", "family_name")
    )
    return Identity(
        email=str(claims.get(provider.email_attribute) or ""),
        name=str(name or "").strip(),
        groups=[str(g) for g in groups] if isinstance(groups, list) else None,
        mfa=mfa,
        email_verified=claims.get("email_verified") is not False,
        arrived=claims,
    )


def _describe(exc: JoseError) -> str:
    text = str(exc)
    if "iat" in text or "nbf" in text or "exp" in text.lower() or "expired" in text.lower():
        return _(
            "The ID token's times do not fit this server's clock (%(error)s). Check the clocks "
            "of both servers (NTP)."
        ) % {"error": text}
    if "signature" in text.lower() or "key" in text.lower():
        return _(
            "The ID token's signature does not match the provider's published keys (%(error)s)."
        ) % {"error": text}
    return _("The ID token was refused: %(error)s") % {"error": text}


def logout_url(provider: IdentityProvider, id_token: str, return_to: str) -> str | None:
    """The provider's end_session_endpoint with the ID token hint, or None without one."""
    try:
        metadata = client(provider).load_server_metadata()
    except (OAuthError, OSError, ValueError):
        return None
    endpoint = metadata.get("end_session_endpoint")
    if not endpoint:
        return None
    from urllib.parse import urlencode

    params = {"post_logout_redirect_uri": return_to, "client_id": provider.client_id}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
