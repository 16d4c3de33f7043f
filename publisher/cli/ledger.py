"""`publisher ledger backup PATH` and `publisher ledger check`: the ledger's own care.

The ledger is the only record of what went out; losing it means either reposting everything
or posting nothing. `backup` copies it with SQLite's online backup API, so a consistent copy
is taken even while `publisher run` writes; `check` runs publisher.ledger_check. Both only
read the ledger. Errors are one line and exit code 1, as for every command.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click

from publisher.cli.context import cli_settings
from publisher.cli.output import fail, say
from publisher.core.timeutil import utc_now
from publisher.engine.ledger.check import check, read_only
from publisher.engine.ledger.store import private_file

SETTINGS = click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),
    envvar="PUBLISHER_SETTINGS",
    help="Pelican settings file with the PUBLISHER dict (default: pelicanconf.py).",
)


def backup(source: Path, target: Path) -> tuple[Path, int]:
    """Copy the ledger to `target` (a file, or a folder for a time-stamped name); the copy
    is checked and only then renamed into place, so a half-written backup never exists."""
    if target.is_dir():
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        target = target / f"{source.stem}-{stamp}{source.suffix}"
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        private_file(temp)  # a backup tells as much as the ledger: its owner only (0600)
        with read_only(source) as conn:
            copy = sqlite3.connect(temp)
            try:
                conn.backup(copy)  # page by page, consistent even while a tick writes
                verdict = copy.execute("PRAGMA integrity_check(1)").fetchone()[0]
                rows = copy.execute("SELECT COUNT(*) FROM posts").fetchone()[0]
            finally:
                copy.close()
        if verdict != "ok":
            found = "; ".join(ln for ln in verdict.splitlines() if "***" not in ln)
            raise sqlite3.DatabaseError(f"the copy fails its integrity check: {found}")
        os.replace(temp, target)
    except (OSError, sqlite3.DatabaseError) as exc:
        temp.unlink(missing_ok=True)
        raise click.ClickException(f"{source}: no backup made ({exc})") from None
    return target, rows


@click.group("ledger")
def ledger_group() -> None:
    """Back up and check the ledger (var/ledger.sqlite3)."""


@ledger_group.command("backup")
@SETTINGS
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.argument("path", type=click.Path(path_type=Path))
def backup_command(settings_file: Path | None, force: bool, path: Path) -> None:
    """Copy the ledger to PATH (a folder gets a time-stamped file); safe while it runs."""
    settings = cli_settings(settings_file)
    if path.exists() and not path.is_dir() and not force:
        fail(f"{path}: already exists; give another path, a folder, or --force")
    try:
        target, rows = backup(settings.ledger, path)
    except click.ClickException as exc:
        fail(exc.message)
    click.echo(f"backed up {rows} row(s) to {target}")


@ledger_group.command("check")
@SETTINGS
def check_command(settings_file: Path | None) -> None:
    """SQLite's integrity check and the engine's invariants; exit 1 on any problem."""
    settings = cli_settings(settings_file)
    try:
        result = check(settings.ledger, utc_now())
    except FileNotFoundError as exc:
        fail(str(exc))
    except (OSError, sqlite3.DatabaseError) as exc:
        fail(f"{settings.ledger}: cannot be checked ({exc})")
    for problem in result.problems:
        say(f"{settings.ledger}: {problem}", err=True)
    if not result.ok:
        fail(f"ledger check: {len(result.problems)} problem(s)")
    click.echo(f"ledger ok: {result.rows} row(s), {result.audits} audit entries, integrity ok")


commands = [ledger_group]
