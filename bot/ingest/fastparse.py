"""A fast path for plain, well-formed UTF-8 RSS 2.0 and Atom feeds.

feedparser spends most of a poll's CPU in its Python SAX handlers. Here the C expat parser
behind ElementTree builds the tree and a short walk produces the entries feedparser would
have produced, with the same values, so `bot.ingest.parse` turns both into the same items; it is
about six times faster than feedparser. The walk models feedparser exactly for the
elements news feeds use, and declines (returns None) at the first thing it does not
model: a DOCTYPE, xml:base, an encoding other than UTF-8, markup inside a text element,
base64 or XHTML content, RSS 1.0, an element feedparser gives a meaning we do not copy
(itunes:summary, media:title ...). Then feedparser parses the feed as before.
tests/test_fastparse.py proves both paths give identical items over the shared corpus,
the bench feeds and generated feeds.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri

Entry = dict[str, Any]

# The namespaces feedparser knows, keyed by lower-case URI, to the prefix it files them under.
_KNOWN_NAMESPACES = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()}
_FEED_ROOTS = {"rss", "feed"}  # RSS 0.9x/2.0 and Atom 0.3/1.0; RSS 1.0 (rdf:RDF) declines
_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']")
_FIRST_ELEMENT = re.compile(rb"<\w")  # where feedparser's replace_doctype ends the prolog
_NS_DECLARATION = re.compile(rb"xmlns:([A-Za-z_][\w.-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")

# Item children whose feedparser handlers touch nothing bot.ingest.parse reads (author names,
# enclosures, thumbnails, comment links, creation dates ...). Their children are checked too.
_HARMLESS = frozenset(
    {
        "author", "name", "email", "uri", "url", "contributor", "comments", "enclosure",
        "rights", "copyright", "created", "expirationdate", "dc_creator", "dc_author",
        "dc_publisher", "dc_rights", "dc_contributor", "dc_language", "dc_format",
        "dcterms_created", "media_content", "media_thumbnail", "media_credit",
        "media_player", "media_rating", "media_restriction", "media_license",
        "itunes_author", "itunes_image", "itunes_explicit", "itunes_block",
        "itunes_subtitle", "georss_point",
    }
)  # fmt: skip
_PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms_issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified"})
_SUMMARY = frozenset({"description", "summary"})
_CONTENT = frozenset({"content_encoded", "content"})
# Elements that may come once an entry; a summary-like and a content-like element share a slot
# because feedparser turns a second summary into content and back, by order.
_ONCE = {
    "title": "title", "guid": "id", "id": "id", "source": "source",
    "description": "summary", "summary": "summary",
    "content_encoded": "content", "content": "content",
}  # fmt: skip
# The keys bot.ingest.parse reads: an unknown element of one of these names would overwrite them.
_READ_KEYS = frozenset({"tags", "published_parsed", "updated_parsed"})
# Attributes each text element may carry (feedparser's lower-cased names).
_LANG = "lang"
_PLAIN = frozenset({_LANG})
_TYPED = frozenset({_LANG, "type"})
_GUID = frozenset({_LANG, "ispermalink"})
_SOURCE = frozenset({_LANG, "url"})
_LINK = frozenset({_LANG, "rel", "type"})
_CATEGORY = frozenset({_LANG, "term", "scheme", "domain", "label"})
_TEXT_TYPES = frozenset({"text/plain", "text/html"})
_TYPE_NAMES = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
_HTML_TYPES = frozenset(_FeedParserMixin.html_types)


class Declined(Exception):
    """The feed uses something the fast path does not model: feedparser reads it instead."""


def fast_entries(
    body: bytes, url: str, content_type: str | None = None, limit: int = 500
) -> tuple[str, list[Entry]] | None:
    """The feed title and up to `limit` feedparser-shaped entries, or None to use feedparser."""
    if not _plain_utf8(body, content_type):
        return None
    try:
        root = ET.fromstring(body)
    except Exception:  # not well-formed, or an entity expat refuses: feedparser's loose parser
        return None
    try:
        return _Walk(body, url).feed(root, limit)
    except Declined:
        return None
    except Exception:  # RecursionError on absurd nesting, or a case not foreseen: feedparser
        return None


def _plain_utf8(body: bytes, content_type: str | None) -> bool:
    """True for UTF-8 without BOM, DOCTYPE or xml:base.

    The media type does not matter (feedparser reads any type with its strict parser, and a
    UTF-8 body as UTF-8), only a charset other than UTF-8 does. With no media type at all
    and no declared encoding, feedparser reads the bytes as ISO-8859-1, which only ASCII
    survives unchanged (attribute values keep the Latin-1 reading): only ASCII passes then.
    """
    if content_type:
        params = content_type.partition(";")[2]
        charset = params.strip().lower().replace(" ", "").replace('"', "")
        if charset and charset != "charset=utf-8":
            return False
    if body[:1] != b"<":  # a BOM or leading space: feedparser rewrites the prolog its own way
        return False
    declared = _DECLARED_ENCODING.match(body)
    if declared and declared.group(1).lower() != b"utf-8":
        return False
    if not content_type and declared is None and not body.isascii():
        return False
    first = _FIRST_ELEMENT.search(body)
    prolog = body[: first.start() if first else len(body)].upper()
    return not (b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog or b"base=" in body)


class _Walk:
    """One parse: the feed's base URI, namespace prefixes and a cache of element names."""

    def __init__(self, body: bytes, url: str) -> None:
        self.body = body
        self.base = make_safe_absolute_uri("", url) or make_safe_absolute_uri(url) or ""
        self.names: dict[str, str] = {}
        self.prefixes: dict[str, str] | None = None

    def feed(self, root: ET.Element, limit: int) -> tuple[str, list[Entry]]:
        kind = self.name(root.tag)
        if kind not in _FEED_ROOTS:
            raise Declined(kind)
        title: list[str] = []
        entries: list[Entry] = []
        if kind == "rss":
            channels = list(root)
            if len(channels) != 1 or self.name(channels[0].tag) != "channel":
                raise Declined("rss without exactly one channel")
            children = channels[0]
            item_name = "item"
        else:
            children = root
            item_name = "entry"
        for child in children:
            name = self.name(child.tag)
            if name == item_name:
                if len(entries) < limit:
                    entries.append(self.entry(child))
            elif name == "title":
                title.append(self.text(child))
            elif name in ("item", "entry"):
                raise Declined("entries of another format")
        if len(title) > 1:
            raise Declined("several feed titles")
        nested = sum(1 for element in root.iter() if self.name(element.tag) in ("item", "entry"))
        if nested != sum(1 for child in children if self.name(child.tag) == item_name):
            raise Declined("entries outside the channel or feed")
        return (title[0] if title else ""), entries

    def entry(self, element: ET.Element) -> Entry:
        """One item or entry, as feedparser's handlers leave it (see the module docstring)."""
        if element.attrib:
            raise Declined("attributes on an item")
        entry: Entry = {}
        seen: set[str] = set()
        for child in element:
            name = self.name(child.tag)
            once = _ONCE.get(name)
            if once:
                if once in seen:  # feedparser's rules for a second one depend on order
                    raise Declined(f"{name} twice in one entry")
                seen.add(once)
            if name == "title":
                entry["title"] = self.text(child, _TYPED)
            elif name == "link":
                self.link(child, entry)
            elif name in _SUMMARY:
                entry["summary"] = self.text(child, _TYPED)
            elif name in _CONTENT:
                value = self.text(child, _TYPED if name == "content" else _PLAIN)
                entry["content"] = [{"value": value}]
                entry.setdefault("summary", value)  # feedparser copies content to a missing summary
            elif name in ("guid", "id"):
                permalink = _attrs(child).get("ispermalink", "true") == "true"
                value = self.text(child, _GUID, uri=permalink)
                entry["id"] = value
                if permalink:  # a permalink guid is the link when no link came first
                    entry.setdefault("link", value)
            elif name in _PUBLISHED:
                entry["published_parsed"] = _parse_date(self.text(child))
            elif name in _UPDATED:
                entry["updated_parsed"] = _parse_date(self.text(child))
            elif name == "category":
                self.category(child, entry)
            elif name == "source":
                value = self.text(child, _SOURCE)
                source = {"href": _attrs(child)["url"]} if "url" in _attrs(child) else {}
                if value:
                    source["title"] = value
                entry["source"] = source
            else:
                self.harmless(child, name)
        return entry

    def text(self, element: ET.Element, allowed: frozenset[str] = _PLAIN, uri: bool = False) -> str:
        """An element's text as feedparser's pop() hands it on: stripped, resolved when it is
        a URI, and with its two repairs (UTF-8 read as Latin-1, cp1252 control points)."""
        if len(element):
            raise Declined("markup inside a text element")
        if element.attrib:
            attrs = _attrs(element)
            if attrs.keys() - allowed:
                raise Declined(f"attributes {sorted(attrs.keys() - allowed)}")
            kind = attrs.get("type")
            if kind is not None and _TYPE_NAMES.get(kind, kind) not in _TEXT_TYPES:
                raise Declined(f"content of type {kind}")  # base64, xhtml: feedparser decodes
        value = (element.text or "").strip()
        if uri and value:
            value = _urljoin(self.base, value)
        if value.isascii():  # both repairs leave ASCII as it is
            return value
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            value = value.encode("iso-8859-1").decode("utf-8")
        return value.translate(_cp1252)

    def link(self, element: ET.Element, entry: Entry) -> None:
        """RSS <link>text</link>, or Atom <link href>: the last alternate HTML link wins."""
        attrs = _attrs(element)
        if "href" not in attrs:
            if "url" in attrs or "uri" in attrs:
                raise Declined("a link with url or uri")
            value = self.text(element, _LINK, uri=True)
            entry["link"] = _ENTITY_IN_LINK.sub(r"&\g<1>", value.replace("&amp;", "&"))
            return
        if len(element) or "url" in attrs or "uri" in attrs:
            raise Declined("a link feedparser reads another way")
        rel = attrs.get("rel", "alternate")
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        if rel == "alternate" and _TYPE_NAMES.get(kind, kind) in _HTML_TYPES:
            entry["link"] = _urljoin(self.base, attrs["href"])

    def category(self, element: ET.Element, entry: Entry) -> None:
        """feedparser's _start_category and _end_category: attributes, then the text."""
        attrs = _attrs(element)
        tags: list[dict[str, str | None]] = entry.setdefault("tags", [])
        scheme = attrs.get("scheme", attrs.get("domain"))
        _add_tag(tags, attrs.get("term"), scheme, attrs.get("label"))
        value = self.text(element, _CATEGORY)
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            _add_tag(tags, value, None, None)

    def harmless(self, element: ET.Element, name: str) -> None:
        """Decline unless feedparser files this subtree under keys bot.ingest.parse never reads."""
        if name in _READ_KEYS or (name not in _HARMLESS and _has_handler(name)):
            raise Declined(f"element {name}")
        for child in element:
            self.harmless(child, self.name(child.tag))

    def name(self, tag: Any) -> str:
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


_KNOWN_PREFIXES = frozenset(p.lower() for p in _KNOWN_NAMESPACES.values() if p)


def _has_handler(name: str) -> bool:
    return hasattr(StrictFeedParser, "_start_" + name) or hasattr(StrictFeedParser, "_end_" + name)


def _add_tag(
    tags: list[dict[str, str | None]], term: str | None, scheme: str | None, label: str | None
) -> None:
    """feedparser's _add_tag: nothing for an empty tag, never the same tag twice."""
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _attrs(element: ET.Element) -> dict[str, str]:
    """Attributes as feedparser's strict parser names them: lower-case, rel and type values
    lower-case too. Namespaced ones decline, but xml:lang, which nothing here reads."""
    attrs: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key.startswith("{"):
            if key != _XML_LANG:
                raise Declined(f"namespaced attribute {key}")
            key = _LANG
        key = key.lower()
        attrs[key] = value.lower() if key in ("rel", "type") else value
    return attrs
