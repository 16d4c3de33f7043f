"""Is the ledger sound? SQLite's integrity check, then the engine's own invariants.

Read-only throughout (a `mode=ro` connection): it may run beside `publisher run`, from cron or
a monitor. The invariants are the promises the rest of the engine relies on:
- a `claimed` row has a live lease held by a living process (else a crash left it: the
  next tick settles it, but a check should say so);
- a `sent` row has the platform's id (not empty, not "None") and a time; a `failed` row a
  next attempt time;
- a group's parts are numbered 1..n, and no part is claimed, sent or unknown before the part
  it replies to is sent (threads in order);
- the audit trail explains every row: transitions chain (each `from` is the previous `to`)
  and the last one ends in the row's current state.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from publisher.core.timeutil import format_wib
from publisher.engine.ledger.schema import MIGRATIONS, Row

# What a platform answer, or a library that turned a missing value into text, may put where
# an id belongs: none of them identifies a post.
NOT_AN_ID = frozenset({"", "none", "null", "nil", "undefined", "nan", "0"})


def usable_id(value: object) -> bool:
    """Is `value` something a post can be found by again (not missing, not "None")?"""
    return isinstance(value, (str, int)) and str(value).strip().lower() not in NOT_AN_ID


AFTER_PREVIOUS_SENT = ("claimed", "sent", "unknown")  # states a later part may reach only then
MAX_SHOWN = 50


@dataclass
class CheckResult:
    rows: int = 0
    audits: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no ledger here (it is made by the first tick)")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def check(path: Path, now: dt.datetime) -> CheckResult:
    result = CheckResult()
    with read_only(path) as conn:
        try:
            damage = [r[0] for r in conn.execute(f"PRAGMA integrity_check({MAX_SHOWN})")]
        except sqlite3.DatabaseError as exc:
            result.problems.append(f"not a readable SQLite database ({exc})")
            return result
        if damage != ["ok"]:
            result.problems += [f"integrity: {d}" for d in damage]
            return result  # the invariants would be read from damaged pages
        result.problems += _schema(conn)
        if result.problems:
            return result
        rows = [Row.from_sql(r) for r in conn.execute("SELECT * FROM posts ORDER BY id")]
        audits = conn.execute(
            "SELECT key, platform, part, from_state, to_state, reason FROM audit ORDER BY id"
        ).fetchall()
    result.rows, result.audits = len(rows), len(audits)
    result.problems += _row_problems(rows, now)
    result.problems += _audit_problems(rows, audits)
    if len(result.problems) > MAX_SHOWN:
        more = len(result.problems) - MAX_SHOWN
        result.problems = [*result.problems[:MAX_SHOWN], f"... and {more} more"]
    return result


def _schema(conn: sqlite3.Connection) -> list[str]:
    try:
        applied = {r[0] for r in conn.execute("SELECT version FROM migrations")}
    except sqlite3.DatabaseError:
        return ["no migrations table: this is not a publisher ledger"]
    missing = [v for v, _name, _sql in MIGRATIONS if v not in applied]
    return (
        [f"schema: migrations {missing} not applied (any command that opens it applies them)"]
        if missing
        else []
    )


def _alive(actor: str | None) -> bool:
    """Is the process behind an actor `pid:N:...` still there?"""
    try:
        pid = int((actor or "").split(":")[1])
    except (IndexError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _row_problems(rows: list[Row], now: dt.datetime) -> list[str]:
    out: list[str] = []
    groups: dict[tuple[str, str], dict[int, Row]] = defaultdict(dict)
    for r in rows:
        groups[(r.key, r.platform)][r.part] = r
        where = f"{r.key} {r.platform} part {r.part}"
        if r.state == "claimed":
            if r.lease_until is None or r.lease_until <= now:
                when = format_wib(r.lease_until) if r.lease_until else "never given"
                out.append(
                    f"{where}: claimed, but its lease ran out ({when}); the next tick settles it"
                )
            elif not _alive(r.claimed_by):
                out.append(f"{where}: claimed by {r.claimed_by}, which is no longer running")
        if r.state == "sent" and not usable_id(r.remote_id):
            out.append(
                f"{where}: sent, but without the platform's id ({r.remote_id!r}): find the "
                f"post, then `publisher resolve` it, or it may be sent twice or never"
            )
        elif r.state == "sent" and r.sent_at is None:
            out.append(f"{where}: sent, but without the time it was sent")
        if r.state == "failed" and r.next_attempt_at is None:
            out.append(f"{where}: failed, but with no time for the next attempt")
    for (key, platform), parts in groups.items():
        numbers = sorted(parts)
        total = {p.parts for p in parts.values()}
        if numbers != list(range(1, len(numbers) + 1)) or total != {len(numbers)}:
            out.append(f"{key} {platform}: parts {numbers} do not run 1..{sorted(total)}")
            continue
        for number in numbers[1:]:
            if parts[number].state in AFTER_PREVIOUS_SENT and parts[number - 1].state != "sent":
                out.append(
                    f"{key} {platform} part {number}: {parts[number].state} while part "
                    f"{number - 1} is {parts[number - 1].state} (a thread out of order)"
                )
    return out


def _audit_problems(rows: list[Row], audits: list[sqlite3.Row]) -> list[str]:
    out: list[str] = []
    last: dict[tuple[str, str, int], str] = {}
    for a in audits:
        ident = (a["key"], a["platform"], a["part"])
        before = last.get(ident)
        if a["from_state"] is not None and before is not None and a["from_state"] != before:
            out.append(
                f"{a['key']} {a['platform']} part {a['part']}: the audit goes {before} -> "
                f"{a['from_state']} without a transition between"
            )
        last[ident] = a["to_state"]
    for r in rows:
        recorded = last.get((r.key, r.platform, r.part))
        if recorded != r.state:
            out.append(
                f"{r.key} {r.platform} part {r.part}: the row is {r.state} but its audit trail "
                f"ends in {recorded or 'nothing'}"
            )
    return out
