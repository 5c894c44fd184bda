"""Outbound requests only to the public internet: the guard against server-side request forgery.

A webhook URL is typed by an administrator, and Tuki's server then POSTs to it and keeps what
came back. Without a guard that is a way into the network Tuki runs in: the loopback
interface, the private LAN, a cloud's metadata service (169.254.169.254, fd00:ec2::254) with
its credentials. The rule:

1. The name is resolved, and **every** address it resolves to must be allowed: a global
   unicast address, or one inside `TUKI_WEBHOOK_ALLOWED_NETWORKS` (CIDRs an operator lists for
   on-premise targets). IPv4-mapped and IPv4-compatible IPv6 addresses count as their IPv4
   address. Cloud metadata addresses are refused even inside an allowed network.
2. The connection goes to the address that was checked (`PinnedHTTPConnection`): the name is
   resolved once, inside the connection, so a DNS answer that changes between the check and
   the connection (rebinding) reaches nothing new. The Host header, TLS SNI and certificate
   check still use the name.
3. Redirects are not followed: a 3xx is an answer like any other.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services: credentials of the machine Tuki runs on. Never, allow-list or not.
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.170.2",  # AWS ECS task credentials
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
    )
)


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedAddress(Exception):
    """The host is (or resolves to) an address outbound requests may not reach."""

    def __init__(self, host: str, address: IPAddress | None = None) -> None:
        self.host, self.address = host, address
        shown = f"{host} ({address})" if address is not None and str(address) != host else host
        super().__init__(f"{shown} is not a public internet address")


class UnresolvableHost(Exception):
    """The name has no address (yet): nothing to connect to."""


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDRs (or single addresses) from a setting; a bad one fails loudly at start-up."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{value!r} is not a network (CIDR): {exc}") from None
    return tuple(networks)


def allowed_networks() -> tuple[IPNetwork, ...]:
    return parse_networks(getattr(settings, "WEBHOOK_ALLOWED_NETWORKS", ()))


def _plain(address: IPAddress) -> IPAddress:
    """An IPv6 address that carries an IPv4 one (::ffff:a.b.c.d, ::a.b.c.d) as that IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:  # 2002::/16 routes to the IPv4 address it holds
            return address.sixtofour
        low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if address in NAT64:  # a NAT64 gateway connects to the IPv4 address it holds
            return low
        if int(address) >> 32 == 0 and int(address) > 1:  # deprecated IPv4-compatible form
            return low
    return address


def is_public(address: IPAddress) -> bool:
    """A global unicast address: not loopback, private, link-local, CGNAT, multicast, ..."""
    return not (
        not address.is_global
        or address.is_multicast
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_reserved
        or address.is_unspecified
    )


def is_allowed(address: IPAddress, allowed: Iterable[IPNetwork] | None = None) -> bool:
    """May an outbound request reach this address?"""
    address = _plain(address)
    if address in METADATA:
        return False
    if is_public(address):
        return True
    networks = allowed_networks() if allowed is None else allowed
    return any(address.version == net.version and address in net for net in networks)


def resolve(host: str, port: int) -> list[tuple[socket.AddressFamily, IPAddress]]:
    """Every address of `host` (a name or a literal address), in the resolver's order."""
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        infos = socket.getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"{host}: {exc}") from None
    found: list[tuple[socket.AddressFamily, IPAddress]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if (family, address) not in found:
            found.append((family, address))
    if not found:
        raise UnresolvableHost(host)
    return found


def check_host(host: str, port: int) -> list[tuple[socket.AddressFamily, IPAddress]]:
    """The addresses of `host`, all of them allowed; else BlockedAddress (or UnresolvableHost)."""
    addresses = resolve(host, port)
    allowed = allowed_networks()
    for _family, address in addresses:
        if not is_allowed(address, allowed):
            raise BlockedAddress(host, address)
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL whose host is not allowed now. A name that does not resolve passes: it
    reaches nothing, and the connection checks again."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        check_host(host, port)
    except UnresolvableHost:
        pass


def _connect_checked(
    host: str, port: int, timeout: float | None, source: tuple[str, int] | None
) -> socket.socket:
    """Resolve once, check every address, connect to the checked ones in turn."""
    error: OSError | None = None
    for family, address in check_host(host, port):
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source is not None:
                sock.bind(source)
            sock.connect((str(address), port))
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"cannot connect to {host}")


def _source(connection: http.client.HTTPConnection) -> tuple[str, int] | None:
    # Set by HTTPConnection.__init__; typeshed does not declare it.
    source: tuple[str, int] | None = getattr(connection, "source_address", None)
    return source


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a checked address only (module docstring, step 2)."""

    def connect(self) -> None:
        self.sock = _connect_checked(self.host, self.port, self.timeout, _source(self))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address only; SNI and the certificate are checked for the name."""

    def connect(self) -> None:
        sock = _connect_checked(self.host, self.port, self.timeout, _source(self))
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # set by HTTPSConnection.__init__, not in typeshed


def post(
    url: str, headers: dict[str, str], body: bytes, *, timeout: float, limit: int
) -> tuple[int, bytes]:
    """POST `body` to a checked address of `url`; (status, at most `limit` bytes of the answer).

    Raises BlockedAddress, UnresolvableHost, OSError or http.client.HTTPException.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = PinnedHTTPSConnection(host, parts.port, timeout=timeout)
    elif parts.scheme == "http":
        connection = PinnedHTTPConnection(host, parts.port, timeout=timeout)
    else:
        raise ValueError(f"not an http or https URL: {url}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(limit)
    finally:
        connection.close()
