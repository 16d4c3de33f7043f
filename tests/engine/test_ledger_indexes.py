"""What a tick reads goes through an index (issue 21): nothing scans the archive of posts.

The queries are the ledger's own, caught as SQLite runs them, and asked for their plans.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from publisher.core.timeutil import parse_time
from publisher.engine import metrics_job
from publisher.engine.ledger import PENDING, SENT, Ledger, NewPart
from publisher.engine.ledger.schema import MIGRATIONS

NOW = parse_time("2027-03-01 10:00")


def _old_ledger(path: Path) -> None:
    """A ledger as the publisher left it before migration 5, with one sent post."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL)"
    )
    for version, name, sql in MIGRATIONS[:4]:
        for statement in sql.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO migrations VALUES (?, ?, '2026-01-01')", (version, name))
    conn.execute(
        "INSERT INTO posts (key, platform, part, parts, due_at, state, remote_id, sent_at, "
        "created_at, updated_at) VALUES ('item:lama', 'x', 1, 1, '2026-01-01T00:00:00Z', "
        "'sent', 'r1', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
        "'2026-01-01T00:00:00Z')"
    )
    conn.close()


def _indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()


def test_the_archive_indexes_are_added_to_an_existing_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    _old_ledger(path)
    assert "posts_state_sent" not in _indexes(path)
    ledger = Ledger.open(path, actor="test")
    try:
        (row,) = ledger.rows()
        assert (row.key, row.state, row.remote_id) == ("item:lama", SENT, "r1")
    finally:
        ledger.close()
    assert {"posts_state_sent", "posts_state_cause"} <= _indexes(path)
    conn = sqlite3.connect(path)
    versions = [v for (v,) in conn.execute("SELECT version FROM migrations ORDER BY version")]
    conn.close()
    assert versions == [v for v, _, _ in MIGRATIONS]


def test_no_query_of_a_tick_scans_the_posts(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path / "ledger.sqlite3", actor="test")
    try:
        ledger.put_group("item:a", "x", NOW, [NewPart("teks")], "h", NOW)
        statements: list[str] = []
        ledger.conn.set_trace_callback(statements.append)
        later = NOW + dt.timedelta(hours=1)
        ledger.untouched_groups()
        ledger.due(later, ["x", "mastodon"])
        ledger.holds(later)
        ledger.orphaned_claims(later, "test", True, NOW)
        ledger.lookups_due(later)
        ledger.overdue_unstarted(NOW - dt.timedelta(days=1), later)
        metrics_job.due(ledger, later, {"x": type("Reads", (), {"offers_metrics": True})()})
        ledger.rows(key="item:a", platform="x", states=[PENDING])
        ledger.rows_between(NOW, later, ["pending", "failed", "sent"])
        ledger.groups_of(["item:a"], ["pending", "sent"])
        ledger.known_keys(["item:a"])
        ledger.conn.set_trace_callback(None)
        reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert len(reads) >= 11
        for sql in reads:
            plan = [r[3] for r in ledger.conn.execute("EXPLAIN QUERY PLAN " + sql)]
            scans = [step for step in plan if step.startswith("SCAN") and "posts" in step]
            assert not scans, (sql, plan)
            # The (platform, state) index would visit every post ever sent on a platform.
            if "sent_at" in sql and "state = 'sent'" in sql:
                assert any("posts_state_sent" in step for step in plan), (sql, plan)
            if "NOT EXISTS" in sql:
                assert not any("posts_platform_state" in step for step in plan), (sql, plan)
    finally:
        ledger.close()
