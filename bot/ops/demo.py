"""`newswatch demo`: serve the seed feeds on loopback, poll them for real, print alerts.

Seed files hold `{{ago:3h:rfc822}}` / `{{ago:2d:iso}}` placeholders so the demo shows the
backfill and max_age rules the same way on any day.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bot.bundled import bundled_folder
from bot.config import ChannelConfig, Config, SourceConfig
from bot.match.watchlists import load_watchlist

SEEDS_DIR = bundled_folder("bot.seeds")
PLACEHOLDER = re.compile(r"\{\{ago:(\d+)([mhd]):(rfc822|iso)\}\}")
UNIT = {"m": 60, "h": 3600, "d": 86400}
TYPES = {".xml": "application/xml; charset=utf-8", ".rdf": "application/rdf+xml; charset=utf-8"}


def render_seed(text: str, now: float) -> str:
    """Replace each date placeholder with a real date that many minutes/hours/days ago."""

    def replace(match: re.Match[str]) -> str:
        moment = datetime.fromtimestamp(now - int(match.group(1)) * UNIT[match.group(2)], UTC)
        if match.group(3) == "rfc822":
            return format_datetime(moment)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    return PLACEHOLDER.sub(replace, text)


def seed_files(folder: Path = SEEDS_DIR) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in TYPES and p.is_file())


@contextmanager
def serve(files: Mapping[str, bytes]) -> Iterator[str]:
    """A loopback HTTP server for the given path -> body map, with ETags; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", TYPES.get(Path(self.path).suffix, "application/xml"))
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def run_demo() -> int:
    from bot.app import App

    if not SEEDS_DIR.is_dir():
        print(
            f"newswatch: demo: no seed feeds at {SEEDS_DIR} (the installation is incomplete)",
            file=sys.stderr,
        )
        return 1
    now = time.time()
    files = {
        f"/{path.name}": render_seed(path.read_text(encoding="utf-8"), now).encode("utf-8")
        for path in seed_files()
    }
    with tempfile.TemporaryDirectory(prefix="newswatch-demo-") as tmp, serve(files) as base:
        config = Config(
            path=None,
            database=Path(tmp) / "demo.db",
            allow_private_networks=True,  # the seed server is on loopback
            sources=tuple(SourceConfig(url=base + name) for name in sorted(files)),
            channels=(
                ChannelConfig(
                    target="console", watchlists=(load_watchlist("default", Path.cwd()),)
                ),
            ),
        )
        print(
            f"newswatch demo: serving {len(files)} seed feeds on {base}, "
            f"watching {sum(len(w.queries) for w in config.channels[0].watchlists)} queries\n"
        )
        app = App(config)
        try:
            await app.start()
            first = await app.cycle(all_sources=True)
            print(
                f"First poll: {first.poll.polled} feeds, {first.poll.new_items} new items, "
                f"{first.delivery.sent} alerts (older items were stored without alerting).\n"
            )
            second = await app.cycle(all_sources=True)
            print(
                f"Second poll: {second.poll.not_modified} of {second.poll.polled} feeds answered "
                f"304 Not Modified, {second.delivery.sent} new alerts.\n"
            )
            await app.post_digest("console", since=now - 86400)
        finally:
            await app.close()
    return 0
