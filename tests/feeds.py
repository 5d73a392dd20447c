"""Small builders for real RSS 2.0, Atom and RSS 1.0 documents used as test fixtures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape


@dataclass
class Entry:
    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    published: float | None = None
    categories: list[str] = field(default_factory=list)
    content: str = ""
    outlet: str | None = None  # Google News names the publisher in <source url=...>


def _rfc822(stamp: float) -> str:
    return format_datetime(datetime.fromtimestamp(stamp, UTC))


def _iso(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rss(entries: list[Entry], title: str = "Test Feed") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
        f"<title>{escape(title)}</title><link>https://feed.example/</link>",
    ]
    for e in entries:
        parts.append("<item>")
        parts.append(f"<title>{escape(e.title)}</title>")
        if e.link:
            parts.append(f"<link>{escape(e.link)}</link>")
        if e.guid:
            parts.append(f'<guid isPermaLink="false">{escape(e.guid)}</guid>')
        if e.summary:
            parts.append(f"<description>{escape(e.summary)}</description>")
        if e.content:
            parts.append(f"<content:encoded>{escape(e.content)}</content:encoded>")
        if e.published is not None:
            parts.append(f"<pubDate>{_rfc822(e.published)}</pubDate>")
        parts.extend(f"<category>{escape(c)}</category>" for c in e.categories)
        if e.outlet:
            parts.append(f'<source url="https://outlet.example">{escape(e.outlet)}</source>')
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def atom(entries: list[Entry], title: str = "Test Atom") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:test:feed</id><updated>2026-01-01T00:00:00Z</updated>",
    ]
    for i, e in enumerate(entries):
        parts.append("<entry>")
        parts.append(f"<title>{escape(e.title)}</title>")
        parts.append(f"<id>{escape(e.guid or f'urn:test:{i}')}</id>")
        if e.link:
            parts.append(f'<link rel="alternate" href="{escape(e.link)}"/>')
        if e.published is not None:
            parts.append(f"<updated>{_iso(e.published)}</updated>")
        if e.summary:
            parts.append(f'<summary type="html">{escape(e.summary)}</summary>')
        parts.extend(f'<category term="{escape(c)}"/>' for c in e.categories)
        parts.append("</entry>")
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def rdf(entries: list[Entry], title: str = "Test RDF") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        f'<channel rdf:about="https://feed.example/"><title>{escape(title)}</title>'
        "<link>https://feed.example/</link><description>t</description></channel>",
    ]
    for e in entries:
        about = escape(e.link or e.guid or e.title)
        parts.append(f'<item rdf:about="{about}"><title>{escape(e.title)}</title>')
        if e.link:
            parts.append(f"<link>{escape(e.link)}</link>")
        if e.summary:
            parts.append(f"<description>{escape(e.summary)}</description>")
        if e.published is not None:
            parts.append(f"<dc:date>{_iso(e.published)}</dc:date>")
        parts.append("</item>")
    parts.append("</rdf:RDF>")
    return "\n".join(parts).encode("utf-8")
