"""The names feedparser gives feed elements (its known namespace prefixes, else the feed's own),
and Declined, which every part of the fast path raises for what it does not model."""

from __future__ import annotations

import re
from typing import Any

from feedparser.mixin import _FeedParserMixin

# The namespaces feedparser knows, keyed by lower-case URI, to the prefix it files them under.
_KNOWN_NAMESPACES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_KNOWN_PREFIXES = frozenset(p.lower() for p in _KNOWN_NAMESPACES.values() if p)
_NS_DECLARATION = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


class Declined(Exception):
    """The feed uses something the fast path does not model: feedparser reads it instead."""


class Names:
    """One feed's element names: its namespace prefixes (read from the bytes) and a cache."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.names: dict[str, str] = {}
        self.prefixes: dict[str, str] | None = None

    def __call__(self, tag: Any) -> str:
        """The name feedparser gives an element: its known prefix, or the document's."""
        if not isinstance(tag, str):
            raise Declined("comment or processing instruction")
        cached = self.names.get(tag)
        if cached is None:
            cached = self.names[tag] = self._name(tag)
        return cached

    def _name(self, tag: str) -> str:
        if not tag.startswith("{"):
            return tag.lower()
        uri, _, local = tag[1:].partition("}")
        lowered = uri.lower()
        if "backend.userland.com/rss" in lowered:
            lowered = "http://backend.userland.com/rss"
        prefix = _KNOWN_NAMESPACES.get(lowered)
        if prefix is None:
            bound = [p for p, u in self._prefixes().items() if u == uri]
            if len(bound) > 1:
                raise Declined(f"namespace {uri} under several prefixes")
            prefix = bound[0].lower() if bound else ""
            if prefix in _KNOWN_PREFIXES:
                raise Declined(f"prefix {prefix} bound to an unknown namespace")
        return f"{prefix}_{local.lower()}" if prefix else local.lower()

    def _prefixes(self) -> dict[str, str]:
        if self.prefixes is None:
            self.prefixes = {}
            for match in _NS_DECLARATION.finditer(self.body):
                prefix = match.group(1).decode("ascii")
                uri = (match.group(2) if match.group(2) is not None else match.group(3)) or b""
                text = uri.decode("utf-8", "replace")
                if self.prefixes.setdefault(prefix, text) != text:
                    raise Declined(f"prefix {prefix} bound twice")
        return self.prefixes
