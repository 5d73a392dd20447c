"""Alerts as readable blocks on standard output; colour only when it is a terminal.

Every line is made terminal-safe before the adapter's own colour codes are added: feed text
is cleaned at parsing already, but a digest names its channel and a notice quotes a reason.
Times are shown in the configured `timezone`.
"""

from __future__ import annotations

import sys
from typing import TextIO

from bot.config import Config
from bot.deliver.adapter import Adapter
from bot.deliver.highlight import bold, spans_of
from bot.deliver.model import Alert, Digest, Message, Notice, Update
from bot.deliver.render import plain_alert_lines, plain_digest_lines, plain_update_line
from bot.text import clean_text, terminal_safe

BOLD, NORMAL = "\x1b[1m", "\x1b[22m"


class ConsoleAdapter(Adapter):
    platform = "console"

    def __init__(self, config: Config, stream: TextIO | None = None) -> None:
        super().__init__(config)
        self.stream = stream or sys.stdout

    def _tty(self) -> bool:
        return hasattr(self.stream, "isatty") and bool(self.stream.isatty())

    def _style(self, text: str, code: str) -> str:
        if not self._tty():
            return text
        return f"\x1b[{code}m{text}\x1b[0m"

    def _emphasise(self, alert: Alert, lines: list[str]) -> None:
        """On a terminal, the matched terms of the title and summary in ANSI bold (the title
        is then not bold as a whole); the codes go around spans of the terminal-safe text."""
        for field, index, indent in (("title", 0, ""), ("summary", None, "  ")):
            text = getattr(alert, field)
            if not text or not spans_of(alert, field):
                continue
            plain = terminal_safe(indent + clean_text(text))
            at = index if index is not None else lines.index(plain) if plain in lines else -1
            if at >= 0:
                lines[at] = indent + bold(
                    text,
                    spans_of(alert, field),
                    show=lambda raw: terminal_safe(clean_text(raw)),
                    cut=lambda shown, limit: shown,
                    limit=1 << 30,
                    markers=lambda shown, start, end: (BOLD, NORMAL),
                )

    async def send(self, target: str, message: Message) -> None:
        if isinstance(message, Update):  # one line: the alert it updates is above
            self.stream.write(self._style(terminal_safe(plain_update_line(message)), "2") + "\n\n")
            self.stream.flush()
            return
        if isinstance(message, Alert):
            lines = [terminal_safe(line) for line in plain_alert_lines(message, self.config.zone)]
            lines[0] = self._style(lines[0], "1")
            if self._tty() and message.highlights:
                self._emphasise(message, lines)
        elif isinstance(message, Digest):
            lines = [terminal_safe(line) for line in plain_digest_lines(message, self.config.zone)]
            lines[0] = self._style(lines[0], "1;36")
        elif isinstance(message, Notice):
            lines = [self._style("notice: ", "33") + clean_text(message.text)]
        self.stream.write("\n".join(lines) + "\n\n")
        self.stream.flush()

    async def doctor(self) -> list[str]:
        """Standard output takes whatever is written; there is nothing to check beyond that."""
        return ["console: channel console: ok (prints to standard output)"]
