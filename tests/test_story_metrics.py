"""The story-quality benchmark's metrics (bench/story_metrics.py) on tiny groupings whose
figures are worked out by hand, so the numbers the benchmark prints can be trusted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("story_metrics", BENCH / "story_metrics.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["story_metrics"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


metrics = _load()

# (truth, predicted, bcubed precision, bcubed recall, pairwise precision, pairwise recall)
CASES = [
    # perfect: every story found whole
    ("aab", "xxy", 1.0, 1.0, 1.0, 1.0),
    # everything alone: precision perfect, recall 1/2 for each of a's pair, 1 for b
    ("aab", "xyz", 1.0, (0.5 + 0.5 + 1) / 3, 1.0, 0.0),
    # everything merged: each a sees 2/3 right, b sees 1/3; recall perfect; 1 of 3 pairs right
    ("aab", "xxx", (2 / 3 + 2 / 3 + 1 / 3) / 3, 1.0, 1 / 3, 1.0),
    # one true story of 4 split 2+2: precision 1, recall 1/2 each; 2 of 6 pairs kept
    ("aaaa", "xxyy", 1.0, 0.5, 1.0, 2 / 6),
    # Vox and Vice merged, Day 100 right: the merged pair is 1/2 precise each
    ("vVd", "xxy", (0.5 + 0.5 + 1) / 3, 1.0, 0.0, 1.0),
    # labels and story ids need not share a vocabulary; the id values do not matter
    ("aabb", [7, 7, 7, 9], (2 / 3 + 2 / 3 + 1 / 3 + 1) / 4, (1 + 1 + 0.5 + 0.5) / 4, 1 / 3, 1 / 2),
    # no items at all
    ("", "", 1.0, 1.0, 1.0, 1.0),
    # singletons only, and predicted singletons: no pair anywhere
    ("abc", "xyz", 1.0, 1.0, 1.0, 1.0),
]


@pytest.mark.parametrize(
    ("truth", "predicted", "b_precision", "b_recall", "p_precision", "p_recall"),
    CASES,
    ids=[
        "perfect",
        "all-apart",
        "all-merged",
        "split-in-two",
        "near-miss-merged",
        "any-ids",
        "empty",
        "no-pairs",
    ],
)
def test_bcubed_and_pairwise_match_the_hand_computed_figures(
    truth: str,
    predicted: str | list[int],
    b_precision: float,
    b_recall: float,
    p_precision: float,
    p_recall: float,
) -> None:
    assert metrics.bcubed(list(truth), list(predicted)) == pytest.approx((b_precision, b_recall))
    assert metrics.pairwise(list(truth), list(predicted)) == pytest.approx((p_precision, p_recall))


def test_score_counts_stories_and_stories_per_true_story() -> None:
    scores = metrics.score(list("aaab"), list("xyzz"))
    assert (scores.items, scores.true_stories, scores.predicted_stories) == (4, 2, 3)
    assert scores.stories_per_true_story == pytest.approx(1.5)
    # b-cubed: precision (1 + 1 + 1/2 + 1/2) / 4, recall (1/3 + 1/3 + 1/3 + 1) / 4
    assert scores.bcubed_precision == pytest.approx(0.75)
    assert scores.bcubed_recall == pytest.approx(0.5)
    assert scores.bcubed_f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)


@pytest.mark.parametrize(
    ("precision", "recall", "expected"),
    [(1.0, 1.0, 1.0), (0.5, 1.0, 2 / 3), (0.0, 0.0, 0.0), (0.9, 0.6, 0.72)],
)
def test_f1_is_the_harmonic_mean(precision: float, recall: float, expected: float) -> None:
    assert metrics.f1(precision, recall) == pytest.approx(expected)


def test_worst_merges_name_the_predicted_story_and_its_true_parts_worst_first() -> None:
    truth = ["vox", "vox", "vice", "d100", "d101", "d101", "alone"]
    predicted = [1, 1, 1, 2, 2, 2, 3]
    merges = metrics.worst_merges(truth, predicted)
    # story 1: vox x2 + vice x1 -> 2 wrong pairs; story 2: d100 x1 + d101 x2 -> 2 wrong pairs
    assert [(m.group, m.parts, m.wrong_pairs) for m in merges] == [
        (1, [("vox", 2), ("vice", 1)], 2),
        (2, [("d101", 2), ("d100", 1)], 2),
    ]
    assert metrics.worst_merges(truth, predicted, limit=1)[0].group == 1


def test_worst_splits_name_the_true_story_and_its_predicted_pieces_worst_first() -> None:
    truth = ["sora"] * 4 + ["deal"] * 3 + ["one"]
    predicted = [1, 1, 2, 3, 4, 4, 5, 6]
    splits = metrics.worst_splits(truth, predicted)
    # sora 2+1+1: 6 pairs, 1 kept, 5 missed; deal 2+1: 3 pairs, 1 kept, 2 missed
    assert [(m.group, m.parts, m.wrong_pairs) for m in splits] == [
        ("sora", [(1, 2), (2, 1), (3, 1)], 5),
        ("deal", [(4, 2), (5, 1)], 2),
    ]


def test_a_perfect_grouping_has_no_merges_and_no_splits() -> None:
    assert metrics.worst_merges(list("aab"), [5, 5, 6]) == []
    assert metrics.worst_splits(list("aab"), [5, 5, 6]) == []


def test_lists_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 labels but 1 predictions"):
        metrics.score(["a", "b"], [1])
