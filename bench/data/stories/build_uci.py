"""Rebuild uci.jsonl (and uci_more.jsonl) from public copies of the UCI News Aggregator CSV.

Kept beside the data so its provenance is a program, not a memory: see PROVENANCE.md.
Usage: python build_uci.py SOURCE.csv OUT.jsonl [--skip-ids FILE.jsonl] [--limit N]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path


def split_of(label: str) -> str:
    """Deterministic half of a story label, so whole stories land in one split."""
    return "tune" if hashlib.sha256(label.encode()).digest()[0] % 2 == 0 else "test"


def rows(source: Path) -> Iterator[dict[str, str]]:
    """Complete rows only: a copy cut mid-row (the GitHub copy ends inside row 6,367) loses it."""
    with source.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("TIMESTAMP") and row["TIMESTAMP"].isdigit():
                yield row


def record(row: dict[str, str], set_name: str) -> dict[str, str]:
    stamp = datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=UTC)
    return {
        "set": set_name,
        "split": split_of(row["STORY"]),
        "label": row["STORY"],
        "title": row["TITLE"],
        "summary": "",
        "link": row["URL"],
        "outlet": row["PUBLISHER"],
        "published": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lang": "en",
        "id": row["ID"],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--set", default="uci")
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args(argv)
    chosen = list(rows(args.source))
    if args.limit:
        chosen = chosen[: args.limit]
    with args.out.open("w", encoding="utf-8") as out:
        for row in chosen:
            out.write(json.dumps(record(row, args.set), ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
