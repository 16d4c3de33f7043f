"""The commands for posts and platforms that need a person: status, retry, resolve, dismiss,
pause, resume.

`publisher status` is also what a monitor runs (cron, an uptime checker): it exits 1 when a
platform is down or refuses our credentials with posts waiting, a post is `unknown`, `dead`
or `stale`, or the heartbeat (the last successful tick) is older than `--max-age`; it names
the platform and the fix in its last line (or in `problems` with `--json`, whose schema is
in docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from publisher.cli.context import parse_now_option
from publisher.cli.engine import PLATFORM, SETTINGS, cli_ledger, cli_settings
from publisher.cli.output import fail, make_console, say, table
from publisher.core.timeutil import utc_now
from publisher.engine import actions, heartbeat
from publisher.engine.ledger import Ledger
from publisher.platforms.catalog import PLATFORMS


def _age(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.timedelta | None:
    if value is None:
        return None
    try:
        return heartbeat.parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _now(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    return parse_now_option(value)


@click.command("status")
@SETTINGS
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (schema 1).")
@click.option(
    "--max-age",
    metavar="AGE",
    callback=_age,
    help="Fail when the last successful tick is older than AGE (600, 90s, 10m, 2h; 0: do not "
    "check). Default: three tick intervals, at least 10 minutes.",
)
@click.option(
    "--now",
    "now",
    metavar="TIME",
    callback=_now,
    help="Judge as if it were TIME (WIB unless an offset is given).",
)
def status_command(
    settings_file: Path | None,
    as_json: bool,
    max_age: dt.timedelta | None,
    now: dt.datetime | None,
) -> None:
    """Counts by state, each platform, last posts, what needs a person, and the heartbeat.

    Exit 1 when a platform's posts wait past their time (an outage, a pause, refused
    credentials), a post is unknown, dead or stale, or the last tick is older than --max-age.
    """
    console = make_console()
    settings = cli_settings(settings_file)
    limit = heartbeat.default_max_age(settings) if max_age is None else max_age
    ledger = cli_ledger(settings, must_exist=True)
    try:
        health = heartbeat.check(ledger, limit, now)
        data = actions.status(
            ledger, health, now=health.now, late_after=limit or heartbeat.MIN_MAX_AGE
        )
    finally:
        if ledger is not None:
            ledger.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=True, indent=2))  # escapes every control
    else:
        _print_status(console, data, health)
    if not data["ok"]:
        raise SystemExit(1)


def _print_status(console: Console, data: dict[str, Any], health: heartbeat.Health) -> None:
    """The same facts as --json, in words; the verdict is the last line (cron mails it)."""
    counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items() if v) or "the ledger is empty"
    say(f"Posts: {counts}")
    say(health.describe())
    for problem in health.beat.problems if health.beat else ():
        say(f"  problem at that tick: {problem}")
    if data["platforms"]:
        table(
            console,
            "Platforms",
            ["platform", "state", "until / since", "late posts", "reason"],
            [
                (
                    name,
                    p["state"],
                    p["until"] or p["since"] or "",
                    p["late"],
                    p["reason"],
                )
                for name, p in data["platforms"].items()
            ],
        )
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
    if data["looking"]:
        table(
            console,
            "Being looked for on the platform (unclear answers)",
            ["platform", "key", "part", "next look (WIB)", "reason"],
            [
                (
                    r["platform"],
                    r["key"],
                    f"{r['part']}/{r['parts']}",
                    r["next_attempt"],
                    r["reason"],
                )
                for r in data["looking"]
            ],
        )
    if data["stale"]:
        table(
            console,
            "Stale (not posted)",
            ["due (WIB)", "platform", "key", "reason"],
            [(r["due"], r["platform"], r["key"], r["reason"]) for r in data["stale"]],
        )
    if data["ok"]:
        say("Status: OK")
    else:
        say("Status: NEEDS A PERSON: " + "; ".join(data["alerts"]))


def _platform_name(value: str) -> str:
    if value not in PLATFORMS:
        fail(f"--platform {value}: not a platform (use: {', '.join(PLATFORMS)})")
    return value


@click.command("retry")
@SETTINGS
@PLATFORM
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every failed, dead and stale post of --platform (after an outage), in order.",
)
@click.argument("key", required=False)
def retry_command(
    settings_file: Path | None, platform: str | None, every: bool, key: str | None
) -> None:
    """Send a failed, dead, stale or seeded post again at the next tick."""
    if every == bool(key) or (every and not platform):
        fail("give KEY, or --platform NAME --all")
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    if every:
        rows, unknown = actions.retry_platform(ledger, _platform_name(platform or ""), utc_now())
        say(f"{platform}: {len(rows)} post(s) pending again; they go out in order at the next tick")
        for row in unknown:
            say(f"{row.key} part {row.part}: unknown, left as it is (publisher resolve first)")
        return
    for row in actions.retry(ledger, key or "", utc_now(), platform):
        say(f"{row.key} {row.platform} part {row.part}: pending, goes out at the next tick")


@click.command("pause")
@SETTINGS
@click.option("--platform", required=True, help="The platform to stop posting to.")
@click.option("--reason", default="", help="Why (kept in the ledger's audit).")
def pause_command(settings_file: Path | None, platform: str, reason: str) -> None:
    """Stop every request to a platform under incident; its posts wait, in order."""
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    actions.pause(ledger, _platform_name(platform), utc_now(), reason)
    say(f"{platform}: paused; its posts wait until `publisher resume --platform {platform}`")


@click.command("resume")
@SETTINGS
@click.option("--platform", required=True, help="The paused platform.")
def resume_command(settings_file: Path | None, platform: str) -> None:
    """Let a paused platform post again: its waiting posts go out in their planned order."""
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    actions.resume(ledger, _platform_name(platform), utc_now())
    say(f"{platform}: resumed; its waiting posts go out at the next tick")


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
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    row = actions.resolve(
        ledger,
        key,
        utc_now(),
        sent_url=sent_url,
        platform=platform,
        part=part,
        remote_id=remote_id,
    )
    say(f"{row.key} {row.platform} part {row.part}: {row.state}")


@click.command("dismiss")
@SETTINGS
@PLATFORM
@click.option("--reason", required=True, help="Why it must never go out (kept in the audit).")
@click.argument("key")
def dismiss_command(
    settings_file: Path | None, platform: str | None, reason: str, key: str
) -> None:
    """Close a dead, failed or stale post for good: it is never sent, and status stops failing
    for it.

    The rows become `stale` with the reason; `publisher retry KEY` undoes it.
    """
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    rows = actions.dismiss(ledger, key, utc_now(), reason, platform)
    for row in rows:
        say(f"{row.key} {row.platform} part {row.part}: {row.state} ({row.reason})")


commands = [
    status_command,
    retry_command,
    resolve_command,
    dismiss_command,
    pause_command,
    resume_command,
]
