"""The fast path's entry builder: one RSS item or Atom entry as feedparser's handlers leave it.

Each element feedparser gives a meaning bot.ingest.parse reads is copied with feedparser's
exact rules; anything else declines (bot.ingest.fastparse explains when and why).
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
from feedparser.urls import _urljoin

from bot.ingest.fastnames import Declined, Names

Entry = dict[str, Any]

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
_READ_KEYS = frozenset({"tags", "published_parsed", "updated_parsed", "links"})
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


class EntryBuilder:
    """Builds entries for one feed: its base URI for relative links, and its element names."""

    def __init__(self, base: str, names: Names) -> None:
        self.base, self.name = base, names

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
            elif name in _PUBLISHED or name in _UPDATED:
                key = "published" if name in _PUBLISHED else "updated"
                entry[key] = value = self.text(child)  # bot.ingest.dates reads what is unparsed
                entry[key + "_parsed"] = _parse_date(value)
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
        """RSS <link>text</link>, or Atom <link href>: the last alternate HTML link wins.
        Alternate links of every type are listed too, as feedparser's `links` (the rel and
        href bot.ingest.links reads)."""
        attrs = _attrs(element)
        rel = attrs.get("rel", "alternate")
        if "href" not in attrs:
            if "url" in attrs or "uri" in attrs:
                raise Declined("a link with url or uri")
            value = self.text(element, _LINK, uri=True)
            entry["link"] = _ENTITY_IN_LINK.sub(r"&\g<1>", value.replace("&amp;", "&"))
            if rel == "alternate" and entry["link"]:
                entry.setdefault("links", []).append({"rel": rel, "href": entry["link"]})
            return
        if len(element) or "url" in attrs or "uri" in attrs:
            raise Declined("a link feedparser reads another way")
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        href = _urljoin(self.base, attrs["href"])
        if rel == "alternate":
            entry.setdefault("links", []).append({"rel": rel, "href": href})
            if _TYPE_NAMES.get(kind, kind) in _HTML_TYPES:
                entry["link"] = href

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
