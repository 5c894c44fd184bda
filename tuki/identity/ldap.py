"""Talking to an LDAP server or Active Directory with ldap3 (pure Python): connect with the
directory's TLS settings, bind, search. Failures become `DirectoryError`s whose message
says what went wrong in words an administrator can act on."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ldap3
from django.utils.translation import gettext as _
from ldap3.core import exceptions as lx
from ldap3.utils.conv import escape_filter_chars

from tuki.identity.models import Directory
from tuki.lib import crypto

TIMEOUT = 5.0
PAGE_SIZE = 500
# Active Directory's userAccountControl: bit 2 is ACCOUNTDISABLE.
AD_DISABLED = 2


class DirectoryError(Exception):
    """A sentence for the administrator, and a short code for tests and logs."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Entry:
    dn: str
    attributes: dict[str, list[Any]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        """The first value of an attribute as text ("" when absent); names are case-blind."""
        if not name:
            return ""
        for key, values in self.attributes.items():
            if key.lower() == name.lower():
                if isinstance(values, list):
                    return _text(values[0]) if values else ""
                return "" if values is None else _text(values)
        return ""

    def all(self, name: str) -> list[str]:
        for key, values in self.attributes.items():
            if key.lower() == name.lower():
                return [str(v) for v in (values if isinstance(values, list) else [values])]
        return []


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        try:
            return value.decode()
        except UnicodeDecodeError:
            return value.hex()  # objectGUID and other binary ids
    return str(value)


def _tls(directory: Directory) -> ldap3.Tls:
    pem = (directory.ca_certificate or "").strip()
    return ldap3.Tls(
        validate=ssl.CERT_REQUIRED,
        version=ssl.PROTOCOL_TLS_CLIENT,
        ca_certs_data=pem or None,
    )


def _servers(directory: Directory, timeout: float) -> list[ldap3.Server]:
    urls = directory.url_list()
    if not urls:
        raise DirectoryError(_("No server URL is set."), "no_url")
    tls = _tls(directory) if directory.security != Directory.Security.NONE else None
    servers = []
    for url in urls:
        use_ssl = url.lower().startswith("ldaps://") or directory.security == "ldaps"
        servers.append(
            ldap3.Server(
                url, use_ssl=use_ssl, tls=tls, connect_timeout=timeout, get_info=ldap3.NONE
            )
        )
    return servers


def _explain_open(exc: Exception, where: str) -> DirectoryError:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return DirectoryError(
            _(
                "The TLS certificate of %(where)s is not trusted: paste the certificate of the "
                "authority that signed it into “CA certificate”."
            )
            % {"where": where},
            "tls_untrusted",
        )
    if "ssl" in text.lower() or "tls" in text.lower() or "wrong version" in text.lower():
        return DirectoryError(
            _("The TLS handshake with %(where)s failed (%(error)s); check the security setting.")
            % {"where": where, "error": text},
            "tls_failed",
        )
    return DirectoryError(
        _("Cannot reach %(where)s: %(error)s") % {"where": where, "error": text}, "unreachable"
    )


def connect(
    directory: Directory,
    bind_dn: str | None = None,
    password: str | None = None,
    timeout: float = TIMEOUT,
) -> ldap3.Connection:
    """An open, bound connection: with the directory's service account unless told whom."""
    if bind_dn is None:
        bind_dn = directory.bind_dn
        if not crypto.readable(directory.bind_password):
            raise DirectoryError(
                _(
                    "The stored bind password cannot be decrypted with the configured "
                    "encryption key (TUKI_ENCRYPTION_KEY): restore that key, or enter the "
                    "password again."
                ),
                "undecryptable",
            )
        password = directory.bind_password
    where = " ".join(directory.url_list())
    # active=1: try each server once, in order (an int is a number of rounds; stubs say bool).
    pool = ldap3.ServerPool(
        _servers(directory, timeout),
        ldap3.FIRST,
        active=1,  # type: ignore[arg-type]
        exhaust=True,
    )
    conn = ldap3.Connection(
        pool,
        user=bind_dn or None,
        password=password or None,
        authentication=ldap3.SIMPLE if bind_dn else ldap3.ANONYMOUS,
        receive_timeout=max(1, int(timeout)),
        raise_exceptions=False,
        auto_referrals=False,
    )
    try:
        conn.open()
        if directory.security == Directory.Security.STARTTLS and not conn.server.ssl:
            if not conn.start_tls():
                raise DirectoryError(
                    _("%(where)s refused StartTLS: %(error)s")
                    % {"where": where, "error": conn.result.get("description", "")},
                    "starttls_refused",
                )
    except lx.LDAPStartTLSError as exc:
        raise _explain_open(exc, where) from None
    except (
        lx.LDAPSocketOpenError,
        lx.LDAPCommunicationError,
        lx.LDAPServerPoolExhaustedError,
    ) as exc:
        raise _explain_open(exc, where) from None
    except lx.LDAPException as exc:
        raise _explain_open(exc, where) from None
    try:
        bound = conn.bind()
    except lx.LDAPException as exc:
        raise _explain_open(exc, where) from None
    if not bound:
        result = conn.result or {}
        conn.unbind()
        description = result.get("description", "") or ""
        if description == "invalidCredentials":
            raise DirectoryError(
                _("The directory refused the bind for %(dn)s: wrong DN or password.")
                % {"dn": bind_dn or _("anonymous")},
                "bind_refused",
            )
        raise DirectoryError(
            _("The directory refused the bind for %(dn)s: %(error)s")
            % {"dn": bind_dn or _("anonymous"), "error": description or result.get("message", "")},
            "bind_refused",
        )
    return conn


def search(
    conn: ldap3.Connection, base: str, query: str, attributes: list[str], *, scope: str = "sub"
) -> Iterator[Entry]:
    """Every entry under `base` matching `query`, page by page (Active Directory returns at
    most 1,000 per request otherwise)."""
    ldap_scope = {"sub": ldap3.SUBTREE, "base": ldap3.BASE, "one": ldap3.LEVEL}[scope]
    try:
        pages = conn.extend.standard.paged_search(
            base,
            query,
            search_scope=ldap_scope,
            attributes=[a for a in attributes if a] or [ldap3.NO_ATTRIBUTES],
            paged_size=PAGE_SIZE,
            generator=True,
        )
        for item in pages:
            if item.get("type") != "searchResEntry":
                continue
            yield Entry(item["dn"], dict(item.get("attributes") or {}))
    except lx.LDAPInvalidFilterError:
        raise DirectoryError(
            _("The filter %(filter)s is not valid LDAP.") % {"filter": query}, "bad_filter"
        ) from None
    except lx.LDAPException as exc:
        raise DirectoryError(
            _("The search under %(base)s failed: %(error)s") % {"base": base, "error": exc},
            "search_failed",
        ) from None
    result = conn.result or {}
    if result.get("description") == "noSuchObject":
        raise DirectoryError(
            _("The search base %(base)s does not exist.") % {"base": base}, "no_base"
        )


def user_attributes(directory: Directory) -> list[str]:
    names = [
        directory.id_attribute,
        directory.login_attribute,
        directory.email_attribute,
        directory.name_attribute,
        directory.phone_attribute,
        directory.organisation_attribute,
    ]
    if directory.kind == Directory.Kind.ACTIVE_DIRECTORY:
        names.append("userAccountControl")
    return sorted({n for n in names if n})


def user_filter(directory: Directory, login: str | None = None) -> str:
    base = (directory.user_filter or "(objectClass=*)").strip()
    if not base.startswith("("):
        base = f"({base})"
    if login is None:
        return base
    return f"(&{base}({directory.login_attribute}={escape_filter_chars(login)}))"


def is_disabled(directory: Directory, entry: Entry) -> bool:
    if directory.kind != Directory.Kind.ACTIVE_DIRECTORY:
        return False
    try:
        return bool(int(entry.first("userAccountControl") or 0) & AD_DISABLED)
    except ValueError:
        return False


def external_id(directory: Directory, entry: Entry) -> str:
    return entry.first(directory.id_attribute) or entry.dn.lower()
