"""An entry's link (issue 14): spaces percent-encoded rather than the link dropped, an Atom
entry's only alternate link kept whatever its type, and never a `tag:` URI or other non-web
scheme (feedparser hands on an Atom id as the link when there is none)."""

from __future__ import annotations

import re
from typing import Any

from bot.stories.urls import safe_link

_SPACES = re.compile(r"[ \t\r\n]+")


def entry_link(entry: Any, feed_url: str) -> str | None:
    """The entry's web link, resolved against the feed URL; None when it has none."""
    link = _web(entry.get("link"), feed_url)
    if link is not None:
        return link
    for candidate in entry.get("links") or ():  # feedparser keeps non-HTML alternates here
        if isinstance(candidate, dict) and candidate.get("rel", "alternate") == "alternate":
            link = _web(candidate.get("href"), feed_url)
            if link is not None:
                return link
    return None


def _web(value: Any, feed_url: str) -> str | None:
    if not isinstance(value, str):
        return None
    return safe_link(_SPACES.sub("%20", value.strip()) or None, feed_url)
