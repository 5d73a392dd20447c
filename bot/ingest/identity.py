"""SPEC "Stories": an item's identity is its GUID, else its link, else a hash of its text, and
a key that repeats among the items of one response identifies nothing there.

A feed whose every item links to its home page, or reuses one GUID, would otherwise fold its
distinct entries into one item (and each new entry would be an "update" that never alerts).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

# One item's candidate keys, strongest first: its GUID (or a search feed's own key), its link,
# the hash of its title and content (SPEC "Stories"), then a last resort for entries whose
# title and content repeat: the hash of all its text, link and date. An empty string is a key
# the item does not have.
Keys = tuple[str, str, str, str]


def identities(keys: Sequence[Keys]) -> list[str]:
    """Each item's identity: its first key that no other item of this response shares.

    An item whose every key repeats (the same entry served twice) keeps its text hash, so true
    duplicates still collapse to one item, as HARDENING B8 asks.
    """
    chosen: list[str | None] = [None] * len(keys)
    taken: set[str] = set()
    pending = list(range(len(keys)))
    for level in range(4):
        counts = Counter(keys[i][level] for i in pending if keys[i][level])
        for i in pending:
            key = keys[i][level]
            if key and counts[key] == 1 and key not in taken:
                chosen[i] = key
                taken.add(key)
        pending = [i for i in pending if chosen[i] is None]
    return [key if key is not None else keys[i][2] for i, key in enumerate(chosen)]
