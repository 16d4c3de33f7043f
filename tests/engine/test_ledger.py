"""The ledger: migrations, transitions with audit, atomic claims, the single-instance lock."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from publisher.core.settings import Backoff
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import (
    CLAIMED,
    DEAD,
    FAILED,
    PENDING,
    SENT,
    Ledger,
    LedgerError,
    NewPart,
)
from publisher.engine.ledger.schema import MIGRATIONS
from publisher.engine.scheduler import backoff_delay
from publisher.ops.instance_lock import InstanceLock
from tests.support import ROOT

NOW = parse_time("2027-03-01 10:00")


def put(ledger: Ledger, key: str = "item:a", parts: int = 1, platform: str = "x") -> None:
    ledger.put_group(
        key, platform, NOW, [NewPart(f"part {n}") for n in range(1, parts + 1)], "hash", NOW
    )


def test_migrations_are_recorded_once_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    Ledger.open(path).close()
    conn = sqlite3.connect(path)
    versions = conn.execute("SELECT version FROM migrations").fetchall()
    assert versions == [(v,) for v, _, _ in MIGRATIONS]
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_ledger_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="cannot be opened"):
        Ledger.open(path)


def test_claim_send_and_audit_trail(ledger: Ledger) -> None:
    put(ledger)
    (row,) = ledger.due(NOW, ["x"])
    claimed = ledger.claim(row, NOW, 300)
    assert claimed is not None and claimed.state == CLAIMED and claimed.attempts == 1
    assert claimed.lease_until == NOW + dt.timedelta(seconds=300)
    assert ledger.finish(claimed, SENT, NOW, "sent", remote_id="r1", url="https://x/1", sent_at=NOW)
    final = ledger.row(row.id)
    assert (final.state, final.remote_id, final.url, final.sent_at) == (
        SENT,
        "r1",
        "https://x/1",
        NOW,
    )
    assert final.lease_until is None
    trail = [(a["from_state"], a["to_state"], a["reason"]) for a in ledger.audit("item:a")]
    assert trail == [
        (None, PENDING, "planned"),
        (PENDING, CLAIMED, "attempt 1"),
        (CLAIMED, SENT, "sent"),
    ]
    assert ledger.due(NOW, ["x"]) == []


def test_a_row_is_claimed_once_even_by_two_connections(tmp_path: Path) -> None:
    one = Ledger.open(tmp_path / "l.sqlite3", actor="one")
    two = Ledger.open(tmp_path / "l.sqlite3", actor="two")
    put(one)
    row = one.due(NOW, ["x"])[0]
    assert one.claim(row, NOW, 300) is not None
    assert two.claim(row, NOW, 300) is None
    # Only the claimer may record the result.
    assert not two.finish(row, SENT, NOW, "sent")
    assert one.finish(row, SENT, NOW, "sent")


def _claim_in_process(path: str, barrier_at: float) -> bool:
    ledger = Ledger.open(Path(path), actor=f"proc-{multiprocessing.current_process().pid}")
    row = ledger.rows()[0]
    time.sleep(max(0.0, barrier_at - time.time()))  # start together
    return ledger.claim(row, NOW, 300) is not None


def test_two_processes_cannot_claim_the_same_row(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    for n in range(8):
        put(Ledger.open(path, actor="setup"), key=f"item:{n}")
    context = multiprocessing.get_context("spawn")
    start = time.time() + 1.5
    with context.Pool(4) as pool:
        results = pool.starmap(_claim_in_process, [(str(path), start)] * 4)
    assert sorted(results) == [False, False, False, True]
    ledger = Ledger.open(path)
    assert [r.state for r in ledger.rows()].count(CLAIMED) == 1
    assert len([a for a in ledger.audit() if a["to_state"] == CLAIMED]) == 1


def test_thread_part_waits_for_the_previous_part(ledger: Ledger) -> None:
    put(ledger, parts=3)
    rows = ledger.due(NOW, ["x"])
    assert [r.part for r in rows] == [1, 2, 3]
    assert ledger.claim(rows[1], NOW, 300) is None  # part 1 not sent yet
    first = ledger.claim(rows[0], NOW, 300)
    ledger.finish(first, SENT, NOW, "sent", remote_id="1")
    assert ledger.claim(rows[1], NOW, 300) is not None


def test_dead_part_takes_the_later_parts_with_it(ledger: Ledger) -> None:
    put(ledger, parts=3)
    first = ledger.claim(ledger.due(NOW, ["x"])[0], NOW, 300)
    ledger.finish(first, DEAD, NOW, "400 bad request", cause="platform")
    assert [(r.part, r.state, r.reason) for r in ledger.rows()] == [
        (1, DEAD, "400 bad request"),
        (2, DEAD, "part 1 is dead"),
        (3, DEAD, "part 1 is dead"),
    ]


def test_failed_rows_come_back_at_their_next_attempt(ledger: Ledger) -> None:
    put(ledger)
    row = ledger.claim(ledger.due(NOW, ["x"])[0], NOW, 300)
    later = NOW + dt.timedelta(minutes=5)
    ledger.finish(row, FAILED, NOW, "503", next_attempt_at=later)
    assert ledger.due(NOW + dt.timedelta(minutes=4), ["x"]) == []
    assert [r.id for r in ledger.due(later, ["x"])] == [row.id]


def test_expired_claims_are_found(ledger: Ledger) -> None:
    put(ledger)
    ledger.claim(ledger.due(NOW, ["x"])[0], NOW, 60)
    assert ledger.expired_claims(NOW + dt.timedelta(seconds=59)) == []
    assert len(ledger.expired_claims(NOW + dt.timedelta(seconds=60))) == 1


def test_backoff_grows_with_jitter_and_stops_at_the_ceiling() -> None:
    backoff = Backoff(base_seconds=60, max_seconds=3600, max_attempts=8)
    rng = random.Random(1)
    delays = [backoff_delay(n, backoff, rng) for n in range(1, 10)]
    for attempt, delay in enumerate(delays, 1):
        ceiling = min(3600, 60 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert delays[-1] <= 3600


LOCK_HOLDER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from publisher.ops.instance_lock import InstanceLock
InstanceLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_single_instance_lock_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path), str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LedgerError, match=rf"another publisher process \(pid {holder.pid}\)"):
            InstanceLock(path).acquire()
    finally:
        holder.kill()  # SIGKILL: the kernel releases the lock, no stale lock file remains
        holder.wait()
    with InstanceLock(path):
        pass
