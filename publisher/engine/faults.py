"""A fault hook for the crash tests: kill this process at a named point of the send path.

    PUBLISHER_FAULT="after-claim:3"         SIGKILL at the 3rd claim of this process
    PUBLISHER_FAULT="after-post:2:thread"   at the 2nd accepted post that is part of a thread

Points, in the order a row passes them (publisher/scheduler.py):
    before-claim   the row is due; nothing about it is written yet
    after-claim    the claim is committed; no request has gone out
    after-post     the platform answered (accepted or not); the ledger has not recorded it
    after-record   the result is committed (between two parts of a thread, with `:thread`)

The count is per process and starts at 1; `:thread` counts only rows of a thread. Several
faults may be given, separated by commas; the first one reached kills. SIGKILL, not an
exception: nothing runs after it (no finally, no atexit), exactly as in a power cut or an
OOM kill. Unset (always, in production), `ARMED` is False and the scheduler's checks cost one
global lookup. tests/crash_support.py drives it; docs/reliability.md has the figures.
"""

from __future__ import annotations

import os
import signal
from collections import Counter
from dataclasses import dataclass

ENV = "PUBLISHER_FAULT"
POINTS = ("before-claim", "after-claim", "after-post", "after-record")


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

    def hit(self, point: str, in_thread: bool) -> None:
        self.seen[(point, False)] += 1
        if in_thread:
            self.seen[(point, True)] += 1
        for fault in self.faults:
            if fault.point == point and self.seen[(point, fault.thread_only)] == fault.nth:
                if fault.thread_only and not in_thread:
                    continue
                os.kill(os.getpid(), signal.SIGKILL)


PLAN = FaultPlan(parse(os.environ.get(ENV, "")))
ARMED = bool(PLAN.faults)


def hit(point: str, in_thread: bool) -> None:
    """Count passing `point`; SIGKILL this process when a fault asks for this occurrence."""
    PLAN.hit(point, in_thread)
