"""Outages and limits, in simulated time, through the real adapters and the local servers.

A platform down for an hour (503) or rate limited for an hour (429 with its reset header):
its posts wait with backoff, few requests are made, and they go out afterwards in their
planned order, while the other platforms post at their time and no tick ever sleeps. A
refused credential: that platform's due rows become `dead` with a message that names the
platform and the fix, after one request, and `publisher status` says so and exits 1.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.engine.ledger import Ledger
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.registry import real_adapter
from tests.engine_support import Clock, item, make_settings
from tests.platform_servers.fixtures import environ_for

START = "2027-03-01 08:00"


class Engine:
    """A scheduler over real adapters pointed at local servers, on a hand-moved clock."""

    def __init__(self, tmp: Path, servers: dict[str, Any]) -> None:
        self.clock = Clock(START)
        self.settings = make_settings(tmp, platforms=list(servers), per_tick_cap=5)
        env = environ_for(servers)
        adapters = {p: real_adapter(p, self.settings, env) for p in servers}
        self.ledger = Ledger.open(self.settings.ledger, actor="test")
        self.items: list[Any] = []
        self.scheduler = Scheduler(
            self.settings,
            self.ledger,
            adapters,  # type: ignore[arg-type]
            lambda: Snapshot(list(self.items), [], {"item", "cal"}),
            clock=self.clock,
            rng=random.Random(3),
        )
        self.scheduler.tick()  # the first run, on an empty site

    def minutes(self, until: str, step: int = 1, each: Any = None) -> None:
        """Tick every `step` minutes until `until` (WIB), calling `each(now)` first."""
        end = Clock(until).now
        while self.clock.now < end:
            self.clock.advance(minutes=step)
            if each is not None:
                each(self.clock.now)
            self.scheduler.tick()

    def sent(self, platform: str) -> list[tuple[str, dt.datetime]]:
        rows = self.ledger.rows(platform=platform, states=["sent"], order="sent_at, id")
        return [(r.key, r.sent_at) for r in rows]


@pytest.fixture
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tick must never sleep (the servers' own threads may: they are not the loop)."""
    real = time.sleep
    main = threading.main_thread()

    def guarded(seconds: float) -> None:
        assert threading.current_thread() is not main, f"the loop slept {seconds} s"
        real(seconds)

    monkeypatch.setattr(time, "sleep", guarded)


def post(key: str, at: str, text: str) -> Any:
    # No link: Bluesky would fetch the page for its card, and the example site is not local.
    return item(key, at, text=text, link="")


def due_times(count: int) -> list[str]:
    return [f"2027-03-01 09:{10 * n:02d}" for n in range(count)]


def test_a_platform_down_for_an_hour_waits_then_posts_in_order_while_others_post_on_time(
    tmp_path: Path, all_servers: dict[str, Any], no_sleep: None
) -> None:
    engine = Engine(tmp_path, all_servers)
    times = due_times(6)
    engine.items = [post(f"item:{n}", at, f"Pesan nomor {n}.") for n, at in enumerate(times)]
    facebook = all_servers["facebook"]
    facebook.fail_next(503, times=10**6)  # down from now...
    engine.minutes("2027-03-01 10:00")
    during = len(facebook.requests)
    facebook.clear_scripts()  # ...for an hour
    engine.minutes("2027-03-01 13:00", step=5)

    for platform in ("x", "mastodon", "bluesky", "telegram"):
        assert engine.sent(platform) == [
            (f"item:{n}", Clock(at).now) for n, at in enumerate(times)
        ], platform
    fb = engine.sent("facebook")
    assert [key for key, _ in fb] == [f"item:{n}" for n in range(6)]  # in the planned order
    assert all(at > Clock("2027-03-01 10:00").now for _, at in fb)
    assert [p["message"] for p in facebook.posts] == [f"Pesan nomor {n}." for n in range(6)]
    # Backoff on the platform as a whole: a handful of tries in the hour, not one per post
    # per minute (360), and each gap longer than the one before.
    assert during <= 10
    # After the outage: the six posts, and no request but the reads of their engagement.
    posts = facebook.requests_to(facebook.CREATE, "POST")
    assert len(facebook.posts) == 6 and len(posts) == during + 6
    assert len(facebook.requests) - len(posts) == len(facebook.requests_to(r"^/v[\d.]+/$", "GET"))
    attempts = [a["at"] for a in engine.ledger.audit("item:0") if a["to_state"] == "claimed"]
    tries = [dt.datetime.fromisoformat(a.replace("Z", "+00:00")) for a in attempts]
    gaps = [b - a for a, b in itertools.pairwise(tries)]
    assert gaps == sorted(gaps) and len(gaps) >= 3


