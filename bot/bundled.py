"""The data folders shipped inside the package: the bundled watchlists and the demo's seeds.

In the checkout they are `watchlists/` and `seeds/` (SPEC Layout); installed, they are the
packages bot.watchlists and bot.seeds (pyproject.toml maps them), found the same way both times.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def bundled_folder(package: str) -> Path:
    """The folder of an installed data package (newswatch always installs unzipped)."""
    return Path(str(files(package)))
