"""Time of events, not time of the tick (issue 16 §1-3), on a fake clock that moves while a
platform sends: claims, results, leases and lookups are dated when they happen; an unclear
send is looked for from the end of that send, through the platform's window, and never sent
twice; the run loop's first tick is part of its rhythm; one platform that never answers does
not hold up the others."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from publisher.core.timeutil import parse_time
from publisher.engine.ledger import Ledger, from_ts
from publisher.engine.report import TickReport
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.ops import runner
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.engine_fakes import Hanging, Stepping
from tests.engine_support import Clock, item, make_settings

START = "2027-03-01 08:00"
DUE = "2027-03-01 09:00"


class Engine:
    def __init__(self, tmp: Path, adapters: dict[str, Any], clock: Clock, **settings: Any):
        self.clock = clock
        self.settings = make_settings(tmp, platforms=list(adapters), **settings)
        self.ledger = Ledger.open(self.settings.ledger, actor="test")
        self.items: list[Any] = []
        self.scheduler = Scheduler(
            self.settings,
            self.ledger,
            adapters,
            lambda: Snapshot(list(self.items), [], {"item", "cal"}),
            clock=clock,
            rng=random.Random(1),
        )
        self.scheduler.tick()  # the first run, on an empty site


def posts(n: int) -> list[Any]:
    return [item(f"item:{k}", DUE, text=f"Pesan ke-{k}.", link="") for k in range(n)]


def test_every_event_is_dated_when_it_happens_not_when_the_tick_began(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    slow = Stepping(limits["x"], clock, seconds=400)  # each send takes 400 s
    engine = Engine(tmp_path, {"x": slow}, clock, lease_seconds=300, platform_budget_seconds=3600)
    engine.items = posts(3)
    engine.scheduler.tick(clock.set(DUE))
    rows = engine.ledger.rows(order="key")
    tick = parse_time(DUE)
    # Claims at 0, 400 and 800 s into the tick; each sent when its send ended.
    assert [r.claimed_at for r in rows] == [tick + dt.timedelta(seconds=400 * n) for n in range(3)]
    assert [r.sent_at for r in rows] == [
        tick + dt.timedelta(seconds=400 * (n + 1)) for n in range(3)
    ]
    audit = [a for a in engine.ledger.audit("item:2") if a["to_state"] == "claimed"]
    assert audit[0]["at"] == "2027-03-01T02:13:20Z"  # 800 s after 09:00 WIB, not 09:00
    assert engine.ledger.get_meta("last_tick_at") == tick.isoformat()  # `now`: what was due


def test_a_lease_runs_from_its_claim_so_a_long_tick_never_makes_expired_claims(
    tmp_path: Path,
) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    seen: list[tuple[dt.datetime | None, dt.datetime]] = []

    class Watching(Stepping):
        def _send(self, part: Any, key: str, reply_to: Any, preview: bool) -> Any:
            if not preview:  # the lease as the ledger holds it while the request is out
                with closing(sqlite3.connect(engine.settings.ledger)) as conn:
                    sql = "SELECT lease_until FROM posts WHERE state = 'claimed'"
                    (lease,) = conn.execute(sql).fetchone()
                seen.append((from_ts(lease), clock.now))
            return super()._send(part, key, reply_to, preview)

    engine = Engine(
        tmp_path,
        {"x": Watching(limits["x"], clock, seconds=400)},
        clock,
        platform_budget_seconds=3600,
    )
    engine.items = posts(3)
    engine.scheduler.tick(clock.set(DUE))
    assert len(seen) == 3
    assert all(lease is not None and lease > at for lease, at in seen)


@pytest.mark.parametrize("reconcile_seconds", [60, 1])
def test_slow_sends_with_lost_answers_are_found_late_never_sent_twice(
    tmp_path: Path, reconcile_seconds: int
) -> None:
    """Three sends of 100 s each whose answers are lost; each post shows to the lookup 45 s
    after it was made. Counted from the tick's start, the lookups came before the posts
    showed and the engine sent them again; counted from each send's end, they find them.
    With the crash tests' reconcile_seconds: 1 too (the platform's visible_within rules)."""
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    slow = Stepping(limits["x"], clock, seconds=100, index_delay=45, lose_answer=True)
    engine = Engine(
        tmp_path,
        {"x": slow},
        clock,
        reconcile_seconds=reconcile_seconds,
        platform_budget_seconds=3600,
    )
    engine.items = posts(3)
    engine.scheduler.tick(clock.set(DUE))
    assert [r.state for r in engine.ledger.rows()] == ["unknown"] * 3
    ends = [r.lookup_from for r in engine.ledger.rows(order="key")]
    assert ends == [parse_time(DUE) + dt.timedelta(seconds=100 * (n + 1)) for n in range(3)]
    for _ in range(30):  # a tick a minute for half an hour
        engine.scheduler.tick(clock.advance(minutes=1))
    assert [r.state for r in engine.ledger.rows()] == ["sent"] * 3
    assert len(slow.posts) == 3  # never sent twice
    assert {r.remote_id for r in engine.ledger.rows()} == {p[0] for p in slow.posts}
    # No look before the post could show: each first look is after its end + 30 s.
    first_look = min(slow.lookups)
    assert first_look >= parse_time(DUE) + dt.timedelta(seconds=100 + 30)


def test_a_post_the_platform_never_shows_is_left_for_a_person_after_the_window(
    tmp_path: Path,
) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))
    # Shows only after an hour: longer than X's lookup window.
    hidden = Stepping(limits["x"], clock, seconds=5, index_delay=3600, lose_answer=True)
    engine = Engine(tmp_path, {"x": hidden}, clock)
    engine.items = posts(1)
    engine.scheduler.tick(clock.set(DUE))
    window = hidden.spec.lookup_window
    while clock.now < parse_time(DUE) + window + dt.timedelta(minutes=5):
        engine.scheduler.tick(clock.advance(minutes=1))
    (row,) = engine.ledger.rows()
    assert (row.state, row.next_attempt_at) == ("unknown", None)
    assert "publisher resolve item:0 --platform x" in row.reason
    assert len(hidden.posts) == 1 and row.lookups >= 3
    gaps = [b - a for a, b in zip(hidden.lookups, hidden.lookups[1:], strict=False)]
    assert gaps[:-1] == sorted(gaps[:-1])  # the looks thin out (backoff) to the window's end


def test_run_ticks_at_once_and_then_on_its_rhythm_from_the_first_tick(tmp_path: Path) -> None:
    clock = Clock(START)
    settings = make_settings(tmp_path, platforms=["x"])
    ledger = Ledger.open(settings.ledger, actor="test")
    limits = platform_limits(settings)
    scheduler = Scheduler(
        settings,
        ledger,
        {"x": OutboxAdapter(limits["x"], settings.outbox, clock)},
        lambda: Snapshot([], [], {"item", "cal"}),
        clock=clock,
    )
    started: list[dt.datetime] = []
    lengths = iter([50, 130, 10, 10])  # seconds each tick takes
    stop = threading.Event()
    tick = scheduler.tick

    def timed_tick(now: dt.datetime | None = None) -> TickReport:
        started.append(clock.now)
        report = tick(now)
        clock.advance(seconds=next(lengths))
        if len(started) == 4:
            stop.set()
        return report

    scheduler.tick = timed_tick  # type: ignore[method-assign]

    def pause(seconds: float) -> bool:
        clock.advance(seconds=seconds)
        return stop.is_set()

    runner.run_forever(scheduler, 60, stop, pause=pause)
    offsets = [(t - started[0]).total_seconds() for t in started]
    # 0: at once; 60: the first tick (50 s) was in the rhythm; the second overran to 190 s,
    # so the next slot (240) follows, not a burst of the missed ones; then 300.
    assert offsets == [0, 60, 240, 300]
    ledger.close()


def test_one_platform_that_never_answers_does_not_hold_up_the_others(tmp_path: Path) -> None:
    clock = Clock(START)
    settings = make_settings(tmp_path, platform_budget_seconds=1)
    limits = platform_limits(settings)
    hanging = Hanging(limits["facebook"])
    adapters: dict[str, Any] = {
        p: OutboxAdapter(limits[p], settings.outbox, clock) for p in ("x", "mastodon", "bluesky")
    }
    adapters |= {"telegram": OutboxAdapter(limits["telegram"], settings.outbox, clock)}
    adapters["facebook"] = hanging
    engine = Engine(tmp_path, adapters, clock, platform_budget_seconds=1)
    engine.items = posts(2)
    try:
        report = engine.scheduler.tick(clock.set(DUE))
        assert hanging.started.is_set()
        sent = {(r.platform, r.key) for r in report.sent}
        others = ("x", "mastodon", "bluesky", "telegram")
        assert sent == {(p, f"item:{k}") for p in others for k in range(2)}  # in this tick
        assert report.busy == ["facebook"]
        assert all(r.sent_at == parse_time(DUE) for r in report.sent)  # on the frozen clock
        # The next tick: the other platforms go on; facebook gets no second run meanwhile.
        engine.items += [item("item:9", "2027-03-01 09:01", text="Lagi.", link="")]
        report = engine.scheduler.tick(clock.set("2027-03-01 09:01"))
        assert {r.platform for r in report.sent} == set(others)
        assert report.busy == ["facebook"] and hanging.calls == 1
    finally:
        hanging.release.set()
        engine.scheduler.wait(5)
    engine.scheduler.tick(clock.set("2027-03-01 09:02"))
    fb = engine.ledger.rows(platform="facebook", order="key")
    assert fb[0].state == "unknown"  # its answer never came: a person or a lookup decides
    assert hanging.calls == 3  # the next posts went after the hung one ended, not before


def test_a_failure_inside_one_platform_run_is_reported_not_raised(tmp_path: Path) -> None:
    clock = Clock(START)
    limits = platform_limits(make_settings(tmp_path))

    class Broken(OutboxAdapter):
        def lookup(self, part: Any, taken: Any = ()) -> Any:
            raise RuntimeError("boom")

    engine = Engine(
        tmp_path,
        {
            "x": Broken(limits["x"], tmp_path / "outbox", clock),
            "mastodon": OutboxAdapter(limits["mastodon"], tmp_path / "outbox", clock),
        },
        clock,
    )
    engine.items = posts(1)
    report = engine.scheduler.tick(clock.set(DUE))
    assert len(report.sent) == 2
