"""Read a response body under a byte cap, raw and decoded (HARDENING C4, B5).

The cap holds for the bytes on the wire and for what they inflate to: httpx's own decoder
can turn one 64 KiB gzip chunk into 67 MB at once, so it is never used (aiter_raw only).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from bot.ingest.reasons import FetchFailure

GZIP_MAGIC = b"\x1f\x8b"


def too_big(max_bytes: int) -> str:
    """The reason for a body over the cap, e.g. "response over 10 MiB"."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if max_bytes >= scale and max_bytes % scale == 0:
            return f"response over {max_bytes // scale} {unit}"
    return f"response over {max_bytes} bytes"


class _Inflater:
    """A gzip/zlib/raw-deflate decoder that never holds more than `limit` decoded bytes.

    Each `decompress` call is bounded with `max_length` and the rest left in unconsumed_tail.
    """

    def __init__(self, limit: int) -> None:
        self._limit, self._too_big = limit, too_big(limit)
        self._out = bytearray()
        self._head = b""
        self._z: Any = None  # zlib's Decompress type is not public

    def feed(self, data: bytes) -> None:
        if self._z is None:  # wait for two bytes to tell gzip, zlib and raw deflate apart
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._z = zlib.decompressobj(_wbits(data))
        while data:
            if self._z.eof:  # a second gzip member (RFC 1952 section 2.2), else trailing junk
                if data[:2] != GZIP_MAGIC:
                    return
                self._z = zlib.decompressobj(31)
            self._out += self._z.decompress(data, self._limit - len(self._out) + 1)
            if len(self._out) > self._limit:
                raise FetchFailure(self._too_big, 200)
            data = self._z.unconsumed_tail or self._z.unused_data

    def finish(self) -> bytes:
        if self._head or (self._z is not None and not self._z.eof):
            raise FetchFailure("truncated compressed body", 200)
        return bytes(self._out)


def _wbits(head: bytes) -> int:
    if head[:2] == GZIP_MAGIC:
        return 31
    # RFC 9110 section 8.4.1.2: "deflate" means zlib (RFC 1950), but some servers send raw
    # RFC 1951 data; a zlib header is CM=8 with a 16-bit check value divisible by 31.
    if head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0:
        return 15
    return -15


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """Read raw bytes (never aiter_bytes) and decode them under the cap."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailure(too_big(max_bytes), 200)
    coding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if coding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchFailure("unsupported Content-Encoding", 200)
    inflater = None if coding in ("identity", "") else _Inflater(max_bytes)
    raw, received = bytearray(), 0
    if response.is_stream_consumed:  # read already (httpx.MockTransport with content=)
        chunks: AsyncIterator[bytes] = _once(response.content)
        inflater = None
    else:
        chunks = response.aiter_raw()
    async for chunk in chunks:
        received += len(chunk)
        if received > max_bytes:  # raw bytes are capped too, not only decoded ones
            raise FetchFailure(too_big(max_bytes), 200)
        if inflater is not None:
            inflater.feed(chunk)
        else:
            raw += chunk
    body = inflater.finish() if inflater is not None else bytes(raw)
    if body[:2] == GZIP_MAGIC:  # HARDENING B5: gzip bytes without Content-Encoding
        inflater = _Inflater(max_bytes)
        inflater.feed(body)
        body = inflater.finish()
    return body
