"""Story precision on the real captured feeds (the `real` shape's items), as labelled data.

    .venv/bin/python bench/real_precision.py [--copies 3] [--spacing 600]

Each distinct titled item of tests/fixtures/corpus (bench/shapes.py `_real_items`) is one
story: it is filed `--copies` times under links of its own, within two hours, items
`--spacing` seconds apart, through bot.stories.replay.assign_all. Prints B-cubed precision
and recall and how many stories the engine made; run with `PYTHONPATH=DIR` for another
checkout. These fixtures' titles are often generic, so read it beside another run.
"""

from __future__ import annotations

import argparse
import random

from shapes import _real_items
from story_metrics import score

from bot.stories.replay import assign_all


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--spacing", type=float, default=600.0)
    args = parser.parse_args()
    rng = random.Random(5)
    rows = []
    for label, (title, summary) in enumerate(_real_items()):
        base = 1000.0 + label * args.spacing
        for copy in range(args.copies):
            link = f"https://o{copy}.example/{label}"
            rows.append((base + rng.random() * 7200, label, title, summary, link))
    rows.sort()
    items = [{"title": t, "summary": s, "link": u, "published": p} for p, _, t, s, u in rows]
    found = score([label for _, label, *_ in rows], assign_all(items))
    print(
        f"real captured items: {found.true_stories} stories x {args.copies} copies; "
        f"B-cubed precision {found.bcubed_precision:.3f} recall {found.bcubed_recall:.3f} "
        f"F1 {found.bcubed_f1:.3f}; {found.predicted_stories} stories made"
    )


if __name__ == "__main__":
    main()
