"""`python -m bot` does what the `newswatch` command does."""

import sys

from bot.cli import main

sys.exit(main())
