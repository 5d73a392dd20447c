"""Story quality as clustering metrics: how a predicted grouping of items compares with the
labelled one. Pure functions over two parallel lists (item i's true label, its predicted story).

B-cubed (Bagga and Baldwin 1998): for each item, the share of its predicted story that truly
belongs with it (precision) and the share of its true story that was put with it (recall),
averaged over items. Pairwise: of the item pairs put together, how many truly belong
together (precision); of the pairs that belong together, how many were put together
(recall). A grouping with no pair at all has nothing wrong in it: precision 1.0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    items: int
    true_stories: int
    predicted_stories: int
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float

    @property
    def stories_per_true_story(self) -> float:
        return self.predicted_stories / self.true_stories if self.true_stories else 0.0


@dataclass(frozen=True)
class Mistake:
    """One predicted story holding several true ones (a merge), or one true story spread over
    several predicted ones (a split): the group, its parts by size, and the pairs it costs."""

    group: Hashable
    parts: list[tuple[Hashable, int]]
    wrong_pairs: int


def _pairs(count: int) -> int:
    return count * (count - 1) // 2


def _check(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> None:
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} labels but {len(predicted)} predictions")


def f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def bcubed(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float]:
    """B-cubed precision and recall; (1.0, 1.0) for no items."""
    _check(truth, predicted)
    if not truth:
        return 1.0, 1.0
    both = Counter(zip(truth, predicted, strict=True))
    true_sizes, predicted_sizes = Counter(truth), Counter(predicted)
    precision = recall = 0.0
    for (label, story), shared in both.items():
        # each of the `shared` items in this cell scores shared/size, so the cell adds shared^2
        precision += shared * shared / predicted_sizes[story]
        recall += shared * shared / true_sizes[label]
    return precision / len(truth), recall / len(truth)


def pairwise(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> tuple[float, float]:
    """Pairwise precision and recall; 1.0 where there is no pair to judge."""
    _check(truth, predicted)
    together = sum(_pairs(n) for n in Counter(zip(truth, predicted, strict=True)).values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted).values())
    true_pairs = sum(_pairs(n) for n in Counter(truth).values())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    return precision, recall


def score(truth: Sequence[Hashable], predicted: Sequence[Hashable]) -> Scores:
    """Every figure the benchmark prints, for one labelled set."""
    b_precision, b_recall = bcubed(truth, predicted)
    p_precision, p_recall = pairwise(truth, predicted)
    return Scores(
        items=len(truth),
        true_stories=len(set(truth)),
        predicted_stories=len(set(predicted)),
        bcubed_precision=b_precision,
        bcubed_recall=b_recall,
        bcubed_f1=f1(b_precision, b_recall),
        pairwise_precision=p_precision,
        pairwise_recall=p_recall,
    )


def _mistakes(groups: Sequence[Hashable], parts: Sequence[Hashable], limit: int) -> list[Mistake]:
    """Groups made of more than one part, worst (most cross-part pairs) first."""
    _check(groups, parts)
    cells: dict[Hashable, Counter[Hashable]] = defaultdict(Counter)
    for group, part in zip(groups, parts, strict=True):
        cells[group][part] += 1
    found = []
    for group, counts in cells.items():
        if len(counts) < 2:
            continue
        total = sum(counts.values())
        wrong = _pairs(total) - sum(_pairs(n) for n in counts.values())
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        found.append(Mistake(group, ranked, wrong))
    found.sort(key=lambda m: (-m.wrong_pairs, str(m.group)))
    return found[:limit]


def worst_merges(
    truth: Sequence[Hashable], predicted: Sequence[Hashable], limit: int = 5
) -> list[Mistake]:
    """Predicted stories that hold more than one true story: group = predicted story."""
    return _mistakes(predicted, truth, limit)


def worst_splits(
    truth: Sequence[Hashable], predicted: Sequence[Hashable], limit: int = 5
) -> list[Mistake]:
    """True stories spread over more than one predicted story: group = true label."""
    return _mistakes(truth, predicted, limit)
