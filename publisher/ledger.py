"""The ledger: SQLite, the single source of truth for what was posted where.

One row per (key, platform, part). States:
  pending -> claimed (lease, attempts) -> sent | failed (next attempt) | dead | unknown
  plus seeded (live before the first run) and stale (too late, or withdrawn from the source).
Every transition runs in its own `BEGIN IMMEDIATE` transaction, checks the state it expects
(`UPDATE ... WHERE state IN (...)` and a rowcount check) and writes an audit row, so a second
process can never claim or finish a row it does not own. WAL mode lets `status` read while a
tick writes. A claim is committed before any network call, the result right after it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from publisher.instance_lock import InstanceLock
from publisher.ledger_schema import (
    CLAIMED,
    DEAD,
    FAILED,
    PENDING,
    SEEDED,
    SENT,
    STALE,
    STATES,
    UNKNOWN,
    GroupInfo,
    LedgerError,
    NewPart,
    Row,
    from_ts,
    migrate,
    ts,
)

__all__ = [
    "CLAIMED",
    "DEAD",
    "FAILED",
    "PENDING",
    "SEEDED",
    "SENT",
    "STALE",
    "STATES",
    "UNKNOWN",
    "GroupInfo",
    "InstanceLock",
    "Ledger",
    "LedgerError",
    "NewPart",
    "Row",
    "from_ts",
    "ts",
]


class Ledger:
    def __init__(self, conn: sqlite3.Connection, path: Path, actor: str) -> None:
        self.conn = conn
        self.path = path
        self.actor = actor
        self._depth = 0

    @classmethod
    def open(cls, path: Path, actor: str | None = None) -> Ledger:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=10.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")  # a committed claim survives a power cut
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{path}: the ledger cannot be opened ({exc})") from None
        return cls(conn, path, actor or f"pid:{os.getpid()}")

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE takes the write lock up front; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise LedgerError(f"{self.path}: the ledger is busy or unwritable ({exc})") from None
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    # --- engine facts -----------------------------------------------------------------
    def get_meta(self, name: str) -> str | None:
        row = self.conn.execute("SELECT value FROM engine WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO engine (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def golive_state(self, uid: str, at: dt.datetime) -> str | None:
        """None (never seen), "waiting" (seen before its time) or "done"."""
        sql = "SELECT done_at FROM golive WHERE uid = ? AND at = ?"
        row = self.conn.execute(sql, (uid, ts(at))).fetchone()
        return None if row is None else ("done" if row[0] else "waiting")

    def note_golive(self, uid: str, at: dt.datetime, now: dt.datetime, done: bool) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO golive (uid, at, seen_at, done_at) VALUES (?, ?, ?, ?)",
                (uid, ts(at), ts(now), ts(now) if done else None),
            )

    def finish_golive(self, uid: str, at: dt.datetime, now: dt.datetime) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE golive SET done_at = ? WHERE uid = ? AND at = ?", (ts(now), uid, ts(at))
            )

    # --- reading ----------------------------------------------------------------------
    def rows(
        self,
        key: str | None = None,
        platform: str | None = None,
        states: Iterable[str] | None = None,
        order: str = "due_at, key, platform, part",
    ) -> list[Row]:
        where, args = [], []
        if key is not None:
            where.append("key = ?")
            args.append(key)
        if platform is not None:
            where.append("platform = ?")
            args.append(platform)
        if states is not None:
            states = list(states)
            where.append(f"state IN ({','.join('?' * len(states))})")
            args.extend(states)
        sql = "SELECT * FROM posts" + (" WHERE " + " AND ".join(where) if where else "")
        return [Row.from_sql(r) for r in self.conn.execute(f"{sql} ORDER BY {order}", args)]

    def row(self, row_id: int) -> Row:
        return Row.from_sql(
            self.conn.execute("SELECT * FROM posts WHERE id = ?", (row_id,)).fetchone()
        )

    def groups(self) -> dict[tuple[str, str], GroupInfo]:
        """Every (key, platform) with its parts' states: one query, for the sync."""
        parts: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        sql = "SELECT key, platform, state, cause, source_hash FROM posts ORDER BY part"
        for key, platform, state, cause, source_hash in self.conn.execute(sql):
            parts.setdefault((key, platform), []).append((state, cause, source_hash))
        return {
            group: GroupInfo(tuple(p[0] for p in rows), tuple(p[1] for p in rows), rows[0][2])
            for group, rows in parts.items()
        }

    def due(self, now: dt.datetime, platforms: Iterable[str]) -> list[Row]:
        """Rows that may be sent now, oldest first; later thread parts follow their first."""
        platforms = list(platforms)
        marks = ",".join("?" * len(platforms))
        sql = (
            f"SELECT * FROM posts WHERE platform IN ({marks}) AND ("
            "(state = 'pending' AND due_at <= ?) OR (state = 'failed' AND next_attempt_at <= ?)"
            ") ORDER BY due_at, key, platform, part"
        )
        now_text = ts(now)
        return [Row.from_sql(r) for r in self.conn.execute(sql, [*platforms, now_text, now_text])]

    def counts(self) -> dict[str, int]:
        found = dict(
            self.conn.execute("SELECT state, COUNT(*) FROM posts GROUP BY state").fetchall()
        )
        return {state: found.get(state, 0) for state in STATES}

    def audit(self, key: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT at, key, platform, part, from_state, to_state, reason, actor FROM audit"
        args: list[str] = []
        if key is not None:
            sql += " WHERE key = ?"
            args.append(key)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY id", args)]

    # --- writing ----------------------------------------------------------------------
    def _audit(
        self,
        now: dt.datetime,
        key: str,
        platform: str,
        part: int,
        from_state: str | None,
        to_state: str,
        reason: str,
    ) -> None:
        self.conn.execute(
            "INSERT INTO audit (at, key, platform, part, from_state, to_state, reason, actor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (ts(now), key, platform, part, from_state, to_state, reason, self.actor),
        )

    def put_group(
        self,
        key: str,
        platform: str,
        due: dt.datetime,
        parts: list[NewPart],
        source_hash: str,
        now: dt.datetime,
        state: str = PENDING,
        reason: str = "",
        cause: str = "",
    ) -> None:
        """Insert a new group, or recompose an untouched one (the caller checked `untouched`)."""
        with self.transaction():
            old = {r.part: r for r in self.rows(key=key, platform=platform)}
            for number, part in enumerate(parts, 1):
                values = (
                    len(parts),
                    ts(due),
                    state,
                    reason,
                    cause,
                    part.text,
                    json.dumps(part.media, ensure_ascii=False),
                    part.link,
                    part.language,
                    source_hash,
                    ts(now),
                )
                if number in old:
                    self.conn.execute(
                        "UPDATE posts SET parts = ?, due_at = ?, state = ?, reason = ?, cause = ?, "
                        "text = ?, media = ?, link = ?, language = ?, source_hash = ?, "
                        "updated_at = ? WHERE id = ?",
                        (*values, old[number].id),
                    )
                    why = reason or "recomposed: the source changed"
                    self._audit(now, key, platform, number, old[number].state, state, why)
                else:
                    self.conn.execute(
                        "INSERT INTO posts (key, platform, part, parts, due_at, state, reason, "
                        "cause, text, media, link, language, source_hash, updated_at, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (key, platform, number, *values, ts(now)),
                    )
                    self._audit(now, key, platform, number, None, state, reason or "planned")
            for number in sorted(set(old) - set(range(1, len(parts) + 1))):
                self.conn.execute("DELETE FROM posts WHERE id = ?", (old[number].id,))
                self._audit(
                    now,
                    key,
                    platform,
                    number,
                    old[number].state,
                    STALE,
                    "removed: the recomposed thread has fewer parts",
                )

    def move(
        self,
        row_id: int,
        to_state: str,
        now: dt.datetime,
        reason: str,
        expect: Iterable[str],
        **fields: Any,
    ) -> bool:
        """Move one row to `to_state` if it is still in one of `expect`; audit it. Atomic."""
        expect = list(expect)
        with self.transaction():
            current = self.conn.execute(
                "SELECT key, platform, part, state FROM posts WHERE id = ?", (row_id,)
            ).fetchone()
            if current is None or current["state"] not in expect:
                return False
            sets = ["state = ?", "reason = ?", "updated_at = ?"]
            args: list[Any] = [to_state, reason, ts(now)]
            for name, value in fields.items():
                sets.append(f"{name} = ?")
                args.append(ts(value) if isinstance(value, dt.datetime) else value)
            cursor = self.conn.execute(
                f"UPDATE posts SET {', '.join(sets)} WHERE id = ? AND state = ?",
                [*args, row_id, current["state"]],
            )
            if cursor.rowcount != 1:
                return False
            self._audit(
                now,
                current["key"],
                current["platform"],
                current["part"],
                current["state"],
                to_state,
                reason,
            )
            if to_state in (DEAD, STALE):
                self._cascade(current, to_state, now)
        return True

    def _cascade(self, head: sqlite3.Row, to_state: str, now: dt.datetime) -> None:
        """Later parts of a thread cannot go out once an earlier part never will."""
        later = self.conn.execute(
            "SELECT id, part, state FROM posts WHERE key = ? AND platform = ? AND part > ? "
            "AND state = 'pending'",
            (head["key"], head["platform"], head["part"]),
        ).fetchall()
        for r in later:
            why = f"part {head['part']} is {to_state}"
            self.conn.execute(
                "UPDATE posts SET state = ?, reason = ?, updated_at = ? WHERE id = ?",
                (to_state, why, ts(now), r["id"]),
            )
            self._audit(now, head["key"], head["platform"], r["part"], r["state"], to_state, why)

    def claim(self, row: Row, now: dt.datetime, lease_seconds: int) -> Row | None:
        """Atomically claim a due row (its previous part must be sent). None if anyone else has it."""
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE posts SET state = 'claimed', attempts = attempts + 1, lease_until = ?, "
                "claimed_by = ?, updated_at = ? WHERE id = ? AND ("
                "(state = 'pending' AND due_at <= ?) OR (state = 'failed' AND next_attempt_at <= ?)"
                ") AND (part = 1 OR EXISTS (SELECT 1 FROM posts prev WHERE prev.key = posts.key "
                "AND prev.platform = posts.platform AND prev.part = posts.part - 1 "
                "AND prev.state = 'sent'))",
                (
                    ts(now + dt.timedelta(seconds=lease_seconds)),
                    self.actor,
                    ts(now),
                    row.id,
                    ts(now),
                    ts(now),
                ),
            )
            if cursor.rowcount != 1:
                return None
            self._audit(
                now,
                row.key,
                row.platform,
                row.part,
                row.state,
                CLAIMED,
                f"attempt {row.attempts + 1}",
            )
        return self.row(row.id)

    def finish(self, row: Row, to_state: str, now: dt.datetime, reason: str, **fields: Any) -> bool:
        """Record the result of a claimed row; only its claimer may (claimed_by check)."""
        with self.transaction():
            owner = self.conn.execute(
                "SELECT claimed_by FROM posts WHERE id = ? AND state = 'claimed'", (row.id,)
            ).fetchone()
            if owner is None or owner[0] != self.actor:
                return False
            return self.move(row.id, to_state, now, reason, [CLAIMED], lease_until=None, **fields)

    def expired_claims(self, now: dt.datetime) -> list[Row]:
        sql = "SELECT * FROM posts WHERE state = 'claimed' AND lease_until <= ? ORDER BY id"
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(now),))]

    def overdue_unstarted(self, cutoff: dt.datetime) -> list[Row]:
        """Pending rows due before `cutoff` whose group never had a part attempted."""
        sql = (
            "SELECT * FROM posts p WHERE p.state = 'pending' AND p.due_at < ? AND NOT EXISTS ("
            "SELECT 1 FROM posts o WHERE o.key = p.key AND o.platform = p.platform "
            "AND o.state IN ('claimed', 'sent', 'failed', 'unknown')) ORDER BY due_at, key, part"
        )
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(cutoff),))]

    def last_sent(self, limit: int = 10) -> list[Row]:
        sql = "SELECT * FROM posts WHERE state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT ?"
        return [Row.from_sql(r) for r in self.conn.execute(sql, (limit,))]
