"""The engine's commands: run, tick, plan, preview, status, retry, resolve, seed, rehearse,
embargoes. A thin layer: the work is in scheduler/actions/rehearse; this renders it, with
rich tables on a terminal and plain lines otherwise (for cron mail and pipes).

Bad input ends as one located line and exit code 1, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from publisher import actions, embargo, engine, sources
from publisher.adapters import build_adapters
from publisher.build import ROOT, parse_now_option
from publisher.engine_output import (
    expected_errors,
    fail,
    first_words,
    make_console,
    setup_logging,
    table,
)
from publisher.ledger import InstanceLock, Ledger
from publisher.rehearse import rehearse
from publisher.settings import PublisherSettings, load_secrets, load_settings
from publisher.timeutil import format_wib, utc_now


def _settings(path: Path | None) -> PublisherSettings:
    if path is None:
        path = (
            Path("pelicanconf.py") if Path("pelicanconf.py").exists() else ROOT / "pelicanconf.py"
        )
    return load_settings(path)


def _ledger(settings: PublisherSettings, must_exist: bool = False) -> Ledger | None:
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


@click.command("run")
@SETTINGS
def run_command(settings_file: Path | None) -> None:
    """Run the scheduler: a tick now and every tick_seconds; SIGTERM stops it cleanly."""
    console = make_console()
    setup_logging(console)
    with expected_errors():
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())  # finish the current post, then exit
        run_scheduler(_settings(settings_file), stop)


def run_scheduler(settings: PublisherSettings, stop: threading.Event) -> None:
    """The scheduler loop until `stop` is set; `publisher run` and `serve --publish` share it."""
    with InstanceLock(settings.ledger):
        ledger = Ledger.open(settings.ledger)
        try:
            scheduler = engine.make_scheduler(
                settings, load_secrets(settings.root), ledger, stop=stop
            )
            scheduler.log.info(
                "running: a tick every %d s; Ctrl+C or SIGTERM stops", settings.tick_seconds
            )
            engine.run_forever(scheduler, settings.tick_seconds, stop)
        finally:
            ledger.close()
    logging.getLogger("publisher.engine").info("stopped")


@click.command("tick")
@SETTINGS
@NOW
def tick_command(settings_file: Path | None, now_text: str | None) -> None:
    """Run one tick (for cron or a systemd timer) and exit."""
    console = make_console()
    setup_logging(console)
    now = parse_now_option(now_text)
    with expected_errors():
        settings = _settings(settings_file)
        with InstanceLock(settings.ledger):
            ledger = Ledger.open(settings.ledger)
            try:
                scheduler = engine.make_scheduler(
                    settings, load_secrets(settings.root), ledger, clock=_clock(now)
                )
                report = scheduler.tick()
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
    """The upcoming posts: time (WIB), platform, key, first words, state."""
    console = make_console()
    now = parse_now_option(now_text) or utc_now()
    with expected_errors():
        settings = _settings(settings_file)
        snap = sources.snapshot(settings)
        ledger = _ledger(settings, must_exist=True)
        adapters = build_adapters(settings, load_secrets(settings.root))
        rows = actions.plan(snap.planned, ledger, adapters, now, days)
    for problem in snap.problems:
        click.echo(problem, err=True)
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


@click.command("preview")
@SETTINGS
@click.argument("key")
def preview_command(settings_file: Path | None, key: str) -> None:
    """The exact text of every part for every platform, with its count against the limit."""
    with expected_errors():
        settings = _settings(settings_file)
        snap = sources.snapshot(settings)
        ledger = _ledger(settings, must_exist=True)
        previews = actions.preview(
            key, snap.planned, ledger, build_adapters(settings, load_secrets(settings.root))
        )
    bad = False
    for item in previews:
        click.echo(f"== {item.platform} ({item.state})")
        if item.error:
            click.echo(f"   cannot compose: {item.error}")
            bad = True
        for part in item.parts:
            mark = "ok" if part.fits else "TOO LONG"
            bad = bad or not part.fits
            click.echo(f"-- part {part.number}/{part.total}: {part.count}/{part.limit} {mark}")
            click.echo(part.text)
            for media in part.request.get("media", []):
                click.echo(f"   [image {media['path_or_url']} alt: {media['alt']}]")
    if bad:
        raise SystemExit(1)


@click.command("status")
@SETTINGS
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status_command(settings_file: Path | None, as_json: bool) -> None:
    """Counts by state, last posts, and what needs a person. Exit 1 if any is dead or unknown."""
    console = make_console()
    with expected_errors():
        settings = _settings(settings_file)
        ledger = _ledger(settings, must_exist=True)
        if ledger is None:
            data: dict[str, Any] = {
                "counts": {},
                "last_sent": [],
                "attention": [],
                "stale": [],
                "ok": True,
            }
        else:
            data = actions.status(ledger)
            ledger.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        counts = (
            ", ".join(f"{k} {v}" for k, v in data["counts"].items() if v) or "the ledger is empty"
        )
        click.echo(f"Posts: {counts}")
        table(
            console,
            "Last sent",
            ["sent (WIB)", "platform", "key", "part", "url"],
            [
                (r["sent_at"], r["platform"], r["key"], f"{r['part']}/{r['parts']}", r["url"])
                for r in data["last_sent"]
            ],
        )
        table(
            console,
            "Needs attention",
            ["state", "platform", "key", "part", "reason", "what to do"],
            [
                (
                    r["state"],
                    r["platform"],
                    r["key"],
                    f"{r['part']}/{r['parts']}",
                    r["reason"],
                    r["fix"],
                )
                for r in data["attention"]
            ],
        )
        if data["stale"]:
            table(
                console,
                "Stale (not posted)",
                ["due (WIB)", "platform", "key", "reason"],
                [(r["due"], r["platform"], r["key"], r["reason"]) for r in data["stale"]],
            )
    if not data["ok"]:
        raise SystemExit(1)


@click.command("retry")
@SETTINGS
@PLATFORM
@click.argument("key")
def retry_command(settings_file: Path | None, platform: str | None, key: str) -> None:
    """Send a failed, dead, stale or seeded post again at the next tick."""
    with expected_errors():
        ledger = Ledger.open(_settings(settings_file).ledger, actor="cli")
        rows = actions.retry(ledger, key, utc_now(), platform)
    for row in rows:
        click.echo(f"{row.key} {row.platform} part {row.part}: pending, goes out at the next tick")


@click.command("resolve")
@SETTINGS
@PLATFORM
@click.option("--part", type=int, help="Which part of a thread.")
@click.option("--sent", "sent_url", metavar="URL", help="It is on the platform at URL.")
@click.option("--not-sent", is_flag=True, help="It is not on the platform: send it again.")
@click.option("--remote-id", help="The platform's id of the post (default: the URL's last part).")
@click.argument("key")
def resolve_command(
    settings_file: Path | None,
    platform: str | None,
    part: int | None,
    sent_url: str | None,
    not_sent: bool,
    remote_id: str | None,
    key: str,
) -> None:
    """Settle an `unknown` post: --sent URL or --not-sent."""
    if bool(sent_url) == not_sent:
        fail("give exactly one of --sent URL or --not-sent")
    with expected_errors():
        ledger = Ledger.open(_settings(settings_file).ledger, actor="cli")
        row = actions.resolve(
            ledger,
            key,
            utc_now(),
            sent_url=sent_url,
            platform=platform,
            part=part,
            remote_id=remote_id,
        )
    click.echo(f"{row.key} {row.platform} part {row.part}: {row.state}")


@click.command("seed")
@SETTINGS
@NOW
def seed_command(settings_file: Path | None, now_text: str | None) -> None:
    """Record everything already due as seeded (never posted): start fresh on a live site."""
    now = parse_now_option(now_text)
    with expected_errors():
        settings = _settings(settings_file)
        with InstanceLock(settings.ledger):
            ledger = Ledger.open(settings.ledger, actor="cli")
            scheduler = engine.make_scheduler(
                settings, load_secrets(settings.root), ledger, clock=_clock(now)
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
    with expected_errors():
        result = rehearse(_settings(settings_file), campaign, keep)
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
        click.echo(f"outbox kept in {result.outbox}")
    for problem in result.problems:
        click.echo(f"problem: {problem}", err=True)
    if not result.ok:
        raise SystemExit(1)


@click.command("embargoes")
@SETTINGS
@NOW
def embargoes_command(settings_file: Path | None, now_text: str | None) -> None:
    """Pending go-live times (embargoes and future dates) in WIB: the engine rebuilds at each."""
    console = make_console()
    now = parse_now_option(now_text) or utc_now()
    with expected_errors():
        settings = _settings(settings_file)
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
    status_command,
    retry_command,
    resolve_command,
    seed_command,
    rehearse_command,
    embargoes_command,
]
