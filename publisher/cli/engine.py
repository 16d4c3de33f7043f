"""The engine's commands: run, tick, plan, preview, seed, rehearse, embargoes (status,
retry, resolve and dismiss are in publisher.attention_cli). A thin layer: the work is in
scheduler/actions/rehearse; this renders it, with rich tables on a terminal and plain lines
otherwise (for cron mail and pipes).

Bad input ends as one located line and exit code 1, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import click

from publisher.cli.context import cli_settings, parse_now_option
from publisher.cli.output import (
    first_words,
    make_console,
    say,
    setup_logging,
    table,
)
from publisher.content import golive as embargo
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib, utc_now
from publisher.engine import actions, upcoming
from publisher.engine.events import FORMATS
from publisher.engine.ledger import Ledger
from publisher.engine.planned import Planned
from publisher.engine.rehearse import rehearse
from publisher.ops import runner as engine
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms import registry
from publisher.platforms.registry import build_adapters


def cli_ledger(settings: PublisherSettings, must_exist: bool = False) -> Ledger | None:
    if must_exist and not settings.ledger.exists():
        return None
    return Ledger.open(settings.ledger, actor="cli")


def _clock(now: dt.datetime | None) -> Callable[[], dt.datetime]:
    return (lambda: now) if now else utc_now


SETTINGS = click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),
    envvar="PUBLISHER_SETTINGS",
    help="Pelican settings file with the PUBLISHER dict (default: pelicanconf.py).",
)
NOW = click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Act as if it were TIME (WIB unless an offset is given).",
)
PLATFORM = click.option("--platform", help="Only this platform.")
LOG_FORMAT = click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    envvar="PUBLISHER_LOG_FORMAT",
    help="Log lines as text (event=... key=... fields) or as JSON objects, one per line.",
)


@click.command("run")
@SETTINGS
@LOG_FORMAT
def run_command(settings_file: Path | None, log_format: str) -> None:
    """Run the scheduler: a tick now and every tick_seconds; SIGTERM stops it cleanly,
    SIGHUP (or a change of .env) makes it read the credentials again."""
    settings = cli_settings(settings_file)
    redact = engine.redactor(registry.environment(settings.root))
    setup_logging(make_console(), log_format, redact)
    stop, hup = threading.Event(), threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())  # finish the current post, then exit
    signal.signal(signal.SIGHUP, lambda *_: hup.set())
    engine.run_scheduler(settings, stop, redact=redact, hup=hup)


@click.command("tick")
@SETTINGS
@NOW
@LOG_FORMAT
def tick_command(settings_file: Path | None, now_text: str | None, log_format: str) -> None:
    """Run one tick (for cron or a systemd timer) and exit."""
    now = parse_now_option(now_text)
    settings = cli_settings(settings_file)
    secrets = registry.environment(settings.root)
    setup_logging(make_console(), log_format, engine.redactor(secrets))
    with InstanceLock(settings.ledger):
        ledger = Ledger.open(settings.ledger)
        try:
            scheduler = engine.make_scheduler(
                settings, secrets, ledger, clock=_clock(now), sole_instance=True
            )
            report = engine.tick_once(scheduler)
            # A platform still sending past its budget: its result is recorded before this
            # process ends (each request has its own deadline in the adapter).
            scheduler.wait()
        finally:
            ledger.close()
    click.echo(
        f"tick {format_wib(report.now)}: sent {len(report.sent)}, needing attention "
        f"{len(report.failed)}, seeded {report.seeded}, stale {report.stale}"
        + (", site rebuilt" if report.rebuilt else "")
    )


@click.command("plan")
@SETTINGS
@NOW
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 366))
def plan_command(settings_file: Path | None, now_text: str | None, days: int) -> None:
    """The upcoming posts: time (WIB), platform, key, first words, state.

    Articles and releases not live yet are read from content/ and shown at their go-live
    ("scheduled"); links are counted at the production site's address.
    """
    console = make_console()
    now = parse_now_option(now_text) or utc_now()
    settings = cli_settings(settings_file)
    seen = upcoming.outlook(settings, now)
    ledger = cli_ledger(settings, must_exist=True)
    adapters = build_adapters(settings, registry.environment(settings.root))
    rows = actions.plan(
        seen.planned, ledger, adapters, now, days, scheduled=seen.scheduled, utm=settings.utm
    )
    for problem in seen.problems:
        say(problem, err=True)
    for warning in _warnings(seen.planned, ledger, now, settings):
        say(f"warning: {warning}", err=True)
    table(
        console,
        f"Plan {format_wib(now)} + {days} days",
        ["time (WIB)", "platform", "key", "part", "first words", "state"],
        [
            (
                format_wib(r.due),
                r.platform,
                r.key,
                f"{r.part}/{r.parts}",
                first_words(r.text),
                r.state,
            )
            for r in rows
        ],
    )


def _warnings(
    planned: list[Planned], ledger: Ledger | None, now: dt.datetime, settings: PublisherSettings
) -> list[str]:
    # Only a calendar post in the past is warned of, and only when the ledger lacks it.
    past = [p.key for p in planned if p.kind == "calendar" and p.due < now]
    known = ledger.known_keys(past) if ledger is not None else set()
    return upcoming.warnings(planned, now, settings.catch_up, known)


@click.command("preview")
@SETTINGS
@NOW
@click.argument("key")
def preview_command(settings_file: Path | None, now_text: str | None, key: str) -> None:
    """The exact text of every part for every platform, with its count against the limit
    (links at the production site's address, as production sends them)."""
    now = parse_now_option(now_text) or utc_now()
    settings = cli_settings(settings_file)
    seen = upcoming.outlook(settings, now)
    ledger = cli_ledger(settings, must_exist=True)
    previews = actions.preview(
        key,
        seen.planned,
        ledger,
        build_adapters(settings, registry.environment(settings.root)),
        settings.utm,
    )
    item = next((p for p in seen.planned if p.key == key), None)
    if item is not None:
        for warning in _warnings([item], ledger, now, settings):
            say(f"warning: {warning}", err=True)
        if key in seen.scheduled:
            say(f"scheduled: not live yet; goes out at {format_wib(item.due)}")
    bad = False
    for preview in previews:
        say(f"== {preview.platform} ({preview.state})")
        if preview.state == "skipped":  # not for this platform (it needs an image): no fault
            say(f"   not posted there: {preview.error}")
            continue
        if preview.error:
            say(f"   cannot compose: {preview.error}")
            bad = True
        for part in preview.parts:
            mark = "ok" if part.fits else "TOO LONG"
            bad = bad or not part.fits
            say(f"-- part {part.number}/{part.total}: {part.count}/{part.limit} {mark}")
            for line in part.text.split("\n"):
                say(line)
            for media in part.request.get("media", []):
                say(f"   [image {media['path_or_url']} alt: {media['alt']}]")
    if bad:
        raise SystemExit(1)


@click.command("seed")
@SETTINGS
@NOW
def seed_command(settings_file: Path | None, now_text: str | None) -> None:
    """Record everything already due as seeded (never posted): start fresh on a live site."""
    now = parse_now_option(now_text)
    settings = cli_settings(settings_file)
    with InstanceLock(settings.ledger):
        ledger = Ledger.open(settings.ledger, actor="cli")
        scheduler = engine.make_scheduler(
            settings,
            registry.environment(settings.root),
            ledger,
            clock=_clock(now),
            sole_instance=True,
        )
        count = scheduler.seed()
    click.echo(f"seeded {count} post(s); only what falls due from now on will be posted")


@click.command("rehearse")
@SETTINGS
@click.option(
    "--keep",
    type=click.Path(path_type=Path),
    help="Keep the rehearsal's ledger and outbox in this folder.",
)
@click.argument("campaign")
def rehearse_command(settings_file: Path | None, keep: Path | None, campaign: str) -> None:
    """Run CAMPAIGN's calendar in simulated time into a throwaway outbox and ledger."""
    console = make_console()
    result = rehearse(cli_settings(settings_file), campaign, keep)
    table(
        console,
        f"Rehearsal of {campaign} ({result.ticks} ticks)",
        ["time (WIB)", "platform", "key", "part", "result", "first words"],
        [
            (
                format_wib(r.sent_at or r.due_at),
                r.platform,
                r.key,
                f"{r.part}/{r.parts}",
                r.state,
                first_words(r.text),
            )
            for r in sorted(
                result.rows, key=lambda r: (r.sent_at or r.due_at, r.platform, r.key, r.part)
            )
        ],
    )
    if result.outbox:
        say(f"outbox kept in {result.outbox}")
    for warning in result.warnings:
        say(f"warning: {warning}", err=True)
    for problem in result.problems:
        say(f"problem: {problem}", err=True)
    if not result.ok:
        raise SystemExit(1)


@click.command("embargoes")
@SETTINGS
@NOW
def embargoes_command(settings_file: Path | None, now_text: str | None) -> None:
    """Pending go-live times (embargoes and future dates) in WIB: the engine rebuilds at each."""
    console = make_console()
    now = parse_now_option(now_text) or utc_now()
    settings = cli_settings(settings_file)
    times, problems = embargo.scan(settings.content)
    for problem in problems:
        click.echo(problem, err=True)
    table(
        console,
        "Pending go-live times",
        ["time (WIB)", "kind", "id", "title", "file"],
        [(format_wib(g.at), g.why, g.uid, g.title, g.path.name) for g in times if g.at > now],
    )


commands = [
    run_command,
    tick_command,
    plan_command,
    preview_command,
    seed_command,
    rehearse_command,
    embargoes_command,
]
