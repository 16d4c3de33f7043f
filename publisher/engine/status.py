"""`publisher status`: what the ledger and the heartbeat say, and whether a person must act.

`ok` is False, with one problem per (kind, platform) naming the platform and the fix, when:
- `outage`: a platform's posts wait past their time behind an outage or a rate limit;
- `paused`: a platform paused by a person has posts waiting past their time;
- `credentials`: a platform refuses our credentials (it is parked, its posts wait);
- `late`: posts wait past their time for another reason (failing, or nothing is sending);
- `unknown`: a post may or may not be on its platform, and a person must look (a post the
  engine is still looking for, inside its platform's lookup window, is not yet a problem);
- `dead`: a post will not go out without a person;
- `stale`: a post fell due while the publisher was not running, or a campaign post was
  planned already past its time, and it was never sent;
- `heartbeat`: no tick finished recently (the publisher stopped);
- `ledger`: a `sent` row without the platform's id.

The JSON form is documented in docs/operations.md ("status --json"); SCHEMA changes only
when a key changes meaning or goes away (new keys may be added).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

from publisher.core.timeutil import format_wib, utc_now
from publisher.engine.heartbeat import MIN_MAX_AGE, Health
from publisher.engine.ledger import (
    DEAD,
    FAILED,
    PARKED,
    PAUSED,
    STALE,
    UNKNOWN,
    Ledger,
    Row,
)
from publisher.engine.ledger.queries import OUTAGE
from publisher.engine.ledger.schema import UNSENT_CAUSES
from publisher.engine.rows import fix_for, row_dict
from publisher.platforms import registry

SCHEMA = 1
KINDS = (
    "credentials",
    "outage",
    "paused",
    "late",
    "unknown",
    "dead",
    "stale",
    "heartbeat",
    "ledger",
)


@dataclass(frozen=True)
class Problem:
    kind: str
    platform: str | None
    count: int
    message: str
    fix: str

    def line(self) -> str:
        return f"{self.message}; fix: {self.fix}" if self.fix else self.message


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _label(platform: str) -> str:
    try:
        return registry.label(platform)
    except KeyError:
        return platform


def _window(platform: str) -> dt.timedelta:
    try:
        spec = registry.spec(platform)
    except KeyError:
        return dt.timedelta(minutes=10)
    return getattr(spec, "lookup_window", dt.timedelta(minutes=10))


def status(
    ledger: Ledger | None,
    health: Health | None = None,
    recent: int = 10,
    now: dt.datetime | None = None,
    late_after: dt.timedelta = MIN_MAX_AGE,
) -> dict[str, Any]:
    """The state for `publisher status` (and its `--json`), with `problems` and `ok`."""
    now = now or (health.now if health is not None else utc_now())
    counts = ledger.counts() if ledger is not None else {}
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "now": _iso(now),
        "counts": counts,
        "platforms": {},
        "last_sent": [],
        "attention": [],
        "looking": [],
        "stale": [],
    }
    problems: list[Problem] = []
    if ledger is not None:
        problems += _ledger_problems(ledger, now, late_after, data, recent)
    if health is not None:
        data["heartbeat"] = health.as_dict()
        alert = health.alert()
        if alert is not None:
            problems.append(
                Problem("heartbeat", None, 1, alert, "start it: systemctl start publisher")
            )
    problems.sort(key=lambda p: (KINDS.index(p.kind), p.platform or ""))
    data["problems"] = [asdict(p) for p in problems]
    data["alerts"] = [p.line() for p in problems]
    data["ok"] = not problems
    return data


def _ledger_problems(
    ledger: Ledger, now: dt.datetime, late_after: dt.timedelta, data: dict[str, Any], recent: int
) -> list[Problem]:
    problems: list[Problem] = []
    attention = ledger.rows(states=[FAILED, DEAD, UNKNOWN], order="state, due_at, key, part")
    stale = ledger.rows(states=[STALE], order="updated_at DESC, key, part")
    looking = [r for r in attention if r.state == UNKNOWN and r.next_attempt_at is not None]
    data["last_sent"] = [row_dict(r) for r in ledger.last_sent(recent)]
    data["attention"] = [row_dict(r) for r in attention if r not in looking]
    data["looking"] = [row_dict(r) for r in looking]
    data["stale"] = [row_dict(r) for r in stale[:20]]
    states = ledger.platform_states()
    holds = ledger.holds(now)
    late: dict[str, list[Row]] = defaultdict(list)
    for row in ledger.waiting(now - late_after):
        late[row.platform].append(row)
    names = sorted(set(states) | set(holds) | set(late) | {r.platform for r in attention})
    for name in names:
        data["platforms"][name] = _platform(name, states, holds, late, now)
        problems += _platform_problems(name, states, holds, late.get(name, []))
    by_platform: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in attention:
        if row.state == DEAD:
            by_platform[(DEAD, row.platform)].append(row)
        elif row.state == UNKNOWN and (
            row.next_attempt_at is None
            or (row.lookup_from or row.updated_at) + _window(row.platform) + late_after < now
        ):
            by_platform[(UNKNOWN, row.platform)].append(row)
    for row in stale:
        if row.cause in UNSENT_CAUSES:
            by_platform[(STALE, row.platform)].append(row)
    for (kind, platform), rows in sorted(by_platform.items()):
        problems.append(_rows_problem(kind, platform, rows))
    missing = ledger.sent_without_id()
    if missing:
        problems.append(
            Problem(
                "ledger",
                None,
                missing,
                f"{missing} sent row(s) without the platform's id",
                "publisher ledger check lists them; resolve each with its URL",
            )
        )
    return problems


def _platform(
    name: str,
    states: dict[str, Any],
    holds: dict[str, dt.datetime],
    late: dict[str, list[Row]],
    now: dt.datetime,
) -> dict[str, Any]:
    state = states.get(name)
    kind = state.state if state is not None else "open"
    if kind == "open" and name in holds:
        kind = "held"
    rows = late.get(name, [])
    return {
        "label": _label(name),
        "state": kind,
        "reason": state.reason if state is not None and kind in (PAUSED, PARKED) else "",
        "since": _iso(state.since) if state is not None and kind != "open" else None,
        "until": _iso(holds.get(name)),
        "next_check": _iso(state.next_check_at) if state is not None and kind == PARKED else None,
        "late": len(rows),
        "oldest_due": _iso(rows[0].due_at) if rows else None,
        "variables": list(registry.spec(name).credentials) if name in registry.SPECS else [],
    }


def _platform_problems(
    name: str, states: dict[str, Any], holds: dict[str, dt.datetime], late: list[Row]
) -> list[Problem]:
    label = _label(name)
    state = states.get(name)
    waiting = f"{len(late)} post(s) waiting since {format_wib(late[0].due_at)}" if late else ""
    if state is not None and state.state == PARKED:
        variables = ", ".join(registry.spec(name).credentials) if name in registry.SPECS else ""
        message = f"{name}: {label} refuses the credentials ({state.reason})"
        if waiting:
            message += f"; {waiting}"
        fix = (
            f"set {variables} in .env (see docs/platforms.md#{name}); `publisher run` reads "
            ".env again by itself (or on SIGHUP) and the waiting posts go out once "
            f"{label} accepts them"
        )
        return [Problem("credentials", name, len(late), message, fix)]
    if not late:
        return []
    if state is not None and state.state == PAUSED:
        return [
            Problem(
                "paused",
                name,
                len(late),
                f"{name}: paused by a person ({state.reason}); {waiting}",
                f"publisher resume --platform {name}",
            )
        ]
    if name in holds:
        why = next((r.reason for r in reversed(late) if r.cause == OUTAGE), "") or "down"
        return [
            Problem(
                "outage",
                name,
                len(late),
                f"{name}: {waiting}, {label} is unavailable or limits us until "
                f"{format_wib(holds[name])} ({why})",
                "nothing while it is down: they go out in order when it answers; to try "
                f"now: publisher retry --platform {name} --all",
            )
        ]
    reasons = Counter(r.reason for r in late if r.reason)
    why = f" (last: {reasons.most_common(1)[0][0]})" if reasons else ""
    return [
        Problem(
            "late",
            name,
            len(late),
            f"{name}: {waiting}{why}",
            "is the publisher running (publisher status, journalctl -u publisher)? "
            f"failing posts: publisher retry --platform {name} --all",
        )
    ]


def _rows_problem(kind: str, platform: str, rows: list[Row]) -> Problem:
    keys = ", ".join(sorted({r.key for r in rows})[:5])
    more = "" if len({r.key for r in rows}) <= 5 else ", ..."
    what = {
        DEAD: "will not go out without a person",
        UNKNOWN: "may be on the platform: look, then resolve",
        STALE: "never sent: due while the publisher was not running, or planned after their time",
    }[kind]
    return Problem(
        kind, platform, len(rows), f"{platform}: {len(rows)} {kind} ({keys}{more}): {what}",
        fix_for(rows[0]),
    )  # fmt: skip
