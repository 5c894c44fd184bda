"""SAML 2.0 sign-in through python3-saml (OneLogin's toolkit; signatures by xmlsec/libxmlsec1):
Tuki is the service provider. AuthnRequest by HTTP-Redirect, the Response by HTTP-POST with a
signed assertion checked against the IdP's certificate, SP-initiated single logout by
HTTP-Redirect. pysaml2 was the other candidate: its pin on pyOpenSSL < 24.3 cannot install
beside the cryptography Tuki needs (docs/identity.md)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from lxml.etree import XMLSyntaxError
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from tuki.lib.errors import ServiceError
from tuki.sso.models import IdentityProvider
from tuki.sso.services import Identity

TIMEOUT = 10
MFA_CONTEXTS = ("multifactor", "mfa", "timesynctoken", "mobiletwofactor", "x509", "smartcard")
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def metadata_xml(provider: IdentityProvider) -> str:
    if provider.metadata_xml.strip():
        return provider.metadata_xml.strip()
    try:
        response = requests.get(provider.metadata_url, timeout=TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ServiceError(
            _("The metadata could not be fetched: %(error)s") % {"error": exc},
            code="unreachable",
        ) from exc
    return response.text


def sp_urls(request: HttpRequest, provider: IdentityProvider) -> dict[str, str]:
    def absolute(name: str) -> str:
        return request.build_absolute_uri(reverse(name, kwargs={"pk": provider.pk}))

    return {
        "entity_id": absolute("sso:saml_metadata"),
        "acs": absolute("sso:saml_acs"),
        "sls": absolute("sso:saml_sls"),
    }


def _sp_settings(request: HttpRequest, provider: IdentityProvider) -> dict[str, Any]:
    urls = sp_urls(request, provider)
    return {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": urls["entity_id"],
            "assertionConsumerService": {"url": urls["acs"], "binding": POST},
            "singleLogoutService": {"url": urls["sls"], "binding": REDIRECT},
            "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "x509cert": "",
            "privateKey": "",
        },
        "security": {
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "authnRequestsSigned": False,
            "logoutRequestSigned": False,
            "requestedAuthnContext": False,
            "allowRepeatAttributeName": True,
            "allowSingleLabelDomains": True,  # intranet hosts such as http://servicedesk/
        },
    }


def idp_settings(provider: IdentityProvider) -> dict[str, Any]:
    """The IdP part of the settings, read from its metadata (URL or XML); the certificate
    given in the form, when there is one, must be among those the metadata publishes."""
    xml = metadata_xml(provider)
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(
            xml,
            entity_id=provider.entity_id or None,
            required_sso_binding=REDIRECT,
            required_slo_binding=REDIRECT,
        )
    except (XMLSyntaxError, ValueError, OneLogin_Saml2_Error) as exc:
        raise ServiceError(
            _("The IdP metadata could not be read: %(error)s") % {"error": exc},
            code="bad_metadata",
        ) from exc
    idp = data.get("idp")
    if not idp or not idp.get("singleSignOnService", {}).get("url"):
        raise ServiceError(
            _("The metadata has no identity provider “%(entity)s” with an HTTP-Redirect sign-in.")
            % {"entity": provider.entity_id or "*"},
            code="bad_metadata",
        )
    published = published_certificates(idp)
    if provider.certificate.strip():
        pinned = _der(provider.certificate)
        if pinned not in [_der(c) for c in published]:
            raise ServiceError(
                _(
                    "The certificate given here is not the one the IdP's metadata publishes: "
                    "the certificate is wrong or the IdP changed it."
                ),
                code="wrong_certificate",
            )
    return dict(data)


def published_certificates(idp: dict[str, Any]) -> list[str]:
    multi = idp.get("x509certMulti") or {}
    certs = list(multi.get("signing") or [])
    if idp.get("x509cert"):
        certs.append(idp["x509cert"])
    return certs


def load_certificate(pem_or_b64: str) -> x509.Certificate:
    text = pem_or_b64.strip()
    if "BEGIN CERTIFICATE" not in text:
        text = "-----BEGIN CERTIFICATE-----\n" + text + "\n-----END CERTIFICATE-----"
    return x509.load_pem_x509_certificate(text.encode())


def _der(pem_or_b64: str) -> bytes:
    try:
        return load_certificate(pem_or_b64).public_bytes(serialization.Encoding.DER)
    except ValueError:
        return b""


def certificate_problem(cert: x509.Certificate, now: datetime | None = None) -> str | None:
    now = now or datetime.now(UTC)
    if cert.not_valid_after_utc < now:
        return _("The IdP's certificate expired on %(date)s.") % {
            "date": cert.not_valid_after_utc.date().isoformat()
        }
    if cert.not_valid_before_utc > now:
        return _("The IdP's certificate is valid only from %(date)s.") % {
            "date": cert.not_valid_before_utc.date().isoformat()
        }
    return None


def settings_for(request: HttpRequest, provider: IdentityProvider) -> dict[str, Any]:
    merged: dict[str, Any] = OneLogin_Saml2_IdPMetadataParser.merge_settings(
        _sp_settings(request, provider), idp_settings(provider)
    )
    merged["sp"]["NameIDFormat"] = _sp_settings(request, provider)["sp"]["NameIDFormat"]
    return merged


def _request_data(request: HttpRequest) -> dict[str, Any]:
    host = request.get_host()
    return {
        "https": "on" if request.is_secure() else "off",
        "http_host": host,
        "script_name": request.path,
        "get_data": request.GET.copy(),
        "post_data": request.POST.copy() if request.method == "POST" else {},
        "query_string": request.META.get("QUERY_STRING", ""),
    }


def _auth(request: HttpRequest, provider: IdentityProvider) -> OneLogin_Saml2_Auth:
    try:
        return OneLogin_Saml2_Auth(
            _request_data(request), copy.deepcopy(settings_for(request, provider))
        )
    except OneLogin_Saml2_Error as exc:
        raise ServiceError(
            _("The SAML settings are not usable: %(error)s") % {"error": exc},
            code="bad_metadata",
        ) from exc


def sp_metadata(request: HttpRequest, provider: IdentityProvider) -> str:
    try:
        settings = OneLogin_Saml2_Settings(_sp_settings(request, provider), sp_validation_only=True)
    except OneLogin_Saml2_Error as exc:
        raise ServiceError(str(exc), code="bad_settings") from exc
    metadata: bytes | str = settings.get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else metadata


def start(request: HttpRequest, provider: IdentityProvider) -> tuple[str, str]:
    """The IdP's sign-in URL with an AuthnRequest, and the request's id (for InResponseTo)."""
    auth = _auth(request, provider)
    location = auth.login(return_to=str(provider.pk))
    return str(location), str(auth.get_last_request_id())


def finish(
    request: HttpRequest, provider: IdentityProvider
) -> tuple[Identity, dict[str, Any], str]:
    """The identity of the IdP's POSTed Response, what logout needs later, and the id of the
    request it answers (InResponseTo; the caller checks Tuki sent it)."""
    if not request.POST.get("SAMLResponse"):
        raise ServiceError(_("The identity provider sent no SAML response."), code="refused")
    auth = _auth(request, provider)
    try:
        auth.process_response()
    except (
        OneLogin_Saml2_Error,
        OneLogin_Saml2_ValidationError,
        XMLSyntaxError,
        ValueError,
    ) as exc:
        raise ServiceError(
            _("The SAML response was refused: %(error)s") % {"error": exc},
            code="invalid_response",
        ) from exc
    if auth.get_errors() or not auth.is_authenticated():
        raise _describe(auth.get_last_error_reason() or ", ".join(auth.get_errors()))
    in_response_to = str(auth.get_last_response_in_response_to() or "")
    attributes = {k: list(v) for k, v in (auth.get_attributes() or {}).items()}
    attributes.update({k: list(v) for k, v in (auth.get_friendlyname_attributes() or {}).items()})
    name_id = auth.get_nameid() or ""
    identity = identity_from_attributes(provider, attributes, name_id)
    contexts = [str(c).lower() for c in (auth.get_last_authn_contexts() or [])]
    identity.mfa = any(word in ctx for ctx in contexts for word in MFA_CONTEXTS)
    logout_data = {
        "name_id": name_id,
        "name_id_format": auth.get_nameid_format() or "",
        "name_id_nq": auth.get_nameid_nq() or "",
        "name_id_spnq": auth.get_nameid_spnq() or "",
        "session_index": auth.get_session_index() or "",
    }
    return identity, logout_data, in_response_to


def _describe(reason: str) -> ServiceError:
    low = reason.lower()
    if "timestamp" in low or "notbefore" in low or "notonorafter" in low or "expired" in low:
        return ServiceError(
            _(
                "The assertion's validity times do not fit this server's clock (%(error)s). "
                "Check the clocks of both servers (NTP)."
            )
            % {"error": reason},
            code="clock_skew",
        )
    if "signature" in low or "certificate" in low or "signed" in low:
        return ServiceError(
            _("The SAML signature does not match the IdP's certificate (%(error)s).")
            % {"error": reason},
            code="bad_signature",
        )
    return ServiceError(
        _("The SAML response was refused: %(error)s") % {"error": reason},
        code="invalid_response",
    )


def identity_from_attributes(
    provider: IdentityProvider, attributes: dict[str, list[Any]], name_id: str = ""
) -> Identity:
    def first(name: str) -> str:
        values = attributes.get(name) or []
        return str(values[0]) if values else ""

    email = first(provider.email_attribute) or (name_id if "@" in name_id else "")
    groups = attributes.get(provider.groups_attribute)
    arrived: dict[str, Any] = dict(attributes)
    if name_id:
        arrived["NameID"] = name_id
    return Identity(
        email=email,
        name=first(provider.name_attribute),
        groups=[str(g) for g in groups] if groups is not None else None,
        arrived=arrived,
    )


def logout_url(
    request: HttpRequest, provider: IdentityProvider, data: dict[str, Any]
) -> str | None:
    """The IdP's single logout URL with a LogoutRequest, or None when it has no SLO endpoint."""
    auth = _auth(request, provider)
    if not auth.get_slo_url() or not data.get("name_id"):
        return None
    url = auth.logout(
        return_to="",
        name_id=data["name_id"],
        session_index=data.get("session_index") or None,
        nq=data.get("name_id_nq") or None,
        name_id_format=data.get("name_id_format") or None,
        spnq=data.get("name_id_spnq") or None,
    )
    return str(url)


def finish_logout(request: HttpRequest, provider: IdentityProvider) -> bool:
    """Reads the IdP's LogoutResponse; True when it reports success."""
    if not request.GET.get("SAMLResponse"):
        return False
    auth = _auth(request, provider)
    try:
        auth.process_slo(keep_local_session=True)
    except (OneLogin_Saml2_Error, XMLSyntaxError, ValueError):
        return False
    return not auth.get_errors()
