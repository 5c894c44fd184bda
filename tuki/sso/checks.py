"""The set-up page's "test the connection": what an administrator can check before anyone
signs in. OIDC: discovery fetched and consistent, JWKS reachable with keys, logout endpoint,
the clock against the provider's. SAML: metadata parsed, signing certificates valid and not
expired (and the one given in the form among them), single logout endpoint, the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _, ngettext

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.sso import saml
from tuki.sso.models import IdentityProvider

TIMEOUT = 10
MAX_SKEW = 60  # seconds


@dataclass
class Check:
    ok: bool
    message: str
    level: str = ""  # "" (ok or error by `ok`) | "warning"


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def add(self, ok: bool, message: str, level: str = "") -> None:
        self.checks.append(Check(ok, message, level))


def check_provider(actor: User, provider: IdentityProvider, request: HttpRequest) -> Report:
    if not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise PermissionDenied
    report = Report()
    if provider.kind == IdentityProvider.Kind.OIDC:
        _check_oidc(provider, report)
    else:
        _check_saml(provider, request, report)
    return report


def _clock(response: requests.Response, report: Report) -> None:
    date = response.headers.get("Date")
    if not date:
        return
    try:
        theirs = parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return
    skew = abs((datetime.now(UTC) - theirs).total_seconds())
    if skew > MAX_SKEW:
        report.add(
            False,
            _(
                "The provider's clock differs from this server's by %(seconds)d seconds: "
                "tokens and assertions will be refused as not yet valid or expired. Synchronise "
                "both clocks (NTP)."
            )
            % {"seconds": skew},
        )
    else:
        report.add(True, _("The clocks agree (within a minute)."))


def _get_json(url: str) -> tuple[requests.Response, Any]:
    response = requests.get(url, timeout=TIMEOUT)
    response.raise_for_status()
    return response, response.json()


def _check_oidc(provider: IdentityProvider, report: Report) -> None:
    url = provider.discovery_url()
    try:
        response, discovery = _get_json(url)
    except (requests.RequestException, ValueError) as exc:
        report.add(
            False,
            _("The discovery document %(url)s could not be read: %(error)s")
            % {"url": url, "error": exc},
        )
        return
    missing = [
        key
        for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
        if not discovery.get(key)
    ]
    if missing:
        report.add(
            False,
            _("The discovery document lacks %(keys)s.") % {"keys": ", ".join(missing)},
        )
        return
    report.add(True, _("Discovery document read from %(url)s.") % {"url": url})
    configured = provider.issuer.strip().rstrip("/")
    if "/.well-known/" not in configured and discovery["issuer"].rstrip("/") != configured:
        report.add(
            False,
            _("The provider calls itself “%(theirs)s”, not “%(ours)s”: ID tokens will be refused.")
            % {"theirs": discovery["issuer"], "ours": configured},
        )
    _clock(response, report)
    try:
        _jwks_response, jwks = _get_json(discovery["jwks_uri"])
        keys = jwks.get("keys") or []
    except (requests.RequestException, ValueError, AttributeError) as exc:
        report.add(
            False,
            _("The signing keys (JWKS) could not be read: %(error)s") % {"error": exc},
        )
    else:
        if keys:
            report.add(
                True,
                ngettext(
                    "%(count)d signing key published.",
                    "%(count)d signing keys published.",
                    len(keys),
                )
                % {"count": len(keys)},
            )
        else:
            report.add(False, _("The provider publishes no signing keys."))
    supported = discovery.get("claims_supported")
    if isinstance(supported, list):
        for claim in (provider.email_attribute, provider.groups_attribute):
            if claim and claim not in supported:
                report.add(
                    True,
                    _(
                        "The provider does not list the claim “%(claim)s” among the claims it "
                        "supports (%(supported)s): check its mapping."
                    )
                    % {"claim": claim, "supported": ", ".join(map(str, supported))},
                    level="warning",
                )
    if discovery.get("end_session_endpoint"):
        report.add(True, _("Single logout: the provider has an end-session endpoint."))
    else:
        report.add(
            True,
            _("The provider has no end-session endpoint: signing out of Tuki stays local."),
            level="warning",
        )
    if not str(provider.client_secret):
        report.add(
            True,
            _("No client secret stored: Tuki signs in as a public client (PKCE)."),
            level="warning",
        )


def _check_saml(provider: IdentityProvider, request: HttpRequest, report: Report) -> None:
    if provider.metadata_url and not provider.metadata_xml.strip():
        try:
            response = requests.get(provider.metadata_url, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            report.add(False, _("The metadata could not be fetched: %(error)s") % {"error": exc})
            return
        _clock(response, report)
    try:
        data = saml.idp_settings(provider)
    except ServiceError as exc:
        report.add(False, exc.message)
        if exc.code != "wrong_certificate":
            return
        data = None
    if data is not None:
        idp = data["idp"]
        report.add(
            True,
            _("Metadata read: identity provider %(entity)s.") % {"entity": idp.get("entityId")},
        )
        certificates = saml.published_certificates(idp)
        if not certificates:
            report.add(False, _("The metadata publishes no signing certificate."))
        for text in certificates:
            try:
                cert = saml.load_certificate(text)
            except ValueError as exc:
                report.add(False, _("A certificate is not readable: %(error)s") % {"error": exc})
                continue
            problem = saml.certificate_problem(cert)
            subject = cert.subject.rfc4514_string()
            if problem:
                report.add(False, f"{subject}: {problem}")
            else:
                report.add(
                    True,
                    _("Certificate %(subject)s valid until %(date)s.")
                    % {"subject": subject, "date": cert.not_valid_after_utc.date().isoformat()},
                )
        if idp.get("singleLogoutService", {}).get("url"):
            report.add(True, _("Single logout: the IdP has an HTTP-Redirect logout endpoint."))
        else:
            report.add(
                True,
                _("The IdP has no HTTP-Redirect logout endpoint: signing out of Tuki stays local."),
                level="warning",
            )
    if provider.certificate.strip():
        try:
            problem = saml.certificate_problem(saml.load_certificate(provider.certificate))
        except ValueError as exc:
            report.add(
                False,
                _("The certificate given here is not a PEM certificate: %(error)s")
                % {"error": exc},
            )
        else:
            if problem:
                report.add(False, problem)
