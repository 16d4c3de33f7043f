"""The sync at archive scale: a steady tick visits no item, yet every change is still seen.

The scheduler below counts its own `platforms_for` calls (the sync asks it once per item it
visits): a real subclass, the sync itself runs unchanged.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.engine.ledger import PENDING, SENT, STALE, Ledger
from publisher.engine.planned import Planned
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.engine_support import Clock, item, make_settings


class Counting(Scheduler):
    """The real scheduler, counting the items the sync visits."""

    visits: list[str]
    fail_on: str = ""  # a key whose visit raises once (a sync that stops half-way)

    def platforms_for(self, planned: Planned) -> list[str]:
        self.visits.append(planned.key)
        if planned.key == self.fail_on:
            self.fail_on = ""
            raise RuntimeError("stopped half-way")
        return super().platforms_for(planned)


class Source:
    """A feed whose items stay the same objects until the test changes them (as SiteMemo
    gives them back while the site's feed is unchanged)."""

    def __init__(self, items: list[Planned]) -> None:
        self.items = items

    def __call__(self) -> Snapshot:
        return Snapshot(list(self.items), [], {"item", "cal"})


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict]:
    clock = Clock("2027-03-01 08:00")
    settings = make_settings(tmp_path, platforms=["x", "mastodon"], per_tick_cap=5)
    ledger = Ledger.open(settings.ledger, actor="test")
    limits = platform_limits(settings)
    adapters = {p: OutboxAdapter(limits[p], settings.outbox, clock) for p in settings.platforms}
    # Many items due later (nothing is sent) and one already out (frozen for good).
    source = Source([item(f"item:k{n}", "2027-03-02 10:00") for n in range(30)])
    scheduler = Counting(settings, ledger, adapters, source, clock=clock, rng=random.Random(0))
    scheduler.visits = []
    scheduler.tick()  # the first run: every item visited
    clock.advance(minutes=1)
    scheduler.tick()  # no longer the first run: one more full visit
    assert len(scheduler.visits) == 60
    yield {"clock": clock, "ledger": ledger, "source": source, "scheduler": scheduler}
    ledger.close()


def tick(env: dict) -> list[str]:
    """One tick a minute later; the keys of the items the sync visited."""
    scheduler = env["scheduler"]
    env["clock"].advance(minutes=1)
    scheduler.visits.clear()
    scheduler.tick()
    return list(scheduler.visits)


def test_the_first_run_visits_every_item_and_a_steady_tick_none(env: dict) -> None:
    ledger = env["ledger"]
    assert tick(env) == []
    assert tick(env) == []
    assert len(ledger.rows(states=[PENDING])) == 60  # 30 items x 2 platforms, all still there


def test_a_changed_item_after_skipped_ticks_is_visited_alone_and_recomposed(env: dict) -> None:
    ledger, source = env["ledger"], env["source"]
    assert tick(env) == []
    source.items[7] = dataclasses.replace(source.items[7], text="Teks baru untuk k7.")
    assert tick(env) == ["item:k7"]
    texts = {r.platform: r.text for r in ledger.rows(key="item:k7")}
    assert all(t.startswith("Teks baru untuk k7.") for t in texts.values()), texts
    assert tick(env) == []  # settled again


def test_a_new_item_is_planned_and_a_dropped_one_withdrawn(env: dict) -> None:
    ledger, source = env["ledger"], env["source"]
    assert tick(env) == []
    dropped = source.items.pop(3)
    source.items.append(item("item:baru", "2027-03-02 11:00"))
    assert tick(env) == ["item:baru"]
    assert {r.platform for r in ledger.rows(key="item:baru", states=[PENDING])} == {
        "x",
        "mastodon",
    }
    withdrawn = ledger.rows(key=dropped.key)
    assert [(r.state, r.cause) for r in withdrawn] == [(STALE, "withdrawn")] * 2
    assert tick(env) == []


def test_new_adapters_after_a_reload_make_a_full_visit_with_their_limits(env: dict) -> None:
    ledger, scheduler = env["ledger"], env["scheduler"]
    assert tick(env) == []
    long_text = "Kata " * 100  # 500 characters: too long for X at 120
    env["source"].items[0] = dataclasses.replace(env["source"].items[0], text=long_text)
    assert tick(env) == ["item:k0"]
    before = {r.platform: r.text for r in ledger.rows(key="item:k0")}
    # What a SIGHUP does (publisher/ops/runner.py): new adapter objects, here with a
    # smaller limit for X, the same items.
    adapters = dict(scheduler.adapters)
    limits = dataclasses.replace(adapters["x"].limits, max_text=120)
    adapters["x"] = OutboxAdapter(limits, scheduler.settings.outbox, env["clock"])
    scheduler.adapters = adapters
    assert len(tick(env)) == 30  # every item visited once
    after = {r.platform: r.text for r in ledger.rows(key="item:k0", platform="x")}
    assert len(after["x"]) < len(before["x"])  # shortened to the new limit
    assert tick(env) == []


def test_a_group_changed_by_another_process_is_visited(env: dict) -> None:
    """A person's command (another connection) makes a planned group untouched again in
    another way: the next tick looks at that item, as a full sync would."""
    ledger = env["ledger"]
    assert tick(env) == []
    other = Ledger.open(ledger.path, actor="person")
    try:
        row = other.rows(key="item:k5", platform="x")[0]
        assert other.move(row.id, STALE, env["clock"](), "withdrawn by hand", [PENDING],
                          cause="withdrawn")  # fmt: skip
    finally:
        other.close()
    assert tick(env) == ["item:k5"]
    assert [r.state for r in ledger.rows(key="item:k5", platform="x")] == [PENDING]


def test_a_sent_post_is_never_planned_again_by_a_targeted_visit(env: dict) -> None:
    """Sending freezes a group; an edit of its item afterwards must not touch it."""
    ledger, source = env["ledger"], env["source"]
    source.items[2] = dataclasses.replace(source.items[2], due=env["clock"]())
    assert tick(env) == ["item:k2"]
    assert tick(env) == []
    assert {r.state for r in ledger.rows(key="item:k2")} == {SENT}
    source.items[2] = dataclasses.replace(source.items[2], text="Diubah setelah terkirim.")
    assert tick(env) == ["item:k2"]
    rows = ledger.rows(key="item:k2")
    assert {r.state for r in rows} == {SENT}
    assert not any("Diubah" in r.text for r in rows)


def test_a_feed_parsed_again_visits_only_what_changed_in_it(env: dict) -> None:
    """A changed feed is parsed again whole: every item a new object, most of them equal."""
    source = env["source"]
    assert tick(env) == []
    # Equal items as new objects; their place in the feed moved (a new entry above them).
    source.items = [
        dataclasses.replace(i, origin=f"syndication.json item {n + 1}")
        for n, i in enumerate(source.items)
    ]
    source.items[11] = dataclasses.replace(source.items[11], text="Teks k11 yang diubah.")
    assert tick(env) == ["item:k11"]
    assert tick(env) == []


def test_a_sync_that_failed_half_way_is_followed_by_a_full_visit(env: dict) -> None:
    ledger, source, scheduler = env["ledger"], env["source"], env["scheduler"]
    assert tick(env) == []
    source.items[4] = dataclasses.replace(source.items[4], text="Teks k4 yang diubah.")
    scheduler.fail_on = "item:k4"
    with pytest.raises(RuntimeError):
        tick(env)
    assert len(tick(env)) == 30  # nothing of the failed run is trusted
    assert all(r.text.startswith("Teks k4 yang diubah.") for r in ledger.rows(key="item:k4"))
    assert tick(env) == []
