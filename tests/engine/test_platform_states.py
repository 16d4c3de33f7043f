"""Platform answers and credentials over time (issue 16 §2b): an answer without an id, rate
limits of any length, a person's pause, credentials revoked and restored while `publisher
run` goes on, a renewed session, and the WAL after a big first run."""

from __future__ import annotations

import datetime as dt
import random
import threading
from pathlib import Path
from typing import Any

from publisher.core.environment import Environment
from publisher.core.timeutil import parse_time
from publisher.engine import actions
from publisher.engine.ledger import SENT, Ledger
from publisher.engine.ledger.check import check
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.ops import runner
from publisher.platforms import catalog
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.registry import OutboxAdapter, platform_limits, real_adapter
from tests.engine.test_scheduler import Scripted
from tests.engine_support import Clock, item, make_settings
from tests.platform_servers import mastodon as mastodon_srv
from tests.platform_servers.fixtures import environ_for

START = "2027-03-01 08:00"
DUE = "2027-03-01 09:00"


def engine(tmp: Path, adapters: dict[str, Any], clock: Clock, **settings: Any) -> Scheduler:
    config = make_settings(tmp, platforms=list(adapters), **settings)
    ledger = Ledger.open(config.ledger, actor="test")
    items: list[Any] = []
    scheduler = Scheduler(
        config,
        ledger,
        adapters,
        lambda: Snapshot(list(items), [], {"item", "cal"}),
        clock=clock,
        rng=random.Random(2),
    )
    scheduler.items = items  # type: ignore[attr-defined]
    scheduler.tick()
    return scheduler


def hours(scheduler: Scheduler, clock: Clock, until: str, step_minutes: int = 30) -> None:
    end = parse_time(until)
    while clock.now < end:
        scheduler.tick(clock.advance(minutes=step_minutes))


def test_a_success_without_a_usable_id_is_unknown_and_found_by_lookup(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))["x"]

    class NoId(Scripted):
        spec = catalog.spec("x")

        def lookup(self, part: DraftPart, taken: Any = ()) -> PostResult | None:
            return PostResult(ok=True, remote_id="1800000000000000042", url="https://x.com/i/1")

    answers: list[Any] = [
        PostResult(ok=True, remote_id="None", url="https://x.com/i/web/status/None")
    ]
    x = NoId(limits, answers)
    scheduler = engine(tmp_path, {"x": x}, clock)
    scheduler.items.append(item("item:a", DUE, text="Tanpa id.", link=""))  # type: ignore[attr-defined]
    scheduler.tick(clock.set(DUE))
    (row,) = scheduler.ledger.rows()
    assert row.state == "unknown" and "without a usable id ('None')" in row.reason
    hours(scheduler, clock, "2027-03-01 09:10", step_minutes=1)
    (row,) = scheduler.ledger.rows()
    assert (row.state, row.remote_id) == ("sent", "1800000000000000042")
    assert len(x.sent) == 1


def test_ledger_check_flags_a_sent_row_without_the_platforms_id(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))["x"]
    scheduler = engine(tmp_path, {"x": Scripted(limits, [])}, clock)
    scheduler.items.append(item("item:a", DUE, text="A.", link=""))  # type: ignore[attr-defined]
    scheduler.tick(clock.set(DUE))
    (row,) = scheduler.ledger.rows()
    assert check(scheduler.ledger.path, clock.now).ok
    scheduler.ledger.move(row.id, SENT, clock.now, "by hand", [SENT], remote_id=None)
    problems = check(scheduler.ledger.path, clock.now).problems
    assert any("sent, but without the platform's id (None)" in p for p in problems)
    data = actions.status(scheduler.ledger, now=clock.now)
    assert [p["kind"] for p in data["problems"]] == ["ledger"]


