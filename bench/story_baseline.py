"""A reference grouping for the story benchmark, not the product: online TF-IDF cosine of each
item against the stories of the 72 h before it, so a tuner sees what a plain method gets on
each set (`bench/stories_quality.py --baseline`). Same call shape as the product engine's
`assign_all(items) -> story ids`, items in published order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

WINDOW = 72 * 3600.0
THRESHOLD = 0.16  # cosine to join the best centroid: on uci/tune F1 0.67 at precision 0.90
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def tokens(text: str) -> list[str]:
    """Words, case-folded; a run of CJK or Hangul counts as its characters' bigrams."""
    out: list[str] = []
    for word in _TOKEN.findall(text.casefold()):
        if any(ord(ch) > 0x2E80 for ch in word) and len(word) > 1:
            out += [word[n : n + 2] for n in range(len(word) - 1)]
        else:
            out.append(word)
    return out


def headline(title: str) -> str:
    head, sep, _ = title.rpartition(" - ")
    return head if sep and head else title


def assign_all(items: list[dict[str, Any]]) -> list[int]:
    """Each item joins the most similar recent story above THRESHOLD, else starts one."""
    docs = [Counter(tokens(headline(it["title"]) + " " + it.get("summary", ""))) for it in items]
    frequency = Counter(term for doc in docs for term in doc)
    idf = {term: math.log((1 + len(docs)) / (1 + n)) + 1 for term, n in frequency.items()}
    stories: list[tuple[Counter[str], float]] = []  # centroid, last published
    holding: dict[str, set[int]] = {}  # term -> stories whose centroid has it
    assigned: list[int] = []
    for item, doc in zip(items, docs, strict=True):
        vector = {term: count * idf[term] for term, count in doc.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        best, best_score = -1, THRESHOLD
        candidates = set().union(*(holding.get(term, set()) for term in vector))
        for n in sorted(candidates):
            centroid, last = stories[n]
            if item["published"] - last > WINDOW:
                continue
            dot = sum(v * centroid.get(term, 0.0) for term, v in vector.items())
            size = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
            if dot / (norm * size) > best_score:
                best, best_score = n, dot / (norm * size)
        if best < 0:
            stories.append((Counter(), item["published"]))
            best = len(stories) - 1
        centroid, last = stories[best]
        centroid.update({term: v / norm for term, v in vector.items()})
        stories[best] = (centroid, max(last, item["published"]))
        for term in vector:
            holding.setdefault(term, set()).add(best)
        assigned.append(best)
    return assigned
