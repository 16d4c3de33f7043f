"""What a person asks of the engine: status, plan, preview, retry, resolve, dismiss.

Library functions returning plain data; publisher.engine_cli only renders them. Human
actions are ledger transitions like any other: atomic, state-checked and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from publisher.core.errors import PublisherError
from publisher.core.timeutil import format_wib
from publisher.engine.compose import ComposeError, compose
from publisher.engine.heartbeat import Health
from publisher.engine.ledger import (
    CLAIMED,
    DEAD,
    FAILED,
    PENDING,
    SEEDED,
    SENT,
    STALE,
    UNKNOWN,
    GroupInfo,
    Ledger,
    Row,
)
from publisher.engine.planned import Planned
from publisher.platforms.base import Adapter
from publisher.platforms.draft import Draft, Media, Part, PreviewPart


class ActionError(PublisherError):
    """A request that cannot be done as asked; the message says what to do instead."""


# What `dismiss` closes: rows that will not go out without a person (or keep failing).
DISMISSIBLE = (DEAD, FAILED)


def fix_for(row: Row) -> str:
    """The command (or step) that deals with a row needing attention."""
    who = f"{row.key} --platform {row.platform}"
    if row.state == FAILED:
        when = format_wib(row.next_attempt_at) if row.next_attempt_at else "soon"
        return f"retried automatically at {when}; now: publisher retry {who}"
    never = f"; or, never to post it: publisher dismiss {who} --reason TEXT"
    if row.state == DEAD and row.cause == "compose":
        return "fix the post's text or image (it is recomposed on the next tick)" + never
    if row.state == DEAD:
        return f"fix the cause above, then: publisher retry {who}" + never
    if row.state == UNKNOWN:
        return (
            f"look on {row.platform}, then: publisher resolve {who} --sent URL  "
            f"(or --not-sent to send it again)"
        )
    if row.state == STALE:
        return f"to post it anyway: publisher retry {who}"
    return ""


def _row_dict(row: Row) -> dict[str, Any]:
    return {
        "key": row.key,
        "platform": row.platform,
        "part": row.part,
        "parts": row.parts,
        "state": row.state,
        "due": format_wib(row.due_at),
        "attempts": row.attempts,
        "reason": row.reason,
        "url": row.url,
        "sent_at": format_wib(row.sent_at) if row.sent_at else None,
        "next_attempt": format_wib(row.next_attempt_at) if row.next_attempt_at else None,
        "fix": fix_for(row),
    }


def status(ledger: Ledger | None, health: Health | None = None, recent: int = 10) -> dict[str, Any]:
    """The ledger's state for `publisher status`; `ok` is False, with the reasons in `alerts`,
    when a row is dead or unknown or the heartbeat is older than its limit."""
    counts = ledger.counts() if ledger is not None else {}
    data: dict[str, Any] = {"counts": counts, "last_sent": [], "attention": [], "stale": []}
    if ledger is not None:
        attention = ledger.rows(states=[FAILED, DEAD, UNKNOWN], order="state, due_at, key, part")
        stale = ledger.rows(states=[STALE], order="updated_at DESC, key, part")[:20]
        data["last_sent"] = [_row_dict(r) for r in ledger.last_sent(recent)]
        data["attention"] = [_row_dict(r) for r in attention]
        data["stale"] = [_row_dict(r) for r in stale]
    alerts = []
    if counts.get(DEAD):
        alerts.append(f"{counts[DEAD]} dead: will not go out without a person (retry or dismiss)")
    if counts.get(UNKNOWN):
        alerts.append(f"{counts[UNKNOWN]} unknown: may be on the platform (look, then resolve)")
    if health is not None:
        data["heartbeat"] = health.as_dict()
        alert = health.alert()
        if alert is not None:
            alerts.append(alert)
    data["alerts"] = alerts
    data["ok"] = not alerts
    return data


def _select(ledger: Ledger, key: str, platform: str | None) -> list[Row]:
    rows = ledger.rows(key=key, platform=platform)
    if not rows:
        where = f" on {platform}" if platform else ""
        raise ActionError(f"{key}: no such post in the ledger{where} (see: publisher plan)")
    return rows


def _refuse_unknown(rows: list[Row], key: str) -> None:
    """An `unknown` post may already be on the platform: a person settles it first."""
    unknown = [r for r in rows if r.state == UNKNOWN]
    if unknown:
        raise ActionError(
            f"{key}: {unknown[0].platform} part {unknown[0].part} is unknown (it may be posted); "
            "use publisher resolve first"
        )


def retry(ledger: Ledger, key: str, now: dt.datetime, platform: str | None = None) -> list[Row]:
    """failed/dead/stale/seeded -> pending, due now, attempts from zero."""
    rows = _select(ledger, key, platform)
    _refuse_unknown(rows, key)
    changed = []
    for row in rows:
        if row.state not in (FAILED, DEAD, STALE, SEEDED):
            continue
        fields: dict[str, Any] = {
            "due_at": now,
            "attempts": 0,
            "next_attempt_at": None,
            "cause": "",
        }
        if row.cause == "compose":
            fields["source_hash"] = ""  # recompose from the (fixed) source on the next tick
        if ledger.move(row.id, PENDING, now, "retry requested", [row.state], **fields):
            changed.append(ledger.row(row.id))
    if not changed:
        states = ", ".join(sorted({r.state for r in rows}))
        raise ActionError(f"{key}: nothing to retry (its rows are {states})")
    return changed


def resolve(
    ledger: Ledger,
    key: str,
    now: dt.datetime,
    *,
    sent_url: str | None,
    platform: str | None = None,
    part: int | None = None,
    remote_id: str | None = None,
) -> Row:
    """Settle an `unknown` row: it is on the platform at URL, or it is not (send it again)."""
    rows = [
        r
        for r in _select(ledger, key, platform)
        if r.state == UNKNOWN and (part is None or r.part == part)
    ]
    if not rows:
        raise ActionError(f"{key}: no unknown row to resolve (see: publisher status)")
    if len(rows) > 1:
        which = ", ".join(f"{r.platform} part {r.part}" for r in rows)
        raise ActionError(f"{key}: several unknown rows ({which}); add --platform and --part")
    row = rows[0]
    if sent_url:
        rid = remote_id or sent_url.rstrip("/").rsplit("/", 1)[-1]
        ledger.move(
            row.id,
            SENT,
            now,
            "resolved by hand: it was sent",
            [UNKNOWN],
            url=sent_url,
            remote_id=rid,
            sent_at=now,
        )
    else:
        ledger.move(row.id, PENDING, now, "resolved by hand: not sent", [UNKNOWN], due_at=now)
    return ledger.row(row.id)


def dismiss(
    ledger: Ledger, key: str, now: dt.datetime, reason: str, platform: str | None = None
) -> list[Row]:
    """dead/failed -> stale for good: a person decided this post must never go out.

    `stale` already means "not posted"; the cause `dismissed` keeps the group frozen (the
    sync never recomposes or revives it, unlike a post withdrawn from its source), the reason
    and the actor are in the audit trail, and `publisher retry` undoes it.
    """
    why = " ".join(reason.split())
    if not why:
        raise ActionError(f"{key}: give --reason: why it must never go out (kept in the audit)")
    rows = _select(ledger, key, platform)
    _refuse_unknown(rows, key)
    changed = []
    for row in rows:
        if row.state not in DISMISSIBLE:
            continue
        fields: dict[str, Any] = {"cause": "dismissed", "next_attempt_at": None}
        if row.cause == "compose":
            # Its stored part is empty; if it is ever retried, the sync must recompose it.
            fields["source_hash"] = ""
        if ledger.move(row.id, STALE, now, f"dismissed: {why}", [row.state], **fields):
            changed.append(ledger.row(row.id))
    if not changed:
        states = ", ".join(sorted({r.state for r in rows}))
        raise ActionError(
            f"{key}: nothing to dismiss (its rows are {states}; only dead or failed ones can be)"
        )
    return changed


@dataclass(frozen=True)
class PlanRow:
    due: dt.datetime
    platform: str
    key: str
    part: int
    parts: int
    text: str
    state: str


def plan(
    planned: list[Planned],
    ledger: Ledger | None,
    adapters: Mapping[str, Adapter],
    now: dt.datetime,
    days: int,
) -> list[PlanRow]:
    """What goes out from now to now + days, per platform and part, with its ledger state."""
    end = now + dt.timedelta(days=days)
    out: list[PlanRow] = []
    stored: dict[tuple[str, str], list[Row]] = {}
    if ledger is not None:
        for row in ledger.rows(states=[PENDING, FAILED, CLAIMED, SENT, DEAD, UNKNOWN]):
            stored.setdefault((row.key, row.platform), []).append(row)
    for item in planned:
        for platform in item.platforms or tuple(adapters):
            if platform not in adapters:
                continue
            rows = stored.pop((item.key, platform), None)
            if rows:
                out += [
                    PlanRow(_when(r), platform, r.key, r.part, r.parts, r.text, r.state)
                    for r in rows
                    if now <= _when(r) <= end
                ]
                continue
            if not now <= item.due <= end:
                continue
            try:
                draft = compose(item, adapters[platform].limits)
            except ComposeError as exc:
                out.append(PlanRow(item.due, platform, item.key, 1, 1, str(exc), "error"))
                continue
            for number, piece in enumerate(draft.parts, 1):
                out.append(
                    PlanRow(
                        item.due, platform, item.key, number, len(draft.parts), piece.text, "new"
                    )
                )
    for rows in stored.values():  # retries of posts no longer in a source
        out += [
            PlanRow(_when(r), r.platform, r.key, r.part, r.parts, r.text, r.state)
            for r in rows
            if r.state in (PENDING, FAILED) and now <= _when(r) <= end
        ]
    out.sort(key=lambda p: (p.due, p.key, p.platform, p.part))
    return out


def _when(row: Row) -> dt.datetime:
    return row.next_attempt_at if row.state == FAILED and row.next_attempt_at else row.due_at


def draft_from_rows(rows: list[Row]) -> Draft:
    parts = tuple(
        Part(r.text, tuple(Media(m["path_or_url"], m["alt"]) for m in r.media)) for r in rows
    )
    first = rows[0]
    return Draft(parts, first.language, first.link, first.key, first.platform)


@dataclass(frozen=True)
class PlatformPreview:
    platform: str
    state: str  # ledger state of the first part, or "new"
    parts: list[PreviewPart]
    error: str = ""


def preview(
    key: str,
    planned: list[Planned],
    ledger: Ledger | None,
    adapters: Mapping[str, Adapter],
) -> list[PlatformPreview]:
    """Exactly what each platform's adapter would send for KEY, through its preview path.

    A post already attempted is frozen in the ledger: its stored parts are shown, since those
    are what goes (or went) out, whatever the source says now.
    """
    item = next((p for p in planned if p.key == key), None)
    stored = ledger.rows(key=key) if ledger is not None else []
    platforms = list(item.platforms or adapters) if item else sorted({r.platform for r in stored})
    if item is None and not stored:
        raise ActionError(
            f"{key}: not planned in any source nor in the ledger (see: publisher plan)"
        )
    out = []
    for platform in platforms:
        adapter = adapters.get(platform)
        if adapter is None:
            continue
        rows = [r for r in stored if r.platform == platform]
        frozen = (
            bool(rows)
            and not GroupInfo(
                tuple(r.state for r in rows), tuple(r.cause for r in rows), ""
            ).untouched
        )
        state = rows[0].state if rows else "new"
        try:
            draft = (
                draft_from_rows(rows) if frozen or item is None else compose(item, adapter.limits)
            )
        except ComposeError as exc:
            out.append(PlatformPreview(platform, state, [], str(exc)))
            continue
        out.append(PlatformPreview(platform, state, adapter.preview(draft)))
    return out
