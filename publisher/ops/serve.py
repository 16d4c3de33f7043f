"""`publisher serve`: build, serve output/ on 127.0.0.1, rebuild when sources change."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
from watchfiles import watch

from publisher.cli.engine import run_scheduler
from publisher.cli.output import expected_errors, make_console, setup_logging
from publisher.core.errors import display_path
from publisher.core.settings import PublisherSettings, load_secrets, load_settings
from publisher.core.timeutil import format_wib
from publisher.engine.rehearse import rehearse
from publisher.ops.runner import redactor
from publisher.site.build import ROOT
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


def watch_and_rebuild(builder: Builder, stop: threading.Event | None = None) -> None:
    paths = [ROOT / name for name in WATCHED if (ROOT / name).exists()]
    for _changes in watch(*paths, stop_event=stop, debounce=400):
        builder.rebuild()


def show_rehearsal(settings: PublisherSettings, slug: str) -> None:
    """Run a campaign's calendar in simulated time into outbox/rehearsal/ and list each post."""
    folder = settings.outbox / "rehearsal"
    shutil.rmtree(folder, ignore_errors=True)  # a rehearsal always starts from nothing
    result = rehearse(settings, slug, keep=folder)
    for row in sorted(result.rows, key=lambda r: (r.sent_at or r.due_at, r.platform, r.part)):
        click.echo(
            f"[rehearsal] {format_wib(row.sent_at or row.due_at)} {row.platform:<9} {row.state:<5} "
            f"{row.key} part {row.part}/{row.parts}"
        )
    for problem in result.problems:
        click.echo(f"[rehearsal] problem: {problem}", err=True)
    click.echo(f"[rehearsal] {len(result.rows)} post(s) written under {display_path(folder)}/")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-watch", is_flag=True, help="Serve without rebuilding on change.")
@click.option(
    "--publish",
    is_flag=True,
    help="Also run the scheduler (platforms without credentials post to outbox/).",
)
@click.option(
    "--rehearse",
    "rehearse_slug",
    metavar="CAMPAIGN",
    help="First rehearse CAMPAIGN's calendar into outbox/rehearsal/ in simulated time.",
)
def serve_command(
    host: str, port: int, no_watch: bool, publish: bool, rehearse_slug: str | None
) -> None:
    """Build the site, serve it locally and rebuild when content or theme change."""
    settings_file = ROOT / "pelicanconf.py"
    builder = Builder(settings_file)
    if not builder.rebuild() and not (ROOT / "output").exists():
        builder.close()
        raise SystemExit(1)
    server = start_server(ROOT / "output", host, port)
    click.echo(f"Serving the site at http://{host}:{port}/ (Ctrl+C to stop)")
    stop = threading.Event()
    publisher_thread = None
    with expected_errors():
        settings = load_settings(settings_file)
        if rehearse_slug:
            show_rehearsal(settings, rehearse_slug)
        if publish:
            setup_logging(make_console(), redact=redactor(load_secrets(settings.root)))
            publisher_thread = threading.Thread(
                target=run_scheduler, args=(settings, stop), name="publisher", daemon=True
            )
            publisher_thread.start()
    try:
        if no_watch:
            stop.wait()
        else:
            watch_and_rebuild(builder, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if publisher_thread is not None:
            publisher_thread.join(timeout=30)  # lets the current post finish
        server.shutdown()
        builder.close()


commands = [serve_command]
