"""The ledger's engine facts (first run, last tick, heartbeat) and go-live times."""

from __future__ import annotations

import datetime as dt

from publisher.engine.ledger.part import LedgerPart
from publisher.engine.ledger.schema import from_ts, ts


class EngineFacts(LedgerPart):
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

    def golive_records(self, uid: str) -> list[tuple[dt.datetime, dt.datetime, dt.datetime | None]]:
        """(go-live, first seen, done) of every go-live time recorded for `uid`."""
        sql = "SELECT at, seen_at, done_at FROM golive WHERE uid = ? ORDER BY at"
        out = []
        for at, seen_at, done_at in self.conn.execute(sql, (uid,)):
            out.append((_time(at), _time(seen_at), _time(done_at) if done_at else None))
        return out

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


def _time(text: str) -> dt.datetime:
    moment = from_ts(text)
    assert moment is not None
    return moment
