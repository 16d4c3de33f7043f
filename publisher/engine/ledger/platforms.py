"""The ledger's record of each platform as a whole: open, paused by a person, or parked.

A person pauses a platform under incident (`publisher pause --platform NAME`) and resumes it;
the engine parks one whose credentials were refused, and opens it again when a credential
check passes. Every change is one transaction with an audit row (key `platform:NAME`,
part 0), so `publisher ledger check` and the audit trail explain it like any post.
A platform without a row is open.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator

from publisher.engine.ledger.part import LedgerPart
from publisher.engine.ledger.schema import OPEN, PARKED, PAUSED, PlatformState, ts


def platform_key(name: str) -> str:
    return f"platform:{name}"


class PlatformStates(LedgerPart):
    def platform_states(self) -> dict[str, PlatformState]:
        """Every platform that is not simply open (and open ones with a row)."""
        rows = self.conn.execute("SELECT * FROM platforms ORDER BY name")
        return {r["name"]: PlatformState.from_sql(r) for r in rows}

    def platform_state(self, name: str) -> PlatformState:
        row = self.conn.execute("SELECT * FROM platforms WHERE name = ?", (name,)).fetchone()
        return PlatformState.from_sql(row) if row else PlatformState(name)

    def set_platform(
        self,
        name: str,
        state: str,
        now: dt.datetime,
        reason: str,
        expect: tuple[str, ...] | None = None,
        next_check_at: dt.datetime | None = None,
        checks: int = 0,
    ) -> bool:
        """Move a platform to `state` (if it is in one of `expect`); audited. Atomic."""
        with self.transaction():
            current = self.platform_state(name)
            if expect is not None and current.state not in expect:
                return False
            since = current.since if current.state == state else now
            self.conn.execute(
                "INSERT INTO platforms (name, state, reason, since, next_check_at, checks, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "state = excluded.state, reason = excluded.reason, since = excluded.since, "
                "next_check_at = excluded.next_check_at, checks = excluded.checks, "
                "updated_at = excluded.updated_at",
                (name, state, reason, ts(since), ts(next_check_at), checks, ts(now)),
            )
            if current.state != state:
                self._audit(now, platform_key(name), name, 0, current.state, state, reason)
        return True

    def pause(self, name: str, now: dt.datetime, reason: str) -> bool:
        return self.set_platform(name, PAUSED, now, reason, expect=(OPEN, PARKED))

    def resume(self, name: str, now: dt.datetime, reason: str = "resumed by a person") -> bool:
        return self.set_platform(name, OPEN, now, reason, expect=(PAUSED,))

    def park(
        self, name: str, now: dt.datetime, reason: str, next_check_at: dt.datetime, checks: int
    ) -> bool:
        """Credentials refused: park an open (or already parked) platform; a pause stays."""
        return self.set_platform(
            name,
            PARKED,
            now,
            reason,
            expect=(OPEN, PARKED),
            next_check_at=next_check_at,
            checks=checks,
        )

    def unpark(self, name: str, now: dt.datetime, reason: str) -> bool:
        return self.set_platform(name, OPEN, now, reason, expect=(PARKED,))

    def platform_audit(self, name: str) -> Iterator[sqlite3.Row]:
        sql = "SELECT * FROM audit WHERE key = ? ORDER BY id"
        yield from self.conn.execute(sql, (platform_key(name),))
