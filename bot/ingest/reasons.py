"""Why a fetch failed, in a few words that never hold the URL (httpx's error text does)."""

from __future__ import annotations

import socket
import ssl
import zlib

import httpx


class FetchFailure(Exception):
    """A failure whose reason is already short and URL-free, with the HTTP status if any."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def describe(exc: BaseException, timeout: float) -> str:
    """A short reason for a transport failure; never str(exc), which holds the URL."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timeout after {timeout:g}s"
    chain = _causes(exc)
    for kind, reason in (
        (ssl.SSLError, "TLS error"),
        (ConnectionRefusedError, "connection refused"),
        (ConnectionResetError, "connection reset"),
        (socket.gaierror, "DNS lookup failed"),
        (TimeoutError, f"timeout after {timeout:g}s"),
        (httpx.ConnectError, "connection failed"),
        (httpx.ProtocolError, "protocol error"),
        (zlib.error, "corrupt compressed body"),
        (OSError, "network error"),
    ):
        if any(isinstance(e, kind) for e in chain):
            return reason
    return f"network error ({type(exc).__name__})"
