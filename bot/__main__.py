"""`python -m bot` does what the `newswatch` command does."""

import sys

from bot.cli import main

if __name__ == "__main__":  # parse workers are spawned processes: never run the CLI there
    sys.exit(main())
