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

import contextlib
import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from publisher.engine.ledger import schema
from publisher.engine.ledger.meta import EngineFacts
from publisher.engine.ledger.metrics import MetricsRecords
from publisher.engine.ledger.platforms import PlatformStates
from publisher.engine.ledger.queries import WAITING_SQL, Queries
from publisher.engine.ledger.schema import (
    CLAIMED,
    DEAD,
    FAILED,
    OPEN,
    PARKED,
    PAUSED,
    PENDING,
    SEEDED,
    SENT,
    STALE,
    STATES,
    UNKNOWN,
    GroupInfo,
    LedgerError,
    NewPart,
    PlatformState,
    Row,
    from_ts,
    from_ts_required,
    migrate,
    ts,
)

__all__ = [
    "CLAIMED",
    "DEAD",
    "FAILED",
    "OPEN",
    "PARKED",
    "PAUSED",
    "PENDING",
    "SEEDED",
    "SENT",
    "STALE",
    "STATES",
    "UNKNOWN",
    "GroupInfo",
    "Ledger",
    "LedgerError",
    "NewPart",
    "PlatformState",
    "Row",
    "from_ts",
    "ts",
]


from publisher.engine.ledger.files import BUSY_TIMEOUT as BUSY_TIMEOUT
from publisher.engine.ledger.files import LARGE_WRITE as LARGE_WRITE
from publisher.engine.ledger.files import connect, private_file