def test_a_daily_cap_holds_the_platform_for_twenty_hours_and_nothing_goes_stale(
    tmp_path: Path, x_server: Any, mastodon_server: Any
) -> None:
    """X's 24-hour cap: a 429 whose reset is 20 h away. The platform waits as a whole, its
    posts never become stale (the publisher was running all along), and they go out in
    their planned order at the reset; Mastodon posts on time throughout."""
    clock = Clock(START)
    settings = make_settings(tmp_path, platforms=["x", "mastodon"])
    env = environ_for({"x": x_server, "mastodon": mastodon_server})
    adapters = {p: real_adapter(p, settings, env) for p in ("x", "mastodon")}
    scheduler = engine(tmp_path, adapters, clock)
    times = [f"2027-03-01 {h:02d}:00" for h in (9, 12, 15, 18, 21)]
    scheduler.items += [  # type: ignore[attr-defined]
        item(f"item:{n}", at, text=f"Kabar harian {n}.", link="") for n, at in enumerate(times)
    ]
    reset = parse_time("2027-03-02 05:00")
    x_server.fail_next(
        429,
        path="/2/tweets",
        headers={"x-rate-limit-reset": str(int(reset.timestamp()))},
    )
    hours(scheduler, clock, "2027-03-02 04:30")
    x_rows = scheduler.ledger.rows(platform="x", order="due_at")
    assert [r.state for r in x_rows] == ["failed", "pending", "pending", "pending", "pending"]
    assert len(x_server.requests_to("/2/tweets", "POST")) == 1
    assert [r.state for r in scheduler.ledger.rows(platform="mastodon")] == ["sent"] * 5
    data = actions.status(scheduler.ledger, now=clock.now)
    (problem,) = data["problems"]
    assert (problem["kind"], problem["platform"]) == ("outage", "x")
    assert "2027-03-02 05:00 WIB" in problem["message"]
    hours(scheduler, clock, "2027-03-02 07:00")
    sent = scheduler.ledger.rows(platform="x", states=["sent"], order="sent_at, id")
    assert [r.key for r in sent] == [f"item:{n}" for n in range(5)]
    assert all(r.sent_at >= reset for r in sent)
    assert [p["sent_text"] for p in x_server.posts] == [f"Kabar harian {n}." for n in range(5)]


def test_a_paused_platform_waits_in_order_without_a_request_and_resumes(
    tmp_path: Path,
) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    x = Scripted(limits["x"], [])
    box = OutboxAdapter(limits["mastodon"], tmp_path / "outbox", clock)
    scheduler = engine(tmp_path, {"x": x, "mastodon": box}, clock)
    ledger = scheduler.ledger
    actions.pause(ledger, "x", clock.now, "akun sedang diperiksa")
    scheduler.items += [  # type: ignore[attr-defined]
        item(f"item:{n}", f"2027-03-01 {9 + n:02d}:00", text=f"Jeda {n}.", link="")
        for n in range(3)
    ]
    hours(scheduler, clock, "2027-03-01 20:00")  # 8 h past the catch-up window
    assert x.sent == [] and {r.state for r in ledger.rows(platform="x")} == {"pending"}
    assert {r.state for r in ledger.rows(platform="mastodon")} == {"sent"}
    data = actions.status(ledger, now=clock.now)
    (problem,) = data["problems"]
    assert problem["kind"] == "paused" and problem["fix"] == "publisher resume --platform x"
    assert data["platforms"]["x"]["state"] == "paused"
    actions.resume(ledger, "x", clock.now)
    scheduler.tick(clock.advance(minutes=1))
    assert [k for k, _, _ in x.sent] == ["item:0", "item:1", "item:2"]
    audit = [(a["from_state"], a["to_state"]) for a in ledger.audit("platform:x")]
    assert audit == [("open", "paused"), ("paused", "open")]
    assert check(ledger.path, clock.now).ok


def test_retry_all_after_an_outage_sends_the_platforms_failed_posts_in_order(
    tmp_path: Path,
) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    down = PostResult(ok=False, retryable=True, scope="platform", error="X: server error 503")
    x = Scripted(limits["x"], [down])
    scheduler = engine(tmp_path, {"x": x}, clock)
    scheduler.items += [  # type: ignore[attr-defined]
        item(f"item:{n}", DUE, text=f"Pulih {n}.", link="") for n in range(3)
    ]
    scheduler.tick(clock.set(DUE))
    assert scheduler.ledger.holds(clock.now)  # held, with backoff
    retried, unknown = actions.retry_platform(scheduler.ledger, "x", clock.now)
    assert [r.key for r in retried] == ["item:0"] and unknown == []
    assert not scheduler.ledger.holds(clock.now)
    scheduler.tick(clock.advance(minutes=1))
    assert [k for k, _, _ in x.sent] == ["item:0", "item:0", "item:1", "item:2"]
    assert (
        "retry requested for the whole platform" in scheduler.ledger.audit("item:0")[-3]["reason"]
    )


