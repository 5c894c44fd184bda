"""Who is signing in from where, as django-axes counts failed sign-ins (settings AXES_*).

Failures are counted per (email address, client address) pair: five wrong passwords lock
that pair for the cool-off, while the same person signing in from another address, and
other people from the same address, are not affected. See docs/security/accounts.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def username_of(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str:
    """The email address tried, normalised as stored (lower case, trimmed), so that
    `Maija@Acme.fi` and `maija@acme.fi ` count against one lockout."""
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "")
    return str(raw).strip().lower()


def _networks(entries: Iterable[str]) -> list[IpNetwork]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless it is a trusted proxy (TUKI_TRUSTED_PROXIES).

    Behind trusted proxies, X-Forwarded-For is read from the right (each proxy appends the
    address it saw) and the first address that is not itself a trusted proxy is the client:
    entries further left were written by the client and could be anything.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    trusted = _networks(getattr(settings, "TRUSTED_PROXIES", []))
    if not trusted:
        return remote

    def is_trusted(address: str) -> bool:
        ip = _parse(address)
        return ip is not None and any(ip in net for net in trusted)

    if not is_trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _parse(hop) is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        if not is_trusted(hop):
            return hop
        remote = hop
    return remote
