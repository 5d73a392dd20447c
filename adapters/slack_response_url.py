"""Where a slash command's answer may go: its response_url, checked before any POST.

The response_url comes in the request body. A valid signature says Slack sent the request,
but a leaked signing secret would otherwise aim our POSTs anywhere, loopback and cloud
metadata included (HARDENING C1). So an answer goes only to Slack's hooks hosts over https
on the default port, or to the configured `[slack] api_url`'s own origin (a proxy, the
tests' fake Slack). The name is resolved once here and every answer must be public (except
at the api_url origin); the connection is pinned to those answers and redirects are not
followed, so neither DNS rebinding nor a 30x can move it. The URL is a credential (it posts
into the channel for half an hour): errors and logs carry its host, never its path.
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.ingest.netguard import BlockedAddress, Resolver, parse_http_url, resolve_public

# https://docs.slack.dev/interactivity/handling-user-interaction#message_responses: response
# URLs are https://hooks.slack.com/...; GovSlack serves the same from slack-gov.com.
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
DEFAULT_PORTS = {"http": 80, "https": 443}


class ResponseUrlRefused(Exception):
    """A response_url newswatch will not post to; `str()` names the host and why, only."""

    def __init__(self, host: str, why: str) -> None:
        super().__init__(f"response_url on {host or 'no host'}: {why}")
        self.host = host


class ResponseUrlFailed(Exception):
    """The POST to an allowed response_url did not get through; `str()` has the host only."""


@dataclass(frozen=True)
class ResponseTarget:
    """A response_url that passed the host rules, and whether it may be a private address."""

    url: str
    scheme: str
    host: str
    port: int
    allow_private: bool

    def __repr__(self) -> str:  # never the path: it is the credential
        return f"ResponseTarget({self.scheme}://{self.host}:{self.port}/...)"


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return (url.scheme, url.host, url.port or DEFAULT_PORTS[url.scheme])


def check_response_url(url: str, api_url: str) -> ResponseTarget:
    """Apply the host rules (no DNS yet); raise ResponseUrlRefused naming the host."""
    try:
        parsed = parse_http_url(url)
    except BlockedAddress as exc:
        host = ""
        with contextlib.suppress(httpx.InvalidURL, TypeError, ValueError):
            host = httpx.URL(url).host
        raise ResponseUrlRefused(host, str(exc)) from None
    scheme, host, port = _origin(parsed)
    if api_url:
        try:
            allowed = _origin(parse_http_url(api_url))
        except BlockedAddress:
            allowed = ("", "", 0)
        if (scheme, host, port) == allowed:
            return ResponseTarget(url, scheme, host, port, allow_private=True)
    if host not in SLACK_HOOK_HOSTS:
        raise ResponseUrlRefused(host, "not a Slack host (nor the configured api_url's)")
    if scheme != "https" or port != DEFAULT_PORTS["https"]:
        raise ResponseUrlRefused(host, "Slack's hosts are https on port 443 only")
    return ResponseTarget(url, scheme, host, port, allow_private=False)


class _PinnedResolver(AbstractResolver):
    """aiohttp's resolver for one request: the addresses we checked, for the one host."""

    def __init__(self, host: str, addresses: list[str]) -> None:
        self.host = host
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host != self.host:
            raise OSError(f"{host} was not checked")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.addresses
        ]

    async def close(self) -> None:
        return None


def _env_proxy() -> str:
    """The proxy slack-sdk's Web API client uses too (its proxy_env_variable_loader order)."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        value = os.environ.get(name)
        if value is not None:
            return value.strip()
    return ""


async def post_response(
    target: ResponseTarget,
    payload: dict[str, Any],
    timeout: float,
    resolver: Resolver | None = None,
) -> int:
    """POST the JSON payload to the checked address; the HTTP status Slack answered.

    With an HTTPS proxy in the environment (as slack-sdk honours it) the proxy resolves the
    name, so the host rules alone guard that path.
    """
    proxy = _env_proxy()
    pinned: AbstractResolver | None = None
    if not proxy:
        try:
            addresses = await resolve_public(
                target.host, target.port, target.allow_private, resolver
            )
        except BlockedAddress as exc:
            raise ResponseUrlRefused(target.host, str(exc)) from None
        except OSError as exc:
            raise ResponseUrlFailed(
                f"response_url on {target.host}: does not resolve ({type(exc).__name__})"
            ) from None
        pinned = _PinnedResolver(target.host, addresses)
    connector = aiohttp.TCPConnector(resolver=pinned, use_dns_cache=False)
    try:
        async with (
            aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=timeout),
                trust_env=False,
            ) as session,
            session.post(
                target.url, json=payload, allow_redirects=False, proxy=proxy or None
            ) as response,
        ):
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        raise ResponseUrlFailed(f"response_url on {target.host}: {type(exc).__name__}") from None
