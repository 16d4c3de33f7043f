"""What `publisher serve` runs: a local web server over output/ and a watcher that rebuilds."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from watchfiles import watch

from publisher.site.fast.build_worker import Builder

WATCHED = ("content", "theme", "campaigns", "data", "pelicanconf.py")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _OutputHandler(_QuietHandler):
    """Serves whatever output/ is now: the folder is swapped on rebuild, so resolve per request."""

    def __init__(self, *args: object, output: Path, **kwargs: object) -> None:
        super().__init__(*args, directory=str(output), **kwargs)  # type: ignore[arg-type]


def start_server(output: Path, host: str, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(_OutputHandler, output=output)
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="http").start()
    return server


def watch_and_rebuild(builder: Builder, root: Path, stop: threading.Event | None = None) -> None:
    paths = [root / name for name in WATCHED if (root / name).exists()]
    for _changes in watch(*paths, stop_event=stop, debounce=400):
        builder.rebuild()