class Ledger(EngineFacts, PlatformStates, MetricsRecords, Queries):
    """Writes are here, each one transaction; the reads are in publisher.ledger_queries."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        actor: str,
        write_lock: threading.Lock | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        self.actor = actor
        self._depth = 0
        # Shared by a ledger and its siblings: this process's threads take turns for the
        # write lock here, at once, instead of in SQLite's busy handler, which sleeps
        # (1, 2, 5, 10... ms) between tries. Other processes still meet busy_timeout.
        self._write_lock = write_lock or threading.Lock()

    @classmethod
    def open(cls, path: Path, actor: str | None = None) -> Ledger:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            private_file(path)
            conn = connect(path)
            # A damaged file must stop us before we act on half-readable rows (a lost `sent`
            # would repost); quick_check reads every page, about 10 ms per 10,000 rows.
            damage = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
            if damage != ["ok"]:
                conn.close()
                found = [ln.strip() for d in damage for ln in d.splitlines() if "***" not in ln]
                raise sqlite3.DatabaseError("the file is damaged: " + "; ".join(found))
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            advice = (
                "another program holds its write lock: stop it, or wait and try again"
                if "locked" in str(exc) or "busy" in str(exc)
                else "if the file is damaged, restore the last `publisher ledger backup`"
            )
            raise LedgerError(
                f"{path}: the ledger cannot be opened ({exc}); nothing was posted; {advice}"
            ) from None
        except OSError as exc:
            raise LedgerError(
                f"{path}: the ledger cannot be opened ({exc.strerror}); nothing was posted; "
                "check the folder's permissions and free space"
            ) from None
        # The pid alone repeats across restarts (pid 1 in a container): the random part
        # keeps a new process from taking a dead one's claims for its own.
        return cls(conn, path, actor or f"pid:{os.getpid()}:{os.urandom(3).hex()}")

    def sibling(self) -> Ledger:
        """Another connection to the same ledger with the same actor, for another thread.

        sqlite3 connections belong to the thread that made them; a platform's worker makes
        its own, so its claims and results are committed by itself, at once. The file was
        checked and migrated when this one was opened.
        """
        try:
            conn = connect(self.path)
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path}: the ledger cannot be opened ({exc})") from None
        return type(self)(conn, self.path, self.actor, self._write_lock)

    def checkpoint(self) -> None:
        """Move the WAL into the database and truncate it (after a large write)."""
        # Busy (a reader holds it): SQLite's automatic checkpoints catch up later.
        with contextlib.suppress(sqlite3.OperationalError):
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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
        with self._write_lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise LedgerError(
                    f"{self.path}: the ledger is busy or unwritable ({exc})"
                ) from None
            self._depth = 1
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:  # SQLite may have rolled back already (disk full)
                    self.conn.execute("ROLLBACK")
                if type(exc) in (sqlite3.OperationalError, sqlite3.DatabaseError):
                    # A full disk, an I/O error, a damaged page: the step was rolled back
                    # whole, so the ledger is as it was before it. The caller stops; it must
                    # not go on.
                    raise LedgerError(
                        f"{self.path}: the ledger cannot be written ({exc}); this step was "
                        "not saved. Free disk space or check the file with `publisher ledger "
                        "check`"
                    ) from None
                raise
            finally:
                self._depth = 0

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

    def claim(
        self, row: Row, now: dt.datetime, lease_seconds: int, at: dt.datetime | None = None
    ) -> Row | None:
        """Atomically claim a due row (its previous part must be sent). None if anyone else has it.

        `now` is the tick's time, which decides what is due; `at` is the clock's reading at
        the claim (default `now`), from which its lease runs and the send is dated.
        """
        at = at or now
        with self.transaction():
            cursor = self.conn.execute(
                "UPDATE posts SET state = 'claimed', attempts = attempts + 1, lease_until = ?, "
                "claimed_by = ?, claimed_at = ?, updated_at = ? WHERE id = ? AND ("
                "(state = 'pending' AND due_at <= ?) OR (state = 'failed' AND (next_attempt_at <= ? "
                f"OR cause IN {WAITING_SQL}))) AND (part = 1 OR EXISTS (SELECT 1 FROM posts prev "
                "WHERE prev.key = posts.key AND prev.platform = posts.platform "
                "AND prev.part = posts.part - 1 AND prev.state = 'sent'))",
                (
                    ts(at + dt.timedelta(seconds=lease_seconds)),
                    self.actor,
                    ts(at),
                    ts(at),
                    row.id,
                    ts(now),
                    ts(now),
                ),
            )
            if cursor.rowcount != 1:
                return None
            self._audit(
                at,
                row.key,
                row.platform,
                row.part,
                row.state,
                CLAIMED,
                f"attempt {row.attempts + 1}",
            )
        stamp = from_ts_required(at.astimezone(dt.UTC).strftime(schema.TIME_FORMAT))  # as stored
        return replace(
            row,
            state=CLAIMED,
            attempts=row.attempts + 1,
            lease_until=from_ts(ts(at + dt.timedelta(seconds=lease_seconds))),
            claimed_by=self.actor,
            claimed_at=stamp,
            updated_at=stamp,
        )

    def finish(self, row: Row, to_state: str, now: dt.datetime, reason: str, **fields: Any) -> bool:
        """Record the result of a claimed row; only its claimer may (claimed_by check).

        One UPDATE that checks state and owner, and the audit row: the result of every send
        is a commit on the hot path, so it carries no extra reads.
        """
        sets = ["state = ?", "reason = ?", "updated_at = ?", "lease_until = NULL"]
        args: list[Any] = [to_state, reason, ts(now)]
        for name, value in fields.items():
            sets.append(f"{name} = ?")
            args.append(ts(value) if isinstance(value, dt.datetime) else value)
        with self.transaction():
            cursor = self.conn.execute(
                f"UPDATE posts SET {', '.join(sets)} WHERE id = ? AND state = 'claimed' "
                "AND claimed_by = ?",
                [*args, row.id, self.actor],
            )
            if cursor.rowcount != 1:
                return False
            self._audit(now, row.key, row.platform, row.part, CLAIMED, to_state, reason)
            if to_state in (DEAD, STALE):
                head = {"key": row.key, "platform": row.platform, "part": row.part}
                self._cascade(head, to_state, now)  # type: ignore[arg-type]
        return True
