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
from publisher.engine.compose import ComposeError, compose, skipped
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
from publisher.engine.ledger.schema import UNSENT_CAUSES
from publisher.engine.planned import Planned
from publisher.engine.rows import fix_for as fix_for
from publisher.engine.rows import row_dict as row_dict
from publisher.engine.status import status as status
from publisher.platforms.base import Adapter
from publisher.platforms.draft import Draft, Media, Part, PreviewPart


class ActionError(PublisherError):
    """A request that cannot be done as asked; the message says what to do instead."""


# What `dismiss` closes: rows that will not go out without a person (or keep failing), and
# posts that went stale while the publisher was down (accepting that they never go out).
DISMISSIBLE = (DEAD, FAILED, STALE)


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


RETRIABLE = (FAILED, DEAD, STALE, SEEDED)


def _retry_row(ledger: Ledger, row: Row, now: dt.datetime, why: str) -> Row | None:
    """One row -> pending, attempts from zero. Its due time stays: with the others of its
    platform it goes out in the planned order (and a past due time is not `stale` again:
    only downtime makes a row stale)."""
    fields: dict[str, Any] = {"attempts": 0, "next_attempt_at": None, "cause": ""}
    if row.cause == "compose":
        fields["source_hash"] = ""  # recompose from the (fixed) source on the next tick
    if ledger.move(row.id, PENDING, now, why, [row.state], **fields):
        return ledger.row(row.id)
    return None


def retry(ledger: Ledger, key: str, now: dt.datetime, platform: str | None = None) -> list[Row]:
    """failed/dead/stale/seeded -> pending, attempts from zero."""
    rows = _select(ledger, key, platform)
    _refuse_unknown(rows, key)
    changed = [
        done
        for row in rows
        if row.state in RETRIABLE
        and (done := _retry_row(ledger, row, now, "retry requested")) is not None
    ]
    if not changed:
        states = ", ".join(sorted({r.state for r in rows}))
        raise ActionError(f"{key}: nothing to retry (its rows are {states})")
    return changed


def retry_platform(ledger: Ledger, platform: str, now: dt.datetime) -> tuple[list[Row], list[Row]]:
    """After an outage: every failed, dead and late-stale row of the platform -> pending, in
    their planned order. Seeded, dismissed and withdrawn rows stay as they are (they were
    never meant to go out); unknown rows are left for `resolve`. Returns (retried, unknown)."""
    rows = ledger.rows(platform=platform, states=[FAILED, DEAD, STALE, UNKNOWN])
    if not rows:
        raise ActionError(f"{platform}: nothing to retry (no failed, dead or stale posts)")
    why = "retry requested for the whole platform (publisher retry --platform --all)"
    changed = [
        done
        for row in rows
        if (row.state in (FAILED, DEAD) or (row.state == STALE and row.cause in UNSENT_CAUSES))
        and (done := _retry_row(ledger, row, now, why)) is not None
    ]
    return changed, [r for r in rows if r.state == UNKNOWN]


def pause(ledger: Ledger, platform: str, now: dt.datetime, reason: str) -> None:
    why = " ".join(reason.split()) or "paused by a person"
    if not ledger.pause(platform, now, f"paused: {why}"):
        raise ActionError(f"{platform}: already paused (publisher resume --platform {platform})")


def resume(ledger: Ledger, platform: str, now: dt.datetime) -> None:
    if not ledger.resume(platform, now, "resumed by a person"):
        raise ActionError(f"{platform}: not paused")


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
    """dead/failed/stale -> stale for good: a person decided this post must never go out.

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
        if row.state not in DISMISSIBLE or (row.state == STALE and row.cause not in UNSENT_CAUSES):
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
            f"{key}: nothing to dismiss (its rows are {states}; only dead, failed or stale ones "
            "can be)"
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
    *,
    scheduled: frozenset[str] = frozenset(),
    utm: bool = False,
) -> list[PlanRow]:
    """What goes out from now to now + days, per platform and part, with its ledger state
    ("new" for what the ledger has not planned yet; "scheduled" for an article or release
    not live yet, whose keys are `scheduled`: it goes out at its go-live, the time shown)."""
    end = now + dt.timedelta(days=days)
    out: list[PlanRow] = []
    stored: dict[tuple[str, str], list[Row]] = {}
    have: set[tuple[str, str]] = set()
    if ledger is not None:
        # Read through the indexes, not the whole archive: the rows whose time falls in the
        # window, and which groups of the items due in it the ledger has at all.
        states = [PENDING, FAILED, CLAIMED, SENT, DEAD, UNKNOWN]
        for row in ledger.rows_between(now, end, states):
            stored.setdefault((row.key, row.platform), []).append(row)
        have = ledger.groups_of([i.key for i in planned if now <= i.due <= end], states)
        have |= stored.keys()
    for item in planned:
        for platform in item.platforms or tuple(adapters):
            if platform not in adapters:
                continue
            group = (item.key, platform)
            rows = stored.pop(group, [])
            if group in have:
                have.discard(group)
                out += [
                    PlanRow(_when(r), platform, r.key, r.part, r.parts, r.text, r.state)
                    for r in rows
                    if now <= _when(r) <= end
                ]
                continue
            if not now <= item.due <= end or skipped(item, platform):
                continue
            try:
                draft = compose(item, adapters[platform].limits, utm)
            except ComposeError as exc:
                out.append(PlanRow(item.due, platform, item.key, 1, 1, str(exc), "error"))
                continue
            state = "scheduled" if item.key in scheduled else "new"
            for number, piece in enumerate(draft.parts, 1):
                out.append(
                    PlanRow(
                        item.due, platform, item.key, number, len(draft.parts), piece.text, state
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
    utm: bool = False,
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
        why = skipped(item, platform) if item is not None and not rows else None
        if why:
            out.append(PlatformPreview(platform, "skipped", [], why))
            continue
        try:
            draft = (
                draft_from_rows(rows)
                if frozen or item is None
                else compose(item, adapter.limits, utm)
            )
        except ComposeError as exc:
            out.append(PlatformPreview(platform, state, [], str(exc)))
            continue
        out.append(PlatformPreview(platform, state, adapter.preview(draft)))
    return out
