"""The commands for posts that need a person: status, retry, resolve, dismiss.

`publisher status` is also what a monitor runs (cron, an uptime checker): it exits 1 when a
post is `dead` or `unknown`, or when the heartbeat (the last successful tick) is older than
`--max-age`, and says why in its last line (or in `alerts` with `--json`).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from publisher.cli.engine import PLATFORM, SETTINGS, cli_ledger, cli_settings
from publisher.cli.output import fail, make_console, table
from publisher.core.timeutil import utc_now
from publisher.engine import actions, heartbeat
from publisher.engine.ledger import Ledger


def _age(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.timedelta | None:
    if value is None:
        return None
    try:
        return heartbeat.parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("status")
@SETTINGS
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--max-age",
    metavar="AGE",
    callback=_age,
    help="Fail when the last successful tick is older than AGE (600, 90s, 10m, 2h; 0: do not "
    "check). Default: three tick intervals, at least 10 minutes.",
)
def status_command(settings_file: Path | None, as_json: bool, max_age: dt.timedelta | None) -> None:
    """Counts by state, last posts, what needs a person, and the heartbeat.

    Exit 1 if any post is dead or unknown, or the last successful tick is older than --max-age.
    """
    console = make_console()
    settings = cli_settings(settings_file)
    limit = heartbeat.default_max_age(settings) if max_age is None else max_age
    ledger = cli_ledger(settings, must_exist=True)
    try:
        health = heartbeat.check(ledger, limit)
        data = actions.status(ledger, health)
    finally:
        if ledger is not None:
            ledger.close()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_status(console, data, health)
    if not data["ok"]:
        raise SystemExit(1)


def _print_status(console: Console, data: dict[str, Any], health: heartbeat.Health) -> None:
    """The same facts as --json, in words; the verdict is the last line (cron mails it)."""
    counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items() if v) or "the ledger is empty"
    click.echo(f"Posts: {counts}")
    click.echo(health.describe())
    for problem in health.beat.problems if health.beat else ():
        click.echo(f"  problem at that tick: {problem}")
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
    if data["ok"]:
        click.echo("Status: OK")
    else:
        click.echo("Status: NEEDS A PERSON: " + "; ".join(data["alerts"]))


@click.command("retry")
@SETTINGS
@PLATFORM
@click.argument("key")
def retry_command(settings_file: Path | None, platform: str | None, key: str) -> None:
    """Send a failed, dead, stale or seeded post again at the next tick."""
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
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
    click.echo(f"{row.key} {row.platform} part {row.part}: {row.state}")


@click.command("dismiss")
@SETTINGS
@PLATFORM
@click.option("--reason", required=True, help="Why it must never go out (kept in the audit).")
@click.argument("key")
def dismiss_command(
    settings_file: Path | None, platform: str | None, reason: str, key: str
) -> None:
    """Close a dead or failed post for good: it is never sent, and status stops failing for it.

    The rows become `stale` with the reason; `publisher retry KEY` undoes it.
    """
    ledger = Ledger.open(cli_settings(settings_file).ledger, actor="cli")
    rows = actions.dismiss(ledger, key, utc_now(), reason, platform)
    for row in rows:
        click.echo(f"{row.key} {row.platform} part {row.part}: {row.state} ({row.reason})")


commands = [status_command, retry_command, resolve_command, dismiss_command]
