"""The labelled story corpus (bench/data/stories/*.jsonl) as records, and as the RSS feeds a
real poll reads: one feed per outlet, every item with its title, link, description, pubDate
and GUID. Dates are shifted together so the newest item is an hour old: the gaps between
copies (and so the 72 h window) stay as labelled, and nothing is too old to be kept.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

DATA = Path(__file__).resolve().parent / "data" / "stories"
NEWEST_AGE = 3600.0  # the newest item of a set is published this long before the poll


@dataclass(frozen=True)
class Record:
    """One labelled item; `published` in epoch seconds, already shifted to now."""

    set: str
    split: str
    label: str
    title: str
    summary: str
    link: str
    outlet: str
    published: float
    lang: str


def _epoch(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def load(path: Path, now: float) -> list[Record]:
    """A set's records in file order, dates shifted so its newest item is NEWEST_AGE old."""
    raw = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    newest = max(_epoch(row["published"]) for row in raw)
    shift = now - NEWEST_AGE - newest
    return [
        Record(
            set=row["set"],
            split=row.get("split", "all"),
            label=row["label"],
            title=row["title"],
            summary=row.get("summary") or "",
            link=row["link"],
            outlet=row["outlet"],
            published=_epoch(row["published"]) + shift,
            lang=row.get("lang", "en"),
        )
        for row in raw
    ]


def sets(names: Iterable[str] | None = None) -> dict[str, Path]:
    """The labelled files by set name (the file's stem), all of them or those named."""
    found = {path.stem: path for path in sorted(DATA.glob("*.jsonl"))}
    if names is None:
        return found
    wanted = list(names)
    missing = [name for name in wanted if name not in found]
    if missing:
        raise SystemExit(f"no labelled set {missing} in {DATA} (have {sorted(found)})")
    return {name: found[name] for name in wanted}


def _publisher(title: str) -> str:
    head, sep, tail = title.rpartition(" - ")
    return tail if sep and head else "Google News"


def _description(record: Record) -> str:
    """The publisher's summary as HTML; a Google News copy's usual anchor-and-font instead."""
    if record.link.startswith("https://news.google.com/") and not record.summary:
        headline = record.title.rpartition(" - ")[0] or record.title
        return (
            f'<a href="{escape(record.link)}" target="_blank">{escape(headline)}</a>'
            f'&nbsp;&nbsp;<font color="#6f6f6f">{escape(_publisher(record.title))}</font>'
        )
    return f"<p>{escape(record.summary)}</p>" if record.summary else ""


def _item(record: Record) -> str:
    date = format_datetime(datetime.fromtimestamp(record.published, UTC))
    description = _description(record)
    parts = [
        f"<item><title>{escape(record.title)}</title><link>{escape(record.link)}</link>",
        f'<guid isPermaLink="false">{escape(record.link)}</guid><pubDate>{date}</pubDate>',
        f"<description>{escape(description)}</description>" if description else "",
    ]
    if record.link.startswith("https://news.google.com/"):
        publisher = _publisher(record.title)
        site = "https://" + "".join(ch for ch in publisher.lower() if ch.isalnum()) + ".example"
        parts.append(f"<source url={quoteattr(site)}>{escape(publisher)}</source>")
    return "".join(parts) + "</item>"


def _feed(outlet: str, records: list[Record]) -> bytes:
    lang = max({r.lang for r in records}, key=[r.lang for r in records].count)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(outlet)}</title><link>https://feeds.example/</link>"
        f"<description>{escape(outlet)}</description><language>{escape(lang)}</language>"
    )
    newest_first = sorted(records, key=lambda r: -r.published)
    return (head + "\n".join(map(_item, newest_first)) + "</channel></rss>").encode("utf-8")


def feeds(records: list[Record]) -> dict[str, bytes]:
    """One RSS body per outlet, at /feed/N.xml (the path shape bench/feeds.serve expects)."""
    by_outlet: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        by_outlet[record.outlet].append(record)
    return {
        f"/feed/{n}.xml": _feed(outlet, by_outlet[outlet])
        for n, outlet in enumerate(sorted(by_outlet))
    }
