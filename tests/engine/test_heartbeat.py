"""The heartbeat: written after every completed tick, read by `publisher status`."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from publisher.core.timeutil import parse_time
from publisher.engine import heartbeat
from publisher.engine.ledger import Ledger
from publisher.engine.report import TickReport
from publisher.ops import runner as engine
from tests.engine_support import make_settings

NOON = parse_time("2027-03-01 12:00")


class FakeScheduler:
    """What tick_once and safe_tick use of a scheduler: tick(), ledger, log, redact."""

    def __init__(self, ledger: Ledger, report: TickReport | Exception) -> None:
        self.ledger = ledger
        self.report = report
        self.log = logging.getLogger("publisher.test-heartbeat")
        self.redact = lambda text: text.replace("tok-SECRET", "[secret]")

    def tick(self) -> TickReport:
        if isinstance(self.report, Exception):
            raise self.report
        return self.report


def test_a_completed_tick_records_the_wall_clock_and_its_summary(ledger: Ledger) -> None:
    report = TickReport(parse_time("2027-03-05 19:00"), problems=["feed: site down"])
    engine.tick_once(FakeScheduler(ledger, report), wall_clock=lambda: NOON)
    beat = heartbeat.last(ledger)
    assert beat == heartbeat.Beat(NOON, parse_time("2027-03-05 19:00"), 0, 0, ("feed: site down",))


def test_a_failed_or_stopped_tick_leaves_the_old_beat(ledger: Ledger, caplog) -> None:
    engine.tick_once(FakeScheduler(ledger, TickReport(NOON)), wall_clock=lambda: NOON)
    stopped = TickReport(NOON, stopped=True)
    later = NOON + dt.timedelta(minutes=5)
    engine.tick_once(FakeScheduler(ledger, stopped), wall_clock=lambda: later)
    with caplog.at_level(logging.ERROR, logger="publisher"):
        engine.safe_tick(FakeScheduler(ledger, RuntimeError("ledger busy tok-SECRET")))
    assert heartbeat.last(ledger).at == NOON
    assert "tick failed: RuntimeError: ledger busy [secret]" in caplog.text


def test_health_in_words_and_as_data(ledger: Ledger) -> None:
    limit = dt.timedelta(minutes=10)
    health = heartbeat.check(ledger, limit, NOON)
    assert not health.fresh and health.describe() == "Last successful tick: none recorded"
    assert health.alert().startswith("no successful tick recorded yet")
    assert heartbeat.check(ledger, dt.timedelta(0), NOON).alert() is None  # check off

    heartbeat.record(ledger, TickReport(NOON), at=NOON)
    fresh = heartbeat.check(ledger, limit, NOON + dt.timedelta(minutes=3))
    assert fresh.fresh and fresh.alert() is None
    assert fresh.describe() == (
        "Last successful tick: 2027-03-01 12:00 WIB, 3 min ago (limit 10 min)"
    )
    old = heartbeat.check(ledger, limit, NOON + dt.timedelta(hours=2, minutes=5))
    assert old.alert().startswith("no successful tick for 2 h 5 min (limit 10 min)")
    assert old.as_dict() == {
        "last_tick": "2027-03-01T05:00:00Z",
        "last_tick_wib": "2027-03-01 12:00 WIB",
        "age_seconds": 7500,
        "max_age_seconds": 600,
        "fresh": False,
        "tick_time": "2027-03-01T05:00:00Z",
        "sent": 0,
        "problems": [],
    }
    # A clock stepped back is not an alarm.
    assert heartbeat.check(ledger, limit, NOON - dt.timedelta(minutes=1)).fresh


def test_an_unreadable_beat_counts_as_none(ledger: Ledger) -> None:
    ledger.set_meta(heartbeat.META_NAME, "not json")
    assert heartbeat.last(ledger) is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("600", 600), ("90s", 90), ("10m", 600), ("10 min", 600), ("2h", 7200), ("1d", 86400)],
)
def test_parse_age(text: str, seconds: int) -> None:
    assert heartbeat.parse_age(text) == dt.timedelta(seconds=seconds)


def test_parse_age_refuses_what_it_cannot_read() -> None:
    with pytest.raises(ValueError, match="'soon' is not an age"):
        heartbeat.parse_age("soon")


def test_the_default_limit_is_three_ticks_and_at_least_ten_minutes(tmp_path: Path) -> None:
    assert heartbeat.default_max_age(make_settings(tmp_path)) == dt.timedelta(minutes=10)
    slow = make_settings(tmp_path, tick_seconds=900)
    assert heartbeat.default_max_age(slow) == dt.timedelta(minutes=45)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(45, "45 s"), (720, "12 min"), (7500, "2 h 5 min"), (7200, "2 h"), (273600, "3 d 4 h")],
)
def test_human_durations(seconds: int, words: str) -> None:
    assert heartbeat.human(dt.timedelta(seconds=seconds)) == words