def test_a_rate_limit_an_hour_away_is_waited_out_without_a_request(
    tmp_path: Path, x_server: Any, mastodon_server: Any, no_sleep: None
) -> None:
    engine = Engine(tmp_path, {"x": x_server, "mastodon": mastodon_server})
    times = due_times(4)
    engine.items = [post(f"item:{n}", at, f"Kabar nomor {n}.") for n, at in enumerate(times)]
    reset = Clock("2027-03-01 10:00").now
    x_server.rate_reset = int(reset.timestamp())
    x_server.fail_next(429, path="/2/tweets")
    engine.minutes("2027-03-01 09:59")

    assert len(x_server.requests_to("/2/tweets")) == 1  # the one refused at 09:00, no more
    (row, *_) = engine.ledger.rows(key="item:0", platform="x")
    assert row.state == "failed" and row.next_attempt_at == reset
    assert "rate limited until 2027-03-01 03:00:00 UTC (x-rate-limit-reset)" in row.reason
    assert engine.sent("mastodon") == [(f"item:{n}", Clock(at).now) for n, at in enumerate(times)]
    engine.minutes("2027-03-01 10:01")
    assert engine.sent("x") == [(f"item:{n}", reset) for n in range(4)]
    assert [p["sent_text"] for p in x_server.posts] == [f"Kabar nomor {n}." for n in range(4)]


@pytest.fixture
def status_conf(tmp_path: Path) -> Iterator[Path]:
    conf = tmp_path / "status.py"
    conf.write_text(f"PUBLISHER = {{'ledger': {str(tmp_path / 'var' / 'ledger.sqlite3')!r}}}\n")
    yield conf


def test_a_revoked_credential_parks_that_platform_only_until_it_is_accepted_again(
    tmp_path: Path, mastodon_server: Any, telegram_server: Any, status_conf: Path
) -> None:
    """Changed with issue 16: refused credentials park the platform and its posts (never
    `dead`); `status` names the variable; once a credential check passes they go out."""
    engine = Engine(tmp_path, {"mastodon": mastodon_server, "telegram": telegram_server})
    engine.items = [post(f"item:{n}", "2027-03-01 09:00", f"Info {n}.") for n in range(3)]
    mastodon_server.fail_next(401, times=10**6)  # the token is revoked: every request fails
    engine.minutes("2027-03-01 09:30")

    # One refused attempt, then a credential check at 09:10, 09:20 (backoff), not every minute.
    assert len(mastodon_server.requests_to("/api/v1/statuses", "POST")) <= 1
    assert len(mastodon_server.requests) <= 8
    rows = engine.ledger.rows(platform="mastodon")
    assert "dead" not in {r.state for r in rows}
    assert [(r.state, r.cause) for r in rows] == [
        ("failed", "credentials"),
        ("pending", ""),
        ("pending", ""),
    ]
    assert "MASTODON_ACCESS_TOKEN" in rows[0].reason
    state = engine.ledger.platform_state("mastodon")
    assert state.state == "parked" and "MASTODON_ACCESS_TOKEN" in state.reason
    assert [key for key, _ in engine.sent("telegram")] == ["item:0", "item:1", "item:2"]

    result = CliRunner().invoke(
        cli, ["status", "--json", "--max-age", "0", "--now", "2027-03-01 09:30",
              "--settings", str(status_conf)],
    )  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (problem,) = [p for p in data["problems"] if p["kind"] == "credentials"]
    assert problem["platform"] == "mastodon" and "MASTODON_ACCESS_TOKEN" in problem["fix"]
    assert data["platforms"]["mastodon"]["state"] == "parked"

    mastodon_server.clear_scripts()  # the token is restored on the server
    engine.minutes("2027-03-01 11:00", step=5)
    assert [key for key, _ in engine.sent("mastodon")] == ["item:0", "item:1", "item:2"]
    assert engine.ledger.platform_state("mastodon").state == "open"
    assert [p["text"] for p in mastodon_server.posts] == ["Info 0.", "Info 1.", "Info 2."]
