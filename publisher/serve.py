"""`publisher serve`: build, serve output/ on 127.0.0.1, rebuild when sources change."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
from watchfiles import watch

from publisher.build import ROOT, BuildFailed, build_site

WATCHED = ("content", "theme", "campaigns", "data", "pelicanconf.py")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _OutputHandler(_QuietHandler):
    """Serves whatever output/ is now: the folder is swapped on rebuild, so resolve per request."""

    def __init__(self, *args: object, output: Path, **kwargs: object) -> None:
        super().__init__(*args, directory=str(output), **kwargs)  # type: ignore[arg-type]


def _rebuild(settings_file: Path) -> bool:
    try:
        result = build_site(settings_file)
    except BuildFailed as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("Build stopped; still serving the previous version.", err=True)
        return False
    click.echo(f"Rebuilt {result.pages} pages in {result.seconds:.1f}s")
    return True


def start_server(output: Path, host: str, port: int) -> ThreadingHTTPServer:
    handler = functools.partial(_OutputHandler, output=output)
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="http").start()
    return server


def watch_and_rebuild(settings_file: Path, stop: threading.Event | None = None) -> None:
    paths = [ROOT / name for name in WATCHED if (ROOT / name).exists()]
    for _changes in watch(*paths, stop_event=stop, debounce=400):
        _rebuild(settings_file)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-watch", is_flag=True, help="Serve without rebuilding on change.")
def serve_command(host: str, port: int, no_watch: bool) -> None:
    """Build the site, serve it locally and rebuild when content or theme change."""
    settings_file = ROOT / "pelicanconf.py"
    if not _rebuild(settings_file) and not (ROOT / "output").exists():
        raise SystemExit(1)
    server = start_server(ROOT / "output", host, port)
    click.echo(f"Serving the site at http://{host}:{port}/ (Ctrl+C to stop)")
    try:
        if no_watch:
            threading.Event().wait()
        else:
            watch_and_rebuild(settings_file)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


commands = [serve_command]
