"""A fault hook for the crash tests: kill this process at a named point of the send path.

    PUBLISHER_FAULT="after-claim:3"         SIGKILL at the 3rd claim of this process
    PUBLISHER_FAULT="after-post:2:thread"   at the 2nd accepted post that is part of a thread

Points, in the order a row passes them (publisher/scheduler.py):
    before-claim   the row is due; nothing about it is written yet
    after-claim    the claim is committed; no request has gone out
    after-stage    the first step of a two-step create is done and recorded (a Meta
                   container exists, its id is in the ledger); the second step has not begun
    after-post     the platform answered (accepted or not); the ledger has not recorded it
    after-record   the result is committed (between two parts of a thread, with `:thread`)

The count is per process and starts at 1; `:thread` counts only rows of a thread. Several
faults may be given, separated by commas; the first one reached kills. SIGKILL, not an
exception: nothing runs after it (no finally, no atexit), exactly as in a power cut or an
OOM kill. Unset (always, in production), `ARMED` is False and the scheduler's checks cost one
global lookup. tests/crash_support.py drives it; docs/reliability.md has the figures.

A second hook for the same harness, PUBLISHER_TIME_WARP="<epoch seconds>:<speed>", makes
`publisher run` live on a clock that runs `speed` times faster than the wall clock from that
epoch on (its ticks, leases, lookups and backoff all follow it; its sleeps are shortened to
match). The fake platform servers of the harness read the same warped clock, so a test can
run hours of default settings (60 s ticks, minutes of lookups) in seconds, killing the real
process at random. Never set in production.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

ENV = "PUBLISHER_FAULT"
WARP_ENV = "PUBLISHER_TIME_WARP"
POINTS = ("before-claim", "after-claim", "after-stage", "after-post", "after-record")


@dataclass(frozen=True)
class Fault:
    point: str
    nth: int
    thread_only: bool = False

    def __str__(self) -> str:
        return f"{self.point}:{self.nth}" + (":thread" if self.thread_only else "")


def parse(spec: str) -> list[Fault]:
    """`point:N[:thread]`, comma-separated. A typo must not silently test nothing: it raises."""
    faults = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        point, _, rest = item.partition(":")
        nth, _, scope = rest.partition(":")
        if point not in POINTS or not nth.isdigit() or int(nth) < 1 or scope not in ("", "thread"):
            raise ValueError(
                f"{ENV}: '{item}' is not point:N[:thread] with a point of {', '.join(POINTS)}"
            )
        faults.append(Fault(point, int(nth), scope == "thread"))
    return faults


class FaultPlan:
    """The faults of this process and how often each point was passed (per process, by
    design: a restarted process counts from 1 again)."""

    def __init__(self, faults: list[Fault]) -> None:
        self.faults = faults
        self.seen: Counter[tuple[str, bool]] = Counter()
        self.lock = threading.Lock()  # each platform sends from its own thread

    def hit(self, point: str, in_thread: bool) -> None:
        with self.lock:
            self.seen[(point, False)] += 1
            if in_thread:
                self.seen[(point, True)] += 1
            seen = dict(self.seen)
        for fault in self.faults:
            if fault.point == point and seen.get((point, fault.thread_only)) == fault.nth:
                if fault.thread_only and not in_thread:
                    continue
                os.kill(os.getpid(), signal.SIGKILL)


PLAN = FaultPlan(parse(os.environ.get(ENV, "")))
ARMED = bool(PLAN.faults)


def hit(point: str, in_thread: bool) -> None:
    """Count passing `point`; SIGKILL this process when a fault asks for this occurrence."""
    PLAN.hit(point, in_thread)


@dataclass(frozen=True)
class Warp:
    """A clock running `speed` times faster than the wall clock from `epoch` (seconds)."""

    epoch: float
    speed: float

    def seconds(self) -> float:
        real = time.time()
        return self.epoch + (real - self.epoch) * self.speed

    def __call__(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.seconds(), dt.UTC)

    def real(self, seconds: float) -> float:
        """How long `seconds` of warped time take on the wall clock."""
        return seconds / self.speed

    def encode(self) -> str:
        return f"{self.epoch}:{self.speed}"


def warp(spec: str | None = None) -> Warp | None:
    """The warp asked for by PUBLISHER_TIME_WARP (or `spec`), or None."""
    text = os.environ.get(WARP_ENV, "") if spec is None else spec
    if not text:
        return None
    epoch, _, speed = text.partition(":")
    try:
        found = Warp(float(epoch), float(speed))
    except ValueError:
        raise ValueError(f"{WARP_ENV}: '{text}' is not <epoch seconds>:<speed>") from None
    if found.speed <= 0:
        raise ValueError(f"{WARP_ENV}: the speed must be above 0, not {found.speed}")
    return found


def sleeper(stop_wait: Callable[[float], bool], found: Warp | None) -> Callable[[float], bool]:
    """`stop.wait` for a number of seconds on the (possibly warped) clock."""
    if found is None:
        return stop_wait
    return lambda seconds: stop_wait(found.real(seconds))
