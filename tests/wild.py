"""Shared helpers for the issue 14 tests: the vendored real feeds and a parse at a fixed clock."""

from __future__ import annotations

import warnings
from pathlib import Path

from bot.ingest.parse import ParsedFeed, parse_feed

WILD = Path(__file__).resolve().parent / "fixtures" / "wild"
NOW = 1_800_000_000.0  # 2027-01-15
URL = "https://feeds.example/news/rss.xml"


def wild(name: str) -> bytes:
    return (WILD / name).read_bytes()


def parse(body: bytes, url: str = URL, content_type: str | None = None) -> ParsedFeed:
    """parse_feed on both paths, which must agree; the fast path's answer."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # feedparser warns about its deprecated keys
        fast = parse_feed(body, url, content_type, now=NOW)
        slow = parse_feed(body, url, content_type, now=NOW, fast=False)
    assert fast == slow
    return fast
