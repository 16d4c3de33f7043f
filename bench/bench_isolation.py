"""Benchmark: how long one platform that never answers delays the posts of the other four.

Run: .venv/bin/python bench/bench_isolation.py
Writes the figures into docs/benchmarks.md, section "Publisher: one platform that hangs".

The real adapters post to the local platform servers (tests/platform_servers/) on
127.0.0.1, with default settings: two posts due on each of the five platforms. Measured
twice, with every platform answering, then with Facebook's create never answering (the
server holds the request; the adapter's own read timeout ends it). For each of the other four
platforms: the time from the tick's start until their posts came back; the
difference between the two runs is the delay the hanging platform causes them.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_tick import write_section  # noqa: E402
from publisher.engine.ledger import Ledger  # noqa: E402
from publisher.engine.scheduler import Scheduler  # noqa: E402
from publisher.engine.sources import Snapshot  # noqa: E402
from publisher.platforms.registry import real_adapter  # noqa: E402
from tests.engine_support import item, make_settings  # noqa: E402
from tests.platform_servers.bluesky import BlueskyServer  # noqa: E402
from tests.platform_servers.facebook import FacebookServer  # noqa: E402
from tests.platform_servers.fixtures import environ_for  # noqa: E402
from tests.platform_servers.mastodon import MastodonServer  # noqa: E402
from tests.platform_servers.telegram import TelegramServer  # noqa: E402
from tests.platform_servers.x import XServer  # noqa: E402

OTHERS = ("x", "mastodon", "bluesky", "telegram")
RUNS = 3
HOLD = 3600.0  # seconds the hanging server keeps a create: longer than any timeout


class Timed:
    """An adapter that notes when each of its posts came back (wall clock)."""

    def __init__(self, adapter: Any, done: dict[str, list[float]]) -> None:
        self._adapter = adapter
        self._done = done

    def __getattr__(self, name: str) -> Any:
        return getattr(self._adapter, name)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        result = self._adapter.post(*args, **kwargs)
        self._done.setdefault(self._adapter.name, []).append(time.perf_counter())
        return result


def one_tick(hang: bool) -> tuple[dict[str, float], float]:
    """(seconds from the tick's start until each platform's last post came back, the
    tick's own duration)."""
    servers = {
        "x": XServer(),
        "mastodon": MastodonServer(),
        "bluesky": BlueskyServer(),
        "facebook": FacebookServer(),
        "telegram": TelegramServer(),
    }
    for server in servers.values():
        server.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-isolation-") as temp:
            tmp = Path(temp)
            settings = make_settings(tmp)  # the defaults: 30 s budget per platform and tick
            env = environ_for(servers)
            done: dict[str, list[float]] = {}
            adapters = {p: Timed(real_adapter(p, settings, env), done) for p in servers}
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            items = [
                item(f"item:{n}", now.isoformat(), text=f"Uji isolasi nomor {n}.", link="")
                for n in range(2)
            ]
            ledger = Ledger.open(settings.ledger, actor="bench")
            scheduler = Scheduler(
                settings,
                ledger,
                adapters,  # type: ignore[arg-type]
                lambda: Snapshot(items, [], {"item", "cal"}),
                rng=random.Random(0),
            )
            ledger.set_meta("first_run_at", (now - dt.timedelta(days=1)).isoformat())
            if hang:
                servers["facebook"].slow_next(HOLD, path="/feed", method="POST", times=10)
            started = time.perf_counter()
            scheduler.tick(now)
            took = time.perf_counter() - started
            scheduler.wait(120)
            ledger.close()
            return {p: max(done.get(p, [started])) - started for p in OTHERS}, took
    finally:
        for server in servers.values():
            server.stop()


def main() -> None:
    one_tick(False)  # warm up: imports, first connections
    healthy, hanging = [], []
    for _ in range(RUNS):  # interleaved, so that the machine's load falls on both alike
        healthy.append(one_tick(False))
        hanging.append(one_tick(True))

    def median(runs: list[tuple[dict[str, float], float]], name: str) -> float:
        return statistics.median(r[0][name] for r in runs)

    rows = [
        f"| {name} | {median(healthy, name) * 1000:.0f} ms | {median(hanging, name) * 1000:.0f} ms "
        f"| {(median(hanging, name) - median(healthy, name)) * 1000:+.0f} ms |"
        for name in OTHERS
    ]
    worst = max(median(hanging, n) - median(healthy, n) for n in OTHERS)
    lines = [
        "## Publisher: one platform that hangs",
        "",
        f"`.venv/bin/python bench/bench_isolation.py` on {platform.machine()}, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}. The real adapters post to "
        "the local platform servers, default settings, two posts due on each of five "
        "platforms; then the same with Facebook's create never answering. Time from the "
        f"tick's start until each platform's last post came back (median of {RUNS} ticks, "
        "interleaved, after a warm-up tick):",
        "",
        "| platform | all answer | Facebook hangs | delay caused |",
        "| --- | --- | --- | --- |",
        *rows,
        "",
        f"The largest delay the hanging platform caused another: {worst * 1000:+.0f} ms. The "
        f"tick itself returned after {statistics.median(h[1] for h in hanging):.1f} s (the "
        "platform's time budget, 30 s by default) with Facebook still waiting in its own "
        f"thread, against {statistics.median(h[1] for h in healthy):.1f} s when all answer.",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    write_section(ROOT / "docs" / "benchmarks.md", section, "## Publisher: one platform that hangs")


if __name__ == "__main__":
    main()
