"""The ledger's reads: what is due, what needs reconciling, what a person should see.

A mixin of publisher.ledger.Ledger (which has the connection and the writes). Nothing here
writes; every query is one SELECT, so `status` can run while a tick writes (WAL).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from publisher.engine.ledger.schema import STATES, GroupInfo, Row, from_ts, ts

# A failed row whose platform was down (5xx, unreachable, rate limit): the platform waits as
# a whole, and when it opens again its posts go in their planned order (see `due`).
OUTAGE = "outage"
# A failed row whose platform refused our credentials: the platform is parked until a
# credential check passes, then its posts go in their planned order, like after an outage.
CREDENTIALS = "credentials"
WAITING = (OUTAGE, CREDENTIALS)  # causes of rows that wait for their platform, not a time
WAITING_SQL = "('outage', 'credentials')"


class Queries:
    conn: sqlite3.Connection

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

    def untouched_groups(self) -> dict[tuple[str, str], GroupInfo]:
        """The groups the sync may still recompose or withdraw (every part untouched), with
        their parts' states: read through the state index, so a ledger of many sent posts
        costs nothing here."""
        sql = (
            "SELECT key, platform, state, cause, source_hash FROM posts WHERE (key, platform) "
            "IN (SELECT key, platform FROM posts WHERE state = 'pending' OR (state IN "
            "('dead', 'stale') AND cause IN ('compose', 'withdrawn', 'past'))) "
            "ORDER BY key, platform, part"
        )
        parts: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for key, platform, state, cause, source_hash in self.conn.execute(sql):
            parts.setdefault((key, platform), []).append((state, cause, source_hash))
        found = {
            group: GroupInfo(tuple(p[0] for p in rows), tuple(p[1] for p in rows), rows[0][2])
            for group, rows in parts.items()
        }
        return {group: info for group, info in found.items() if info.untouched}

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of `keys` the ledger has a row of: one indexed look-up each (the unique
        index on key, platform, part), however many rows the ledger holds."""
        wanted, found = list(dict.fromkeys(keys)), set()
        for start in range(0, len(wanted), 500):  # SQLite's limit on ? marks is 32,766
            chunk = wanted[start : start + 500]
            sql = f"SELECT DISTINCT key FROM posts WHERE key IN ({','.join('?' * len(chunk))})"
            found |= {k for (k,) in self.conn.execute(sql, chunk)}
        return found

    def groups_of(self, keys: Iterable[str], states: Iterable[str]) -> set[tuple[str, str]]:
        """The (key, platform) groups of `keys` with a row in one of `states` (indexed)."""
        wanted, states = list(dict.fromkeys(keys)), list(states)
        found: set[tuple[str, str]] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            sql = (
                f"SELECT DISTINCT key, platform FROM posts WHERE key IN "
                f"({','.join('?' * len(chunk))}) AND state IN ({','.join('?' * len(states))})"
            )
            found |= {(k, p) for k, p in self.conn.execute(sql, [*chunk, *states])}
        return found

    def rows_between(
        self, start: dt.datetime, end: dt.datetime, states: Iterable[str]
    ) -> list[Row]:
        """Rows in `states` whose time is in [start, end]: a failed row's next attempt (or
        its due time), any other row's due time; through the (state, due_at) index."""
        others = [s for s in states if s != "failed"]
        window = [ts(start), ts(end)]
        parts, args = [], []
        if others:
            marks = ",".join("?" * len(others))
            parts.append(f"SELECT * FROM posts WHERE state IN ({marks}) AND due_at BETWEEN ? AND ?")
            args += [*others, *window]
        if "failed" in states:
            parts.append(
                "SELECT * FROM posts WHERE state = 'failed' AND "
                "COALESCE(next_attempt_at, due_at) BETWEEN ? AND ?"
            )
            args += window
        if not parts:
            return []
        sql = " UNION ALL ".join(parts) + " ORDER BY due_at, key, platform, part"
        return [Row.from_sql(r) for r in self.conn.execute(sql, args)]

    def group_keys(self) -> set[tuple[str, str]]:
        """Every (key, platform) in the ledger."""
        return {(k, p) for k, p in self.conn.execute("SELECT DISTINCT key, platform FROM posts")}

    def due(self, now: dt.datetime, platforms: Iterable[str]) -> list[Row]:
        """Rows that may be sent now, oldest first; later thread parts follow their first.

        A row failed by an outage or refused credentials is due whenever its platform is
        open again (the scheduler skips platforms that are held, paused or parked), not at
        its own time: otherwise jitter would let a later post overtake it when the platform
        comes back.
        """
        platforms = list(platforms)
        marks = ",".join("?" * len(platforms))
        sql = (
            f"SELECT * FROM posts WHERE platform IN ({marks}) AND ("
            "(state = 'pending' AND due_at <= ?) OR (state = 'failed' AND "
            f"(next_attempt_at <= ? OR cause IN {WAITING_SQL}))) "
            "ORDER BY due_at, key, platform, part"
        )
        now_text = ts(now)
        return [Row.from_sql(r) for r in self.conn.execute(sql, [*platforms, now_text, now_text])]

    def holds(self, now: dt.datetime) -> dict[str, dt.datetime]:
        """Platforms waiting out an outage or a rate limit: until the latest retry time any of
        their rows was given."""
        sql = (
            "SELECT platform, MAX(next_attempt_at) FROM posts WHERE state = 'failed' "
            "AND cause = 'outage' GROUP BY platform HAVING MAX(next_attempt_at) > ?"
        )
        return {p: from_ts(until) for p, until in self.conn.execute(sql, (ts(now),))}  # type: ignore[misc]

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

    def expired_claims(self, now: dt.datetime) -> list[Row]:
        sql = "SELECT * FROM posts WHERE state = 'claimed' AND lease_until <= ? ORDER BY id"
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(now),))]

    def orphaned_claims(
        self, now: dt.datetime, actor: str, sole: bool, settled_before: dt.datetime
    ) -> list[Row]:
        """Claims whose process died: the lease ran out, or (when this process holds the
        single-instance lock, `sole`) any claim of another process made before
        `settled_before`, the time the platform was given to finish what it accepted."""
        sql = (
            "SELECT * FROM posts WHERE state = 'claimed' AND (lease_until <= ? OR "
            "(? AND claimed_by IS NOT ? AND updated_at <= ?)) ORDER BY id"
        )
        args = (ts(now), int(sole), actor, ts(settled_before))
        return [Row.from_sql(r) for r in self.conn.execute(sql, args)]

    def lookups_due(self, now: dt.datetime) -> list[Row]:
        """`unknown` rows with a lookup planned (an ambiguous answer the platform can settle)."""
        sql = (
            "SELECT * FROM posts WHERE state = 'unknown' AND next_attempt_at IS NOT NULL "
            "AND next_attempt_at <= ? ORDER BY due_at, key, platform, part"
        )
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(now),))]

    def claimed_at(self, row: Row) -> dt.datetime | None:
        """When the row was last claimed: the moment its last request may have gone out."""
        sql = (
            "SELECT at FROM audit WHERE key = ? AND platform = ? AND part = ? "
            "AND to_state = 'claimed' ORDER BY id DESC LIMIT 1"
        )
        found = self.conn.execute(sql, (row.key, row.platform, row.part)).fetchone()
        return from_ts(found[0]) if found else None

    def remote_ids(self, platform: str) -> set[str]:
        """Remote ids already recorded for the platform: a lookup must not match them again."""
        sql = "SELECT remote_id FROM posts WHERE platform = ? AND remote_id IS NOT NULL"
        return {r[0] for r in self.conn.execute(sql, (platform,))}

    def overdue_unstarted(self, since: dt.datetime | None, cutoff: dt.datetime) -> list[Row]:
        """Pending rows that fell due after `since` and before `cutoff`, whose group never
        had a part attempted (`since` None: any time before `cutoff`). The group is looked
        up by its (key, platform) index: the unary + keeps SQLite from the (platform, state)
        index, which would visit every post ever sent on the platform for each row."""
        sql = (
            "SELECT * FROM posts p WHERE p.state = 'pending' AND p.due_at < ? AND p.due_at > ? "
            "AND NOT EXISTS (SELECT 1 FROM posts o WHERE o.key = p.key AND o.platform = "
            "p.platform AND +o.state IN ('claimed', 'sent', 'failed', 'unknown')) "
            "ORDER BY due_at, key, part"
        )
        after = ts(since) if since is not None else ""
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(cutoff), after))]

    def waiting(self, before: dt.datetime) -> list[Row]:
        """Rows not out yet that were due before `before` (pending, failed, claimed)."""
        sql = (
            "SELECT * FROM posts WHERE state IN ('pending', 'failed', 'claimed') AND due_at < ? "
            "ORDER BY platform, due_at, key, part"
        )
        return [Row.from_sql(r) for r in self.conn.execute(sql, (ts(before),))]

    def sent_without_id(self) -> int:
        sql = "SELECT COUNT(*) FROM posts WHERE state = 'sent' AND COALESCE(remote_id, '') = ''"
        return int(self.conn.execute(sql).fetchone()[0])

    def last_sent(self, limit: int = 10) -> list[Row]:
        sql = "SELECT * FROM posts WHERE state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT ?"
        return [Row.from_sql(r) for r in self.conn.execute(sql, (limit,))]
