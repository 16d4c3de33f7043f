"""Reading engagement back: an hour, a day and a week after each send, the counts of our own
posts from every platform that offers them (publisher.platforms.metrics), stored in the
ledger with the time they were read (publisher.engine.ledger.metrics).

It runs inside each platform's share of a tick (publisher.engine.sending), after the sends,
so it obeys what holds the platform: nothing is read from a platform that is paused,
parked, held by an outage or a rate limit, or out of its time budget for the tick. Besides
that it keeps its own pace: at most MAX_REQUESTS requests in a run, then none for MIN_GAP
(X's read limits count in 15-minute windows); a failed read waits for the reset the platform
announced, or FAILURE_WAIT. Posting always comes first: a read never delays a send.
Only counts are asked for and stored, never who engaged.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from publisher.engine.ledger import Ledger
from publisher.engine.ledger.metrics import Readable, Reading
from publisher.platforms.draft import PostResult
from publisher.platforms.metrics import Counts, Metrics

READ_AFTER = (dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(days=7))
POINTS = tuple(int(p.total_seconds()) for p in READ_AFTER)
# A reading missed by more than this (the publisher was off for weeks) is not taken.
LATE_LIMIT = dt.timedelta(days=30)
MAX_REQUESTS = 2
MIN_GAP = dt.timedelta(minutes=15)
FAILURE_WAIT = dt.timedelta(minutes=30)
HOLD = "metrics_after:"  # engine fact: no read on the platform before this time


class Reader(Protocol):
    """What a platform's run (publisher.engine.sending.PlatformRun) gives the job."""

    ledger: Ledger
    stop: threading.Event
    log: logging.Logger
    moment: Callable[[], dt.datetime]
    over_budget: Callable[[], bool]
    redact: Callable[[str], str]


@dataclass(frozen=True)
class Plan:
    platform: str
    parts: list[Readable]


def offers(adapter: object) -> bool:
    return bool(getattr(adapter, "offers_metrics", False))


def resting_until(ledger: Ledger, platform: str) -> dt.datetime | None:
    raw = ledger.get_meta(HOLD + platform)
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def due(ledger: Ledger, now: dt.datetime, adapters: Mapping[str, object]) -> dict[str, Plan]:
    """What each platform has to read now: platforms that offer counts and are not resting
    after their last read, each with its parts whose next reading is due."""
    platforms = []
    for name, adapter in adapters.items():
        until = resting_until(ledger, name)
        if offers(adapter) and (until is None or until <= now):
            platforms.append(name)
    since = now - READ_AFTER[-1] - LATE_LIMIT
    found: dict[str, list[Readable]] = defaultdict(list)
    for part in ledger.readable(now, POINTS, since, platforms):
        found[part.platform].append(part)
    return {name: Plan(name, parts) for name, parts in found.items()}


def read(run: Reader, adapter: object, plan: Plan) -> int:
    """Read what `plan` lists, within the pace; returns how many readings were stored."""
    platform = plan.platform
    metrics = getattr(adapter, "metrics", None)
    if metrics is None or platform in run.ledger.holds(run.moment()):
        return 0  # a send of this very run was held: the platform is to be left alone
    batch = max(int(getattr(getattr(adapter, "spec", None), "metrics_batch", 1)), 1)
    stored = requests = 0
    at = run.moment()
    for start in range(0, len(plan.parts), batch):
        if requests >= MAX_REQUESTS or run.stop.is_set() or run.over_budget():
            break
        chunk = plan.parts[start : start + batch]
        try:
            answer = metrics(list(dict.fromkeys(p.remote_id for p in chunk)))
        except Exception as exc:  # a bug in a read must not stop the platform's run
            failure = PostResult(ok=False, retryable=True, error=f"{type(exc).__name__}: {exc}")
            answer = Metrics(failure=failure)
        requests += 1
        at = run.moment()
        if answer.failure is not None:
            _rest(run, platform, answer.failure, at)
            return stored
        stored += run.ledger.add_readings(_readings(chunk, answer, at))
    if requests:
        run.ledger.set_meta(HOLD + platform, (at + MIN_GAP).isoformat())
        run.log.info("%s: engagement read for %d post part(s)", platform, stored)
    return stored


def _readings(chunk: list[Readable], answer: Metrics, at: dt.datetime) -> list[Reading]:
    out = []
    for part in chunk:
        counts = answer.counts.get(part.remote_id)
        out.append(
            Reading(part.post_id, part.key, part.platform, part.part, part.remote_id, part.point,
                    at, gone=counts is None, counts=counts or Counts())
        )  # fmt: skip
    return out


def _rest(run: Reader, platform: str, failure: PostResult, at: dt.datetime) -> None:
    """A failed read: no other read on the platform until its reset, or FAILURE_WAIT."""
    until = at + FAILURE_WAIT
    if failure.retry_at is not None:
        until = max(failure.retry_at, at + MIN_GAP)
    run.ledger.set_meta(HOLD + platform, until.isoformat())
    run.log.warning(
        "%s: engagement not read (%s); next try after %s",
        platform,
        run.redact(failure.error or "no reason given"),
        until.isoformat(timespec="minutes"),
    )
