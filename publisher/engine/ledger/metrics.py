"""The ledger's engagement readings (table `metrics`, migration 3).

One row per reading of one sent part: the counts its platform gave, when they were read, and
the point after the send the reading was planned for (`point`, in seconds: an hour, a day,
a week; publisher.engine.metrics_job). Counts only: nothing about the people who engaged is
ever stored. A count the platform does not give is NULL, never 0; `gone` says the post was no
longer on the platform when it was read.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from publisher.engine.ledger.part import LedgerPart
from publisher.engine.ledger.schema import from_ts, ts
from publisher.platforms.metrics import COUNTS, Counts

CHUNK = 500  # keys per query: well under SQLite's limit on bound parameters


@dataclass(frozen=True)
class Reading:
    post_id: int  # posts.id
    key: str
    platform: str
    part: int
    remote_id: str
    point: int  # seconds after the send this reading was planned for
    read_at: dt.datetime
    gone: bool = False
    counts: Counts = field(default_factory=Counts)

    @classmethod
    def from_sql(cls, r: sqlite3.Row) -> Reading:
        read_at = from_ts(r["read_at"])
        assert read_at is not None
        return cls(
            r["post_id"],
            r["key"],
            r["platform"],
            r["part"],
            r["remote_id"],
            r["point"],
            read_at,
            bool(r["gone"]),
            Counts(**{name: r[name] for name in COUNTS}),
        )


@dataclass(frozen=True)
class Readable:
    """A sent part whose counts are due: when it went out, the point to read it for."""

    post_id: int
    key: str
    platform: str
    part: int
    remote_id: str
    sent_at: dt.datetime
    point: int  # seconds after the send: the latest planned point that has passed


class MetricsRecords(LedgerPart):
    def readable(
        self, now: dt.datetime, points: Sequence[int], since: dt.datetime, platforms: list[str]
    ) -> list[Readable]:
        """Parts sent since `since` on `platforms` (with a remote id, not found gone) whose
        latest point passed by `now` (of `points`, seconds after the send) is not read yet.
        One reading for the latest point, however many passed: a late one is not repeated.
        Read through the (state, sent_at) index: only the weeks asked for, whatever the
        archive holds (the unary + keeps SQLite from the (platform, state) index, which
        would visit every post ever sent on the platform)."""
        if not platforms or not points:
            return []
        ordered = sorted(points, reverse=True)
        cases = " ".join(f"WHEN p.sent_at <= ? THEN {int(point)}" for point in ordered)
        latest = f"CASE {cases} END"
        sql = (
            f"SELECT * FROM (SELECT p.id, p.key, p.platform, p.part, p.remote_id, p.sent_at, "
            f"{latest} AS point, (SELECT MAX(m.point) FROM metrics m WHERE m.post_id = p.id) "
            "AS last FROM posts p WHERE p.state = 'sent' AND COALESCE(p.remote_id, '') != '' "
            f"AND p.sent_at >= ? AND p.sent_at <= ? AND +p.platform IN "
            f"({','.join('?' * len(platforms))}) AND NOT EXISTS (SELECT 1 FROM metrics g "
            "WHERE g.post_id = p.id AND g.gone = 1)) WHERE last IS NULL OR last < point "
            "ORDER BY sent_at, id"
        )
        bounds = [ts(now - dt.timedelta(seconds=point)) for point in ordered]
        args = [*bounds, ts(since), bounds[-1], *platforms]
        out = []
        for r in self.conn.execute(sql, args):
            sent_at = from_ts(r["sent_at"])
            assert sent_at is not None
            out.append(
                Readable(r["id"], r["key"], r["platform"], r["part"], r["remote_id"], sent_at,
                         r["point"])
            )  # fmt: skip
        return out

    def add_readings(self, readings: Iterable[Reading]) -> int:
        """Store readings in one transaction; a point already read for a part is kept."""
        added = 0
        with self.transaction():
            for r in readings:
                values = [r.counts.as_dict()[name] for name in COUNTS]
                cursor = self.conn.execute(
                    "INSERT OR IGNORE INTO metrics (post_id, key, platform, part, remote_id, "
                    "point, read_at, gone, reposts, likes, replies, quotes, views) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.post_id, r.key, r.platform, r.part, r.remote_id, r.point, ts(r.read_at),
                     int(r.gone), *values),
                )  # fmt: skip
                added += cursor.rowcount
        return added

    def readings(self, keys: Collection[str] | None = None) -> list[Reading]:
        """Every reading (of these keys), in the order they were read."""
        sql = "SELECT * FROM metrics"
        if keys is None:
            rows = list(self.conn.execute(sql + " ORDER BY read_at, id"))
        else:
            wanted, rows = sorted(keys), []
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                where = f" WHERE key IN ({','.join('?' * len(chunk))})"
                rows += self.conn.execute(sql + where, chunk).fetchall()
            rows.sort(key=lambda r: (r["read_at"], r["id"]))
        return [Reading.from_sql(r) for r in rows]
