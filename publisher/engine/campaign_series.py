"""The report's series by day (WIB): the posts sent on each platform each day, and the
engagement they had gathered by the end of each day (the latest reading of each part taken
by then). A platform whose API gives no counts has no engagement series at all (None), and
a day before its first reading has None, never 0."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from publisher.core.timeutil import WIB, to_wib
from publisher.engine.ledger.metrics import Reading
from publisher.platforms import catalog
from publisher.platforms.metrics import INTERACTIONS

MAX_DAYS = 92  # a chart of a quarter at most: a longer period shows its last 92 days


@dataclass(frozen=True)
class Series:
    days: list[dt.date] = field(default_factory=list)
    posts: dict[str, list[int]] = field(default_factory=dict)  # platform -> sent each day
    # platform -> interactions gathered by each day's end; None: not offered / not read yet
    interactions: dict[str, list[int | None] | None] = field(default_factory=dict)


def _day_end(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), WIB).astimezone(dt.UTC)


def series_of(
    posts: Sequence[Any],
    readings: Iterable[Reading],
    platforms: Sequence[str],
    period: Any,
    now: dt.datetime,
) -> Series:
    readings = list(readings)
    sent = [p for p in posts if p.state == "sent" and p.sent_at is not None]
    moments = [p.sent_at for p in sent] + [r.read_at for r in readings]
    if not moments:
        return Series()
    first = to_wib(period.start or min(moments)).date()
    last = to_wib(min(period.end or max(moments), max(now, max(moments)))).date()
    if (last - first).days + 1 > MAX_DAYS:
        first = last - dt.timedelta(days=MAX_DAYS - 1)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    index = {day: n for n, day in enumerate(days)}
    counts: dict[str, list[int]] = {name: [0] * len(days) for name in platforms}
    for post in sent:
        n = index.get(to_wib(post.sent_at).date())
        if n is not None and post.platform in counts:
            counts[post.platform][n] += 1
    gathered: dict[str, list[int | None] | None] = {}
    for name in platforms:
        spec = catalog.SPECS.get(name)
        if spec is None or not spec.metrics:
            gathered[name] = None
            continue
        mine = [r for r in readings if r.platform == name and not r.gone]
        gathered[name] = [_gathered(mine, _day_end(day), spec.metrics) for day in days]
    return Series(days, counts, gathered)


def _gathered(readings: list[Reading], end: dt.datetime, offered: Sequence[str]) -> int | None:
    latest: dict[int, Reading] = {}
    for reading in readings:  # in the order they were read
        if reading.read_at < end:
            latest[reading.post_id] = reading
    if not latest:
        return None
    total = 0
    for reading in latest.values():
        values = reading.counts.as_dict()
        total += sum(values[n] or 0 for n in INTERACTIONS if n in offered)
    return total