def test_a_renewed_session_does_not_count_toward_the_attempt_limit(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))["bluesky"]
    failing = PostResult(
        ok=False, retryable=True, error="Bluesky: ExpiredToken; renewed", renewed_session=True
    )
    adapter = Scripted(limits, [failing] * 4)
    scheduler = engine(
        tmp_path,
        {"bluesky": adapter},
        clock,
        backoff={"base_seconds": 1, "max_seconds": 1, "max_attempts": 2},
    )
    scheduler.items.append(item("item:a", DUE, text="Sesi.", link=""))  # type: ignore[attr-defined]
    scheduler.tick(clock.set(DUE))
    for _ in range(4):
        scheduler.tick(clock.advance(minutes=1))
    (row,) = scheduler.ledger.rows()
    assert row.state == "sent" and len(adapter.sent) == 5  # never dead for the renewals


def test_credentials_revoked_then_restored_in_env_resume_without_a_restart(
    tmp_path: Path, mastodon_server: Any
) -> None:
    clock = Clock(START)
    env = environ_for({"mastodon": mastodon_server})
    dotenv = tmp_path / ".env"
    good = "\n".join(f"{k}={v}" for k, v in env.items())
    dotenv.write_text(good.replace(mastodon_srv.TOKEN, "dicabut-revoked-token"))
    settings = make_settings(tmp_path, platforms=["mastodon"])
    secrets = runner.registry.environment(tmp_path, {})
    ledger = Ledger.open(settings.ledger, actor="test")
    items = [item(f"item:{n}", DUE, text=f"Token {n}.", link="") for n in range(2)]
    scheduler = Scheduler(
        settings,
        ledger,
        runner.adapters_for(settings, secrets, clock, runner.LOG),
        lambda: Snapshot(list(items), [], {"item", "cal"}),
        clock=clock,
    )
    hup = threading.Event()
    watch = runner.CredentialWatch(settings, scheduler, secrets, runner.Redactor(secrets), hup)
    scheduler.tick(clock.set("2027-03-01 08:00"))
    scheduler.tick(clock.set(DUE))
    assert ledger.platform_state("mastodon").state == "parked"
    data = actions.status(ledger, now=clock.now + dt.timedelta(minutes=30))
    assert "MASTODON_ACCESS_TOKEN" in data["problems"][0]["fix"]
    assert "dead" not in {r.state for r in ledger.rows()}
    assert watch() is False  # nothing changed
    hup.set()
    assert watch() is True  # SIGHUP: read again (still the revoked token)
    scheduler.tick(clock.advance(minutes=1))
    assert ledger.platform_state("mastodon").state == "parked"
    dotenv.write_text(good + "\n")  # the fixed token, written while it runs
    assert watch() is True
    scheduler.tick(clock.advance(minutes=1))
    assert ledger.platform_state("mastodon").state == "open"
    assert [r.state for r in ledger.rows()] == ["sent", "sent"]
    assert [p["text"] for p in mastodon_server.posts] == ["Token 0.", "Token 1."]
    ledger.close()


def test_a_big_first_run_leaves_no_big_wal(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    adapters = {p: OutboxAdapter(limits[p], tmp_path / "outbox", clock) for p in ("x", "mastodon")}
    settings = make_settings(tmp_path, platforms=list(adapters))
    ledger = Ledger.open(settings.ledger, actor="test")
    items = [item(f"item:{n}", "2027-02-01 09:00", text=f"Lama {n}.") for n in range(1500)]
    scheduler = Scheduler(
        settings, ledger, adapters, lambda: Snapshot(items, [], {"item", "cal"}), clock=clock
    )
    report = scheduler.tick()
    assert report.seeded == 3000
    wal = settings.ledger.with_name(settings.ledger.name + "-wal")
    assert wal.stat().st_size < 256 * 1024  # checkpointed and truncated after the write
    ledger.close()


def test_status_json_keeps_its_keys(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "l.sqlite3", actor="test")
    data = actions.status(ledger, now=parse_time(DUE))
    assert set(data) >= {
        "schema", "now", "ok", "alerts", "problems", "platforms", "counts", "last_sent",
        "attention", "looking", "stale",
    }  # fmt: skip
    assert data["schema"] == 1 and data["ok"] is True
    ledger.close()


def test_an_environment_never_shows_its_values() -> None:
    assert "secret-value" not in repr(Environment({"X": "secret-value"}))
