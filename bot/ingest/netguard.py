"""SSRF guard: which URLs newswatch may fetch, and which addresses it may connect to.

Feed URLs come from users (`/watch add`, config) and from redirects, so every one is
checked before any connection (HARDENING C1-C3). Host names are resolved first and the
answers checked, because getaddrinfo also accepts `0x7f.1` and `2130706433` (inet_aton
forms): matching the text of the host is not enough.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Maps (host, port) to IP address strings; injectable so tests can fake DNS."""

ALLOWED_SCHEMES = frozenset({"http", "https"})

# User-safe messages: they say what is wrong with the URL, never what the network looks like.
NOT_A_URL = "not a valid URL"
NOT_HTTP = "not http(s)"
NO_HOST = "has no host"
CREDENTIALS = "must not contain a user name or password"
PRIVATE = "resolves to a private address"

# RFC 6890 special-purpose blocks that Python 3.11's `is_global` still calls global, plus
# the cloud metadata endpoints named so a reader finds them (AWS/GCP/Azure, AWS IPv6, Alibaba).
_EXTRA_BLOCKED = (
    ipaddress.ip_network("100.64.0.0/10"),  # RFC 6598 shared address space (CGNAT)
    ipaddress.ip_network("192.0.0.0/24"),  # RFC 6890 IETF protocol assignments
    ipaddress.ip_network("64:ff9b:1::/48"),  # RFC 8215 local-use IPv4/IPv6 translation
)
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052 well-known prefix: last 32 bits are IPv4


class BlockedAddress(Exception):
    """A URL newswatch refuses to fetch; `str()` is safe to show to users."""


def parse_http_url(url: str) -> httpx.URL:
    """Parse with httpx itself (no parser differential with the fetcher) and apply the rules."""
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, TypeError, ValueError):
        raise BlockedAddress(NOT_A_URL) from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise BlockedAddress(NOT_HTTP)
    if not parsed.host:
        raise BlockedAddress(NO_HOST)
    if parsed.userinfo:
        raise BlockedAddress(CREDENTIALS)
    if port is not None and not 0 < port < 65536:
        raise BlockedAddress(NOT_A_URL)
    return parsed


def check_url_syntax(url: str) -> None:
    """Refuse non-http(s) schemes (file, ftp, gopher, data, ...), a missing host, credentials."""
    parse_http_url(url)


def _tunnelled_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a tunnel or translation address reaches (6to4, Teredo, NAT64): such
    an address is exactly as public as that IPv4 one. `is_private` must not judge them: its
    answer for 2002::/16 changed in Python 3.13 (private there, global in 3.11 and 3.12)."""
    if ip.sixtofour is not None:  # RFC 3056 2002::/16
        return ip.sixtofour
    if ip.teredo is not None:  # RFC 4380 2001::/32: (server, client)
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_blocked_ip(ip: IPAddress) -> bool:
    """True for loopback, private, link-local, metadata, CGNAT, multicast, reserved, unspecified."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d connects to a.b.c.d
            return is_blocked_ip(ip.ipv4_mapped)
        tunnelled = _tunnelled_ipv4(ip)
        if tunnelled is not None:
            return ip in _METADATA or is_blocked_ip(tunnelled)
        if int(ip) >> 32 == 0 and int(ip) > 1:  # RFC 4291 IPv4-compatible ::a.b.c.d
            return True  # deprecated, and in ::/8, which no public host uses
    return (
        ip in _METADATA
        or not ip.is_global  # RFC 6890 registries, as the ipaddress module encodes them
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in net for net in _EXTRA_BLOCKED)
    )


async def system_resolve(host: str, port: int) -> list[str]:
    """Resolve with the loop's getaddrinfo (run in a thread, so the loop never blocks)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _is_localhost_name(host: str) -> bool:
    # RFC 6761 section 6.3: "localhost." and every name under it are loopback, whatever DNS says.
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


async def resolve_public(
    host: str, port: int, allow_private: bool, resolver: Resolver | None = None
) -> list[str]:
    """Resolve `host` and return its addresses, refusing if ANY of them is blocked.

    Any, not all: the caller may connect to any answer, and a rebinding name can mix them.
    Raises BlockedAddress, or OSError (socket.gaierror) when the name does not resolve.
    """
    if not allow_private and _is_localhost_name(host):
        raise BlockedAddress(PRIVATE)
    try:  # an IP literal needs no lookup
        answers = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        answers = await (resolver or system_resolve)(host, port)
    addresses: list[str] = []
    for answer in answers:
        try:  # an IPv6 answer may carry a zone ("fe80::1%eth0"); the address is what matters
            ip = ipaddress.ip_address(answer.split("%", 1)[0])
        except ValueError:
            raise BlockedAddress(PRIVATE) from None  # fail closed on an answer we cannot judge
        if not allow_private and is_blocked_ip(ip):
            raise BlockedAddress(PRIVATE)
        if str(ip) not in addresses:
            addresses.append(str(ip))
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, "no address")
    return addresses
