"""The SSRF guard as tables of cases (HARDENING C1, C3; RFC 6890 special-purpose addresses)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from bot.ingest.netguard import (
    BlockedAddress,
    check_url_syntax,
    is_blocked_ip,
    resolve_public,
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://ftp.example.com/feed.xml",
        "gopher://example.com:70/1",
        "data:text/xml,<rss/>",
        "javascript:alert(1)",
        "dict://127.0.0.1:11211/stat",
        "ws://example.com/feed",
    ],
)
def test_schemes_other_than_http_and_https_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddress, match=r"^not http\(s\)$"):
        check_url_syntax(url)


@pytest.mark.parametrize(
    "url", ["https://variety.com/feed/", "http://example.com:8080/rss?x=1", "HTTPS://EXAMPLE.COM/"]
)
def test_http_and_https_urls_pass_the_syntax_check(url: str) -> None:
    check_url_syntax(url)


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(BlockedAddress, match="user name or password"):
        check_url_syntax("https://user:secret@example.com/feed")


@pytest.mark.parametrize("url", ["http:///feed.xml", "https://"])
def test_a_url_without_a_host_is_refused(url: str) -> None:
    with pytest.raises(BlockedAddress):
        check_url_syntax(url)


def test_a_port_out_of_range_is_refused() -> None:
    with pytest.raises(BlockedAddress, match="not a valid URL"):
        check_url_syntax("http://example.com:99999/")


BLOCKED = [
    "127.0.0.1",
    "127.1.2.3",
    "0.0.0.0",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "169.254.1.1",
    "100.64.0.1",  # CGNAT, RFC 6598
    "100.100.100.200",  # Alibaba metadata
    "192.0.0.8",
    "198.18.0.1",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::127.0.0.1",  # IPv4-compatible
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 around 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 around 127.0.0.1
    "2002:a00:1::",  # 6to4 around 10.0.0.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo whose client is 10.0.0.1
    "64:ff9b:1::1",  # local-use NAT64
    "2001:db8::1",  # documentation
]


@pytest.mark.parametrize("address", BLOCKED)
def test_special_purpose_addresses_are_blocked(address: str) -> None:
    assert is_blocked_ip(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        # Tunnels and translations are as public as the IPv4 address they reach, on every
        # Python (3.13 calls all of 2002::/16 private; 3.11 and 3.12 do not).
        "2002:808:808::",  # 6to4 around 8.8.8.8
        "2002:808:808::1",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo whose client is 8.8.8.8
        "64:ff9b::808:808",  # NAT64 around 8.8.8.8
    ],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert not is_blocked_ip(ipaddress.ip_address(address))


# HARDENING C1: every form, through the real getaddrinfo (IP literals resolve offline).
C1_HOSTS = [
    "127.0.0.1",
    "::1",
    "169.254.169.254",
    "10.0.0.5",
    "0x7f.1",  # inet_aton hex form of 127.0.0.1
    "2130706433",  # the same as one decimal number
    "localhost.",
    "localhost",
    "api.localhost",
    "::ffff:127.0.0.1",
]


@pytest.mark.parametrize("host", C1_HOSTS)
async def test_every_c1_address_form_is_refused(host: str) -> None:
    with pytest.raises(BlockedAddress) as caught:
        await resolve_public(host, 80, allow_private=False)
    assert str(caught.value) == "resolves to a private address"


async def test_loopback_is_allowed_when_private_networks_are() -> None:
    assert await resolve_public("127.0.0.1", 80, allow_private=True) == ["127.0.0.1"]


async def test_odd_ipv4_forms_resolve_to_the_address_they_mean() -> None:
    assert await resolve_public("0x7f.1", 80, allow_private=True) == ["127.0.0.1"]
    assert await resolve_public("2130706433", 80, allow_private=True) == ["127.0.0.1"]


async def test_a_name_with_any_private_answer_is_refused() -> None:
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(BlockedAddress):
        await resolve_public("mixed.example", 443, allow_private=False, resolver=mixed)


async def test_a_public_name_returns_its_addresses_once_each() -> None:
    async def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "2606:2800:220:1::", "93.184.216.34"]

    answers = await resolve_public("public.example", 443, allow_private=False, resolver=public)
    assert answers == ["93.184.216.34", "2606:2800:220:1::"]


async def test_an_answer_that_is_not_an_address_fails_closed() -> None:
    async def broken(host: str, port: int) -> list[str]:
        return ["not-an-ip"]

    with pytest.raises(BlockedAddress):
        await resolve_public("odd.example", 80, allow_private=True, resolver=broken)


async def test_a_name_without_answers_is_a_dns_error() -> None:
    async def empty(host: str, port: int) -> list[str]:
        return []

    with pytest.raises(socket.gaierror):
        await resolve_public("nothing.example", 80, allow_private=False, resolver=empty)
