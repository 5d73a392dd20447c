"""`/watch why <link or story id>` and `newswatch why LINK` (SPEC "Chat commands"): which
story an item belongs to and why, and for each watch of the channel whether it matches.

A link is found by its canonical URL (bot.stories.urls), else as stored. A story id names
the story; its best copy (the one alerts show) is the item the watches are explained on.
Watches are explained on what the store keeps of an item: its title and summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.chat.evidence import evidence_words, related_items
from bot.deliver.quoting import Quoted, ReplyText, compose
from bot.match.explain import explain
from bot.match.query import QueryError, parse_query
from bot.store.db import Store
from bot.store.stories import story_of_url
from bot.store.storyview import (
    StoryCopies,
    StoryCopy,
    best_copy_id,
    copy_titles,
    items_with_link,
    story_copies,
)
from bot.store.watches import Watch, list_watches
from bot.stories.urls import canonical_url

MAX_COPIES_SHOWN = 10
MAX_WATCHES_SHOWN = 25
MAX_SUBJECT = 2048
_STORY_ID = re.compile(r"#?(\d{1,18})")


@dataclass(frozen=True)
class WhyAnswer:
    """The reply, and whether the subject was found (a CLI exit status)."""

    text: ReplyText
    found: bool


def why(db: Store, cid: int, subject: str) -> WhyAnswer:
    """The story of a link or story id, its evidence, and each watch of the channel on it."""
    subject = unwrap(subject)
    if not subject:
        return WhyAnswer(compose("Give a link or a story id, e.g. `/watch why 12`."), False)
    if len(subject) > MAX_SUBJECT:
        return WhyAnswer(compose(f"That link is over {MAX_SUBJECT} characters."), False)
    number = _STORY_ID.fullmatch(subject)
    if number:
        story = story_copies(db, int(number.group(1)))
        if story is None:
            return WhyAnswer(compose(f"No stored story has the id {number.group(1)}."), False)
        item = _best(db, story)
    else:
        found = find_link(db, subject)
        if found is None:
            reply = compose("No stored item has the link ", Quoted(subject), ".")
            return WhyAnswer(reply, False)
        story, item = found
    return WhyAnswer(_answer(db, cid, story, item, by_link=not number), True)


def unwrap(subject: str) -> str:
    """The link as typed: Slack sends a link in a command as `<url>` or `<url|label>`."""
    text = subject.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].partition("|")[0].strip()
    return text


def find_link(db: Store, link: str) -> tuple[StoryCopies, StoryCopy] | None:
    """The story and the stored copy a link names: by canonical URL, else as stored."""
    canonical = canonical_url(link)
    story_id = story_of_url(db, canonical)
    story = story_copies(db, story_id) if story_id is not None else None
    if story is not None:
        for copy in story.copies:
            if copy.link == link or (copy.link and canonical_url(copy.link) == canonical):
                return story, copy
    for copy in items_with_link(db, link):
        found = story_copies(db, copy.story_id)
        if found is not None:
            return found, copy
    return None


def _best(db: Store, story: StoryCopies) -> StoryCopy:
    best = best_copy_id(db, story.story_id)
    return next((copy for copy in story.copies if copy.item_id == best), story.copies[0])


def _answer(
    db: Store, cid: int, story: StoryCopies, item: StoryCopy, *, by_link: bool
) -> ReplyText:
    copies = list(story.copies)
    titles = {copy.item_id: copy.title for copy in copies}
    missing = [other for other in related_items(copies) if other not in titles]
    titles.update(copy_titles(db, missing))
    outlets = story.outlets
    count = f"{outlets} outlet{'s' if outlets != 1 else ''}"
    lines: list[str] = []
    if by_link:
        lines.append(
            compose("The item '", Quoted(item.title), "' (", Quoted(item.outlet), ")")
            + compose(f" belongs to story {story.story_id} ({count}): ")
            + evidence_words(item, titles)
        )
    else:
        lines.append(compose(f"Story {story.story_id} ({count}): ", Quoted(item.title)))
    lines.append(f"Copies ({len(copies)}):")
    for copy in copies[:MAX_COPIES_SHOWN]:
        lines.append(
            compose("• ", Quoted(copy.outlet), ": ", Quoted(copy.title), " - ")
            + evidence_words(copy, titles)
        )
    if len(copies) > MAX_COPIES_SHOWN:
        lines.append(f"… and {len(copies) - MAX_COPIES_SHOWN} more")
    lines += _watch_lines(list_watches(db, cid), item)
    return compose(lines[0], *(compose("\n", line) for line in lines[1:]))


def _watch_lines(watches: list[Watch], item: StoryCopy) -> list[str]:
    if not watches:
        return ["This channel has no watches."]
    lines: list[str] = [
        compose("Watches of this channel, on the title and summary of '", Quoted(item.title), "':")
    ]
    fields = [("title", item.title), ("summary", item.summary)]
    for watch in watches[:MAX_WATCHES_SHOWN]:
        paused = " (paused)" if watch.paused else ""
        try:
            words = explain(parse_query(watch.query), fields).words()
        except QueryError as exc:  # a stored query a later version refuses
            words = f"cannot be read: {exc}"
        lines.append(compose(f"• #{watch.id} ", Quoted(watch.query), f"{paused}: ", Quoted(words)))
    if len(watches) > MAX_WATCHES_SHOWN:
        lines.append(f"… and {len(watches) - MAX_WATCHES_SHOWN} more watches")
    return lines
