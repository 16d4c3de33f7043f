"""The heartbeat: when the last tick finished, so a monitor can tell a stopped publisher.

A `dead` or `unknown` row shows in `publisher status`, but a publisher that stopped ticking
(crashed unit, full disk, a hung deploy) shows nothing: its ledger just stops changing. So
every tick that completes writes its wall-clock time into the ledger's `engine` table (there
since the first schema version: no migration), and `publisher status` compares it with the
clock and a threshold. The wall clock, not the tick's own `--now`, because the question is
whether a process is alive now.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib, utc_now
from publisher.engine.ledger import Ledger
from publisher.engine.report import TickReport

META_NAME = "last_tick"
# A tick every minute is normal; a few missed ones (a long go-live rebuild) are not an alarm.
MIN_MAX_AGE = dt.timedelta(minutes=10)
TICKS_OF_SLACK = 3
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Beat:
    at: dt.datetime  # wall clock (UTC) when the tick finished
    tick_time: dt.datetime  # the time the tick acted as (differs under `tick --now`)
    sent: int
    attention: int  # rows failed, dead or unknown after the tick
    problems: tuple[str, ...]  # sources that could not be read (already redacted)


def record(ledger: Ledger, report: TickReport, at: dt.datetime | None = None) -> Beat:
    beat = Beat(
        at=(at or utc_now()).astimezone(dt.UTC),
        tick_time=report.now.astimezone(dt.UTC),
        sent=len(report.sent),
        attention=len(report.failed),
        problems=tuple(report.problems),
    )
    value = {
        "at": beat.at.isoformat(),
        "tick_time": beat.tick_time.isoformat(),
        "sent": beat.sent,
        "attention": beat.attention,
        "problems": list(beat.problems),
    }
    ledger.set_meta(META_NAME, json.dumps(value, ensure_ascii=False))
    return beat


def last(ledger: Ledger) -> Beat | None:
    """The last recorded beat; None when there is none (or it cannot be read)."""
    raw = ledger.get_meta(META_NAME)
    if not raw:
        return None
    try:
        value = json.loads(raw)
        return Beat(
            at=dt.datetime.fromisoformat(value["at"]),
            tick_time=dt.datetime.fromisoformat(value["tick_time"]),
            sent=int(value.get("sent", 0)),
            attention=int(value.get("attention", 0)),
            problems=tuple(str(p) for p in value.get("problems", [])),
        )
    except (ValueError, KeyError, TypeError):
        return None


def default_max_age(settings: PublisherSettings) -> dt.timedelta:
    """Three tick intervals, and never less than ten minutes."""
    return max(MIN_MAX_AGE, dt.timedelta(seconds=TICKS_OF_SLACK * settings.tick_seconds))


def parse_age(text: str) -> dt.timedelta:
    """`600`, `90s`, `10m`, `2h`, `1d` -> a duration; `0` turns the heartbeat check off."""
    match = _AGE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not an age: use seconds or a number with s, m, h or d")
    number, unit = float(match.group(1)), (match.group(2) or "").lower()
    return dt.timedelta(seconds=number * _UNIT_SECONDS[unit])


def human(delta: dt.timedelta) -> str:
    """`45 s`, `12 min`, `2 h 5 min`, `3 d 4 h`: how long, for a person."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min"
    return f"{secs} s"


@dataclass(frozen=True)
class Health:
    beat: Beat | None
    now: dt.datetime
    max_age: dt.timedelta  # zero: not checked

    @property
    def checked(self) -> bool:
        return self.max_age > dt.timedelta(0)

    @property
    def age(self) -> dt.timedelta | None:
        if self.beat is None:
            return None
        return max(self.now - self.beat.at, dt.timedelta(0))  # a clock step back is not stale

    @property
    def fresh(self) -> bool:
        if not self.checked:
            return True
        return self.age is not None and self.age <= self.max_age

    def alert(self) -> str | None:
        """Why the heartbeat is a problem, in words; None when it is not."""
        if self.fresh:
            return None
        if self.beat is None:
            return (
                "no successful tick recorded yet: is the publisher running? "
                "(systemctl status publisher or publisher-tick.timer)"
            )
        return (
            f"no successful tick for {human(self.age or dt.timedelta(0))} "
            f"(limit {human(self.max_age)}): is the publisher running? "
            "(systemctl status publisher; journalctl -u publisher)"
        )

    def describe(self) -> str:
        """One line for `publisher status`."""
        if self.beat is None:
            return "Last successful tick: none recorded"
        limit = f"limit {human(self.max_age)}" if self.checked else "not checked"
        return (
            f"Last successful tick: {format_wib(self.beat.at)}, "
            f"{human(self.age or dt.timedelta(0))} ago ({limit})"
        )

    def as_dict(self) -> dict[str, Any]:
        beat = self.beat
        age = self.age
        return {
            "last_tick": beat.at.strftime("%Y-%m-%dT%H:%M:%SZ") if beat else None,
            "last_tick_wib": format_wib(beat.at) if beat else None,
            "age_seconds": int(age.total_seconds()) if age is not None else None,
            "max_age_seconds": int(self.max_age.total_seconds()) if self.checked else None,
            "fresh": self.fresh,
            "tick_time": beat.tick_time.strftime("%Y-%m-%dT%H:%M:%SZ") if beat else None,
            "sent": beat.sent if beat else None,
            "problems": list(beat.problems) if beat else [],
        }


def check(ledger: Ledger | None, max_age: dt.timedelta, now: dt.datetime | None = None) -> Health:
    return Health(last(ledger) if ledger is not None else None, now or utc_now(), max_age)
