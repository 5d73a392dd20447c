"""What a feed says of every item, which says nothing of any one event.

A feed repeats words under its items: a tagline or `The post ... appeared first on ...` in
every summary (boilerplate: dropped), and its subject in most headlines (a search feed's
query, `Sora` in a Sora feed: weighed little). Without this, every item of such a feed
shares two rare terms with every other, and unrelated events merge.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.stories.words import SUMMARY_TOKENS as SUMMARY_TOKENS
from bot.stories.words import CopyWords, copy_words

MIN_ITEMS = 4  # a feed with fewer items cannot show what it repeats
BOILERPLATE_SHARE = 0.3  # a summary term under more of a feed's items than this is boilerplate
SUBJECT_SHARE = 0.5  # a headline term in more of a feed's headlines than this is its subject
# and in at least this many: three headlines of five naming `Framewise` are three events about
# it (a suit, a ruling, a settlement), whose copies elsewhere must still find them by it.
SUBJECT_HEADLINES = 4


@dataclass(frozen=True)
class FeedWords:
    boilerplate: frozenset[str] = frozenset()  # summary terms the feed repeats
    subject: frozenset[str] = frozenset()  # headline terms most of its headlines hold


NO_FEED_WORDS = FeedWords()


def feed_words(
    entries: Sequence[tuple[str, str]], terms_of: Callable[[str], tuple[str, ...]]
) -> FeedWords:
    """The boilerplate and subject of a feed's (title, summary) entries, in terms as
    `terms_of` makes them from a token."""
    return feed_words_of([copy_words(title, summary) for title, summary in entries], terms_of)


def feed_words_of(
    entries: Sequence[CopyWords], terms_of: Callable[[str], tuple[str, ...]]
) -> FeedWords:
    """feed_words of entries tokenized already (bot.stories.words), as a poll reads them."""
    if len(entries) < MIN_ITEMS:
        return NO_FEED_WORDS
    summaries: Counter[str] = Counter()
    headlines: Counter[str] = Counter()
    for title_key, tokens in entries:
        summaries.update({term for token in tokens for term in terms_of(token)})
        headlines.update({term for token in title_key for term in terms_of(token)})
    return FeedWords(
        boilerplate=_over(summaries, BOILERPLATE_SHARE * len(entries)),
        subject=_over(headlines, max(SUBJECT_SHARE * len(entries), SUBJECT_HEADLINES - 0.5)),
    )


def _over(counts: Counter[str], limit: float) -> frozenset[str]:
    return frozenset(term for term, count in counts.items() if count > limit)
