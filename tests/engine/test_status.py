"""`publisher status` tells the truth (issue 16 §4): every state that needs a person makes it
exit 1 naming the platform and the fix, `--now` judges at a given time, and `--json` keeps a
documented shape (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.core.timeutil import parse_time
from publisher.engine import heartbeat
from publisher.engine.ledger import DEAD, STALE, UNKNOWN, Ledger
from publisher.engine.report import TickReport
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.registry import real_adapter
from tests.engine_support import Clock, item, make_settings
from tests.platform_servers.fixtures import environ_for

DUE = "2027-03-01 09:00"


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "status.py"
    ledger = tmp_path / "var" / "ledger.sqlite3"
    path.write_text(f"PUBLISHER = {{'ledger': {str(ledger)!r}}}\n")
    return path


def status(conf: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["status", "--json", "--settings", str(conf), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, json.loads(result.stdout)


def kinds(data: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(p["kind"], p["platform"]) for p in data["problems"]}


class Setup:
    def __init__(self, tmp: Path, adapters: dict[str, Any]) -> None:
        self.clock = Clock("2027-03-01 08:00")
        settings = make_settings(tmp, platforms=list(adapters))
        self.ledger = Ledger.open(settings.ledger, actor="test")
        self.items: list[Any] = []
        self.scheduler = Scheduler(
            settings,
            self.ledger,
            adapters,
            lambda: Snapshot(list(self.items), [], {"item", "cal"}),
            clock=self.clock,
            rng=random.Random(4),
        )
        self.scheduler.tick()
        heartbeat.record(self.ledger, TickReport(self.clock.now), at=self.clock.now)

    def minutes(self, until: str, step: int = 1) -> None:
        end = parse_time(until)
        while self.clock.now < end:
            self.scheduler.tick(self.clock.advance(minutes=step))
        heartbeat.record(self.ledger, TickReport(self.clock.now), at=self.clock.now)


def test_a_full_outage_of_one_platform_fails_status_naming_it(
    tmp_path: Path, conf: Path, mastodon_server: Any, telegram_server: Any
) -> None:
    servers = {"mastodon": mastodon_server, "telegram": telegram_server}
    settings = make_settings(tmp_path, platforms=list(servers))
    env = environ_for(servers)
    setup = Setup(tmp_path, {p: real_adapter(p, settings, env) for p in servers})
    setup.items += [item(f"item:{n}", DUE, text=f"Gangguan {n}.", link="") for n in range(3)]
    mastodon_server.fail_next(503, times=10**6)  # Mastodon is down for everything
    setup.minutes("2027-03-01 09:05")
    code, data = status(conf, "--now", "2027-03-01 09:05")
    assert code == 0  # five minutes late is not yet an outage (the limit is 10 min)
    setup.minutes("2027-03-01 10:00")
    code, data = status(conf, "--now", "2027-03-01 10:00")
    assert code == 1 and kinds(data) == {("outage", "mastodon")}
    (problem,) = data["problems"]
    assert "3 post(s) waiting since 2027-03-01 09:00 WIB" in problem["message"]
    assert "publisher retry --platform mastodon --all" in problem["fix"]
    assert data["platforms"]["mastodon"]["state"] == "held"
    assert data["platforms"]["mastodon"]["late"] == 3
    plain = CliRunner().invoke(
        cli, ["status", "--now", "2027-03-01 10:00", "--settings", str(conf)]
    )
    last = plain.stdout.splitlines()[-1]
    assert last.startswith("Status: NEEDS A PERSON: mastodon: 3 post(s) waiting since")
    mastodon_server.clear_scripts()
    setup.minutes("2027-03-01 18:00", step=10)
    code, data = status(conf, "--now", "2027-03-01 18:00")
    assert code == 0 and data["ok"] and data["counts"]["sent"] == 6


def test_each_row_state_that_needs_a_person_fails_status(tmp_path: Path, conf: Path) -> None:
    from publisher.platforms.registry import OutboxAdapter, platform_limits

    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path)
    limits = platform_limits(settings)
    adapters = {p: OutboxAdapter(limits[p], settings.outbox, clock) for p in ("x", "telegram")}
    setup = Setup(tmp_path, adapters)
    ledger = setup.ledger
    setup.items += [item(f"item:{n}", "2027-03-01 12:00", text=f"T {n}.") for n in range(4)]
    setup.minutes("2027-03-01 08:05")
    now = setup.clock.now
    code, data = status(conf, "--now", "2027-03-01 08:05")
    assert code == 0 and data["ok"] is True and data["problems"] == []
    rows = {(r.key, r.platform): r for r in ledger.rows()}
    ledger.move(rows[("item:0", "x")].id, DEAD, now, "X: 403 forbidden", ["pending"])
    ledger.move(rows[("item:1", "telegram")].id, UNKNOWN, now, "timeout", ["pending"])
    ledger.move(
        rows[("item:2", "x")].id, UNKNOWN, now, "looking", ["pending"],
        next_attempt_at=now + dt.timedelta(minutes=1), lookup_from=now,
    )  # fmt: skip
    ledger.move(rows[("item:3", "x")].id, STALE, now, "due while down", ["pending"], cause="late")
    code, data = status(conf, "--now", "2027-03-01 08:05")
    assert code == 1
    assert kinds(data) == {("dead", "x"), ("unknown", "telegram"), ("stale", "x")}
    fixes = {p["kind"]: p["fix"] for p in data["problems"]}
    assert "publisher resolve item:1 --platform telegram --sent URL" in fixes["unknown"]
    assert "publisher retry item:3 --platform x" in fixes["stale"]
    # The one still being looked for is shown, not a problem (inside X's lookup window).
    assert [r["key"] for r in data["looking"]] == ["item:2"]
    # Past the window it is one: the engine should have settled it by then.
    code, data = status(conf, "--now", "2027-03-01 12:00")
    assert ("unknown", "x") in kinds(data)


def test_pending_past_due_with_nothing_sending_and_a_late_heartbeat(
    tmp_path: Path, conf: Path
) -> None:
    from publisher.platforms.registry import OutboxAdapter, platform_limits

    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path)
    limits = platform_limits(settings)
    setup = Setup(tmp_path, {"x": OutboxAdapter(limits["x"], settings.outbox, clock)})
    setup.items.append(item("item:a", DUE, text="Tertunda."))
    setup.minutes("2027-03-01 08:30")  # planned; then the publisher stops
    code, data = status(conf, "--now", "2027-03-01 09:30", "--max-age", "0")
    assert code == 1 and kinds(data) == {("late", "x")}
    code, data = status(conf, "--now", "2027-03-01 09:30", "--max-age", "10m")
    assert kinds(data) == {("late", "x"), ("heartbeat", None)}
    assert data["heartbeat"]["fresh"] is False


def test_a_platform_answer_cannot_break_or_forge_the_status_output(
    tmp_path: Path, conf: Path
) -> None:
    """Hostile text from a platform, shown as text: no markup error for `[/]`, no escape
    sequence reaching the terminal, no forged `Status: OK` line (issue 15 §5b)."""
    from publisher.platforms.registry import OutboxAdapter, platform_limits

    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path)
    limits = platform_limits(settings)
    setup = Setup(tmp_path, {"x": OutboxAdapter(limits["x"], settings.outbox, clock)})
    setup.items.append(item("item:a", DUE, text="A."))
    setup.minutes("2027-03-01 08:05")
    (row,) = setup.ledger.rows()
    hostile = "[/] [bold]x[/bold] \x1b[2J\x1b[H\rStatus: OK\n\u202eKO :sutatS\x07"
    setup.ledger.move(row.id, DEAD, setup.clock.now, hostile, ["pending"])
    for env in ({}, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "200"}):
        result = CliRunner().invoke(
            cli, ["status", "--max-age", "0", "--settings", str(conf)], env=env
        )
        assert result.exit_code == 1, result.output
        out = result.stdout
        for bad in ("\x1b[2J", "\x1b[H", "\r", "\x07", "\u202e"):
            assert bad not in out
        assert not any(line.strip() == "Status: OK" for line in out.splitlines())
        assert "\\x1b[2J" in out and "[/]" in out
        assert out.splitlines()[-1].startswith("Status: NEEDS A PERSON")
    code, data = status(conf, "--max-age", "0")
    assert code == 1 and data["attention"][0]["reason"] == hostile  # JSON keeps the text, escaped
