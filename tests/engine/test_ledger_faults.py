"""A ledger that is locked by another process, on a full disk, or damaged: one clear line,
exit code 1, no partial state, nothing posted.

The full disk is real SQLite behaviour, not a mock: the child process runs the real CLI with
`PRAGMA max_page_count` pinned to the file's current size on every connection, so the first
write that needs a new page fails with SQLITE_FULL ("database or disk is full"), the same
error and the same rollback as on a disk with no space left (a tiny tmpfs would need root).
A full disk between the post and its record is simulated in-process (a COMMIT that fails the
way SQLite reports it), to show what the claim-first rule buys: the row stays `claimed`, and
the next start finds the post on the platform instead of sending it twice.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.core.settings import load_settings
from publisher.core.timeutil import utc_now
from publisher.engine.ledger import Ledger, LedgerError
from publisher.engine.ledger import store as ledger_module
from publisher.engine.scheduler import FIRST_RUN, Scheduler
from publisher.engine.sources import snapshot
from publisher.ops import runner as engine
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms import registry
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.crash_project import write_project
from tests.engine_support import outbox_files
from tests.support import ROOT

FULL_DISK = """
import sqlite3, sys
_connect = sqlite3.connect
def connect(*args, **kwargs):
    conn = _connect(*args, **kwargs)
    conn.execute("PRAGMA max_page_count = 1")  # raised to the current size: no room to grow
    return conn
sqlite3.connect = connect
from publisher.cli.main import main
sys.argv = ["publisher", *sys.argv[1:]]
main()
"""
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with five posts due a minute ago, on the outbox (no credentials)."""
    now = utc_now()
    conf = write_project(tmp_path, "http://127.0.0.1:9", now.replace(second=0, microsecond=0))
    ledger = Ledger.open(load_settings(conf).ledger, actor="test")
    ledger.set_meta(FIRST_RUN, now.isoformat())  # not a first run: due posts are sent
    ledger.close()
    return conf


def cli_run(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if " INFO " not in line]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def rows_in(conf: Path) -> int:
    with sqlite3.connect(load_settings(conf).ledger) as conn:
        return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]


def test_a_full_disk_stops_the_tick_with_one_line_and_keeps_the_ledger_whole(
    project: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, "tick", "--settings", str(project)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            k: v for k, v in os.environ.items() if not k.startswith(("X_", "MASTODON", "BLUESKY"))
        },
    )
    assert done.returncode == 1
    assert "database or disk is full" in one_line(done.stderr)
    assert rows_in(project) == 0  # the sync was rolled back whole
    assert outbox_files(project.parent / "outbox") == {}
    assert cli_run("ledger", "check", "--settings", str(project)).exit_code == 0


def test_a_ledger_locked_by_another_process_is_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "BUSY_TIMEOUT", 0.2)
    path = load_settings(project).ledger
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = cli_run("tick", "--settings", str(project))
    finally:
        holder.communicate("", timeout=30)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "database is locked" in line and "another program holds its write lock" in line
    assert rows_in(project) == 0
    assert outbox_files(project.parent / "outbox") == {}


def test_a_second_scheduler_is_refused_by_the_instance_lock(project: Path) -> None:
    with InstanceLock(load_settings(project).ledger):
        result = cli_run("run", "--settings", str(project))
    assert result.exit_code == 1
    assert "another publisher process" in one_line(result.stderr)


@pytest.mark.parametrize("where", ["header", "pages"])
def test_a_damaged_ledger_stops_every_command_before_anything_is_posted(
    project: Path, where: str
) -> None:
    assert cli_run("tick", "--settings", str(project)).exit_code == 0  # rows and posts exist
    outbox = project.parent / "outbox"
    posted = outbox_files(outbox)
    path = load_settings(project).ledger
    data = bytearray(path.read_bytes())
    start = 0 if where == "header" else 4096
    data[start : start + 8192] = os.urandom(8192)
    path.write_bytes(bytes(data))
    for command in ("tick", "run", "status"):
        result = cli_run(command, "--settings", str(project))
        assert result.exit_code == 1, command
        assert "cannot be opened" in one_line(result.stderr), command
    check = cli_run("ledger", "check", "--settings", str(project))
    assert check.exit_code == 1 and "Traceback" not in check.stderr
    assert outbox_files(outbox) == posted  # nothing more went out


class FullAtCommit:
    """A connection whose next COMMIT fails as SQLite fails it on a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn, self.armed = conn, False

    def execute(self, sql: str, *args: Any) -> Any:
        if self.armed and sql == "COMMIT":
            self.armed = False
            raise sqlite3.OperationalError("database or disk is full")
        return self.conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


def test_a_full_disk_after_the_post_leaves_a_claim_that_the_next_start_settles(
    project: Path,
) -> None:
    settings = registry.validate(load_settings(project))
    limits = platform_limits(settings)

    def start() -> tuple[Ledger, Scheduler]:
        ledger = Ledger.open(settings.ledger)
        adapters = {p: OutboxAdapter(limits[p], settings.outbox) for p in ("mastodon",)}
        return ledger, Scheduler(settings, ledger, adapters, lambda: snapshot(settings))

    ledger, scheduler = start()
    # The platform's run records through its own connection (publisher.engine.sending): the
    # disk fills up under that one.
    failing: list[FullAtCommit] = []
    make_sibling = ledger.sibling

    def sibling() -> Ledger:
        other = make_sibling()
        failing.append(FullAtCommit(other.conn))
        other.conn = failing[-1]  # type: ignore[assignment]
        return other

    ledger.sibling = sibling  # type: ignore[method-assign]
    outbox = OutboxAdapter(limits["mastodon"], settings.outbox)
    original = outbox._send

    def send_then_fill_the_disk(*args: Any, **kwargs: Any) -> Any:
        failing[-1].armed = True  # the post is out; recording it fails
        return original(*args, **kwargs)

    outbox._send = send_then_fill_the_disk  # type: ignore[method-assign]
    scheduler.adapters = {"mastodon": outbox}
    with InstanceLock(settings.ledger), pytest.raises(LedgerError, match="disk is full"):
        engine.safe_tick(scheduler)  # the loop stops: it does not tick on blind
    first = ledger.rows(platform="mastodon", order="due_at, key, part")
    assert [r.state for r in first].count("claimed") == 1
    claimed = next(r for r in first if r.state == "claimed")
    ledger.close()

    ledger, scheduler = start()  # restarted, with room on the disk again
    with InstanceLock(settings.ledger):  # after reconcile_seconds (60 s: the default)
        scheduler.sole_instance = True  # as the runner makes it under the lock
        scheduler.tick(utc_now() + dt.timedelta(seconds=65))
        scheduler.tick(utc_now() + dt.timedelta(seconds=125))  # 5 posts a tick (the default)
    row = ledger.row(claimed.id)
    assert row.state == "sent" and row.reason.startswith("found on the platform")
    files = outbox_files(settings.outbox)
    assert len(files) == len(ledger.rows(platform="mastodon"))  # each post exactly once
    ledger.close()
