"""Benchmark: when does a create end whose answer is trickled one byte every 2 s?

Run: .venv/bin/python bench/bench_platform_deadline.py [--production]
Each real adapter posts to its local fake server (tests/platform_servers) with the
production timeouts (connect 10 s, read 30 s: each gap of the trickle is well inside the
read timeout, so only the overall deadline can end it). Prints, per platform, the time the
send took and how it ended; `--production` also runs X with the production deadline (60 s).
The figures are quoted in docs/platforms.md ("Deadlines"). Nothing leaves the machine.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from publisher.platforms.transport import DEADLINE, TIMEOUT  # noqa: E402
from tests.platform_servers.fixtures import SERVERS, adapter_for, part  # noqa: E402

BENCH_DEADLINE = 5.0


def measure(platform: str, deadline: float, headers: bool = False) -> tuple[float, str]:
    with SERVERS[platform]() as server:
        adapter = adapter_for(platform, server, timeout=TIMEOUT, deadline=deadline)
        adapter.verify()  # log in (Bluesky) before the clock starts
        server.trickle_next(2.0, path=server.CREATE, method="POST", headers=headers)
        start = time.monotonic()
        result = adapter.post(part(platform, "Uji tenggat.", link=""), "bench:a", None)
        took = time.monotonic() - start
        server.release()
    state = "unknown" if result.unknown else ("sent" if result.ok else "failed")
    return took, f"{state}: {result.error}"


def main() -> None:
    print(f"trickle: 1 byte every 2 s; timeouts {TIMEOUT}; deadline {BENCH_DEADLINE:g} s")
    print("| platform | part trickled | ended after | outcome |")
    print("| --- | --- | --- | --- |")
    for platform in SERVERS:
        for headers in (False, True):
            took, outcome = measure(platform, BENCH_DEADLINE, headers)
            what = "status line and headers on" if headers else "body"
            print(f"| {platform} | {what} | {took:.2f} s | {outcome[:60]} |")
    if "--production" in sys.argv:
        took, outcome = measure("x", DEADLINE)
        print(f"| x (production deadline {DEADLINE:g} s) | body | {took:.2f} s | {outcome[:60]} |")


if __name__ == "__main__":
    main()
