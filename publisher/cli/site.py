"""The site's commands: build, serve, check and new. Thin: the work is in site/, content/, ops/."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import click

from publisher.cli.context import cli_settings, current_project, parse_now_option
from publisher.cli.output import make_console, setup_logging
from publisher.content.check import Checker, wanted
from publisher.content.golive import FUTURE_MARKER, future_marker
from publisher.content.scaffold import FOLDERS, create
from publisher.core.errors import PublisherError, display_path
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib
from publisher.engine.rehearse import rehearse
from publisher.ops import runner
from publisher.ops.serve import start_server, watch_and_rebuild
from publisher.platforms import registry
from publisher.site.build import build_site
from publisher.site.fast.build_worker import Builder


@click.command("build")
@click.option("--production", is_flag=True, help="Use publishconf.py (absolute URLs, feeds).")
@click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Build as the site will be at TIME (WIB unless an offset is given).",
)
@click.option("--output", type=click.Path(path_type=Path), help="Output folder (default: output/).")
@click.option("--settings", "settings_file", type=click.Path(path_type=Path), help="Settings file.")
def build_command(
    production: bool, now_text: str | None, output: Path | None, settings_file: Path | None
) -> None:
    """Build the site into output/ (atomically; a failed build keeps the old output)."""
    now = parse_now_option(now_text)
    project = current_project(settings_file)
    if production and settings_file is None:
        settings_file = project.production_settings_file
    result = build_site(settings_file or project.settings_file, output, now)
    when = f" as of {format_wib(now)}" if now else ""
    click.echo(
        f"Built {result.pages} pages into {display_path(result.output)}{when} in {result.seconds:.1f}s"
    )
    if future_marker(result.output) is not None:
        click.echo(
            "This is a preview of the future: deploy, `serve --publish` and the scheduler "
            f"refuse {display_path(result.output)} ({FUTURE_MARKER})."
        )


@click.command("check")
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option(
    "--production", is_flag=True, help="Also what a production build refuses (its address)."
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def check_command(strict: bool, production: bool, paths: tuple[Path, ...]) -> None:
    """Check content/ and campaigns/ for mistakes without building the site."""
    checker = Checker(current_project(), production=production)
    problems = [p for p in checker.run() if wanted(p, paths)]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    for problem in problems:
        click.echo(str(problem))
    if not problems:
        click.echo(f"publisher check: {checker.files} files, no problems found.")
    else:
        click.echo(
            f"publisher check: {checker.files} files, {errors} error(s), {warnings} warning(s)."
        )
    if errors or (strict and warnings):
        raise SystemExit(1)


@click.command("new")
@click.argument("kind", type=click.Choice(sorted(FOLDERS)))
@click.argument("title")
@click.option("--slug", help="Web address part; default: made from the title.")
@click.option(
    "--now", "now_text", metavar="TIME", help="Pretend it is TIME (WIB) when picking times."
)
def new_command(kind: str, title: str, slug: str | None, now_text: str | None) -> None:
    """Start a new post, press release or campaign file with every field."""
    now = parse_now_option(now_text)
    path = create(kind, title, current_project().root, now, slug)
    click.echo(display_path(path))


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
    project = current_project()
    output = project.layout.output
    builder = Builder(
        project.settings_file, say=lambda line, problem: click.echo(line, err=problem)
    )
    if not builder.rebuild() and not output.exists():
        builder.close()
        raise SystemExit(1)
    as_of = future_marker(output)
    if publish and as_of is not None:  # a failed rebuild left a preview of the future there
        builder.close()
        raise PublisherError(
            f"serve --publish: {display_path(output)} is a preview of the future "
            f"(built as of {format_wib(as_of)}, {FUTURE_MARKER}); fix the build and try again"
        )
    server = start_server(output, host, port)
    click.echo(f"Serving the site at http://{host}:{port}/ (Ctrl+C to stop)")
    stop = threading.Event()
    publisher_thread = None
    try:
        settings = cli_settings(project.settings_file)
        if rehearse_slug:
            show_rehearsal(settings, rehearse_slug)
        if publish:
            env = registry.environment(settings.root)
            setup_logging(make_console(), redact=runner.redactor(env))
            publisher_thread = threading.Thread(
                target=runner.run_scheduler, args=(settings, stop), name="publisher", daemon=True
            )
            publisher_thread.start()
        if no_watch:
            stop.wait()
        else:
            watch_and_rebuild(builder, project.root, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if publisher_thread is not None:
            publisher_thread.join(timeout=30)  # lets the current post finish
        server.shutdown()
        builder.close()


commands = [build_command, serve_command, check_command, new_command]
