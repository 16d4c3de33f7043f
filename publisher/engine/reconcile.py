"""Reconciliation: before a post whose fate is unknown is sent again, look for it on the platform.

A row comes here in one of two ways:
- an orphaned claim: a process claimed it and died (SIGKILL, power cut, OOM) before the
  answer was recorded, so the request may or may not have gone out;
- an ambiguous answer: a timeout after the request went out, a 502/504 from a proxy, a
  success without a usable id, X's or Facebook's duplicate refusal. The row is `unknown`
  with a lookup planned (next_attempt_at).

The adapter's `lookup` reads the account's own recent posts (X user timeline, Mastodon
account statuses, Bluesky author feed, Facebook Page feed, the outbox folder) and matches the
words and the canonical link. Remote ids already recorded for other rows never match, so two
posts with the same words stay two posts.

Platforms show a new post where `lookup` reads only after a while (an index, a timeline
cache): a lookup that finds nothing right after a send proves nothing. So the looks are
counted from the end of the send (or from the claim of a process that died), the first after
the platform's `visible_within` (and never before `reconcile_seconds`), then again with a
doubling gap until its `lookup_window` has passed (publisher/platforms/spec.py, figures in
docs/platforms.md). Then:

    found, at any look                       -> sent, with the platform's id and URL
    the platform refused it as a duplicate   -> unknown for a person (it is there)
    not found, or cannot tell, while the idempotency key of the create still holds
    (Mastodon's Idempotency-Key)             -> failed, due now: the resend cannot post twice
    not found, and the lookup reads what was just written (the outbox)
                                             -> failed, due now
    not found, window not over yet           -> unknown, look again later
    not found through the whole window       -> unknown for a person: `publisher resolve`
    cannot tell now (the lookup failed)      -> unknown, look again later (the gap doubles)
    cannot ever tell (Telegram; a mail server's lost answer: `undecidable`)
                                             -> unknown for a person
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib
from publisher.engine.ledger import DEAD, FAILED, SENT, UNKNOWN, Ledger, Row
from publisher.engine.ledger.check import usable_id
from publisher.platforms import registry
from publisher.platforms.base import Adapter
from publisher.platforms.draft import DraftPart, Media, PostResult

LOOKUP_MIN_SECONDS = 10  # the shortest gap between two looks for one post
CANNOT_TELL_MAX = dt.timedelta(hours=6)  # the longest gap while the platform cannot be asked


def draft_part(row: Row) -> DraftPart:
    media = tuple(Media(m["path_or_url"], m["alt"]) for m in row.media)
    return DraftPart(
        row.key, row.platform, row.part, row.parts, row.text, media, row.language, row.link,
        row.stage,
    )  # fmt: skip


@dataclass(frozen=True)
class Timing:
    """How a platform's lookup behaves, from its spec (docs/platforms.md)."""

    can_lookup: bool
    visible_within: dt.timedelta  # a new post may take this long to show to `lookup`
    lookup_window: dt.timedelta  # keep looking this long before giving up on finding it
    idempotent_for: dt.timedelta | None  # a repeated create is refused this long
    read_after_write: bool  # a lookup sees what was written the moment it was written


def timing(adapter: Adapter | None) -> Timing:
    """The adapter's lookup timing. The outbox is a folder read back after an atomic rename:
    what it does not show was never written. Others take the figures of their spec."""
    if adapter is None or not getattr(adapter, "can_lookup", False):
        return Timing(False, dt.timedelta(0), dt.timedelta(0), None, False)
    spec = getattr(adapter, "spec", None)
    outbox = getattr(adapter, "mode", "real") == "outbox"
    read_after_write = bool(
        getattr(adapter, "read_after_write", getattr(spec, "read_after_write", outbox))
    )
    # The idempotency key holds either way: when the lookup cannot be read, a resend with
    # the same key inside its window is still safe (Mastodon answers with the first post).
    idempotent_for = getattr(adapter, "idempotent_for", None)
    if read_after_write:
        return Timing(True, dt.timedelta(0), dt.timedelta(0), idempotent_for, True)
    return Timing(
        True,
        getattr(spec, "visible_within", dt.timedelta(seconds=30)),
        getattr(spec, "lookup_window", dt.timedelta(minutes=10)),
        idempotent_for,
        False,
    )


def first_lookup(
    adapter: Adapter | None, end: dt.datetime, wait_seconds: int
) -> dt.datetime | None:
    """When to look for a post whose send ended at `end`; None if the platform cannot tell."""
    t = timing(adapter)
    if not t.can_lookup:
        return None
    return end + max(t.visible_within, dt.timedelta(seconds=wait_seconds))


class SettleContext(Protocol):
    """What settling needs from the platform's run in this tick (publisher.engine.sending)."""

    ledger: Ledger
    adapter: Adapter | None
    settings: PublisherSettings

    def moment(self) -> dt.datetime: ...

    def note(self, level: str, message: str, row: Row | None = None) -> None: ...


@dataclass(frozen=True)
class Settled:
    row: Row
    sent: bool  # found on the platform (else failed, unknown or dead)


def orphan(ctx: SettleContext, row: Row, why: str) -> Settled | None:
    """A claim whose process died: look now if its first look is due, else plan the look."""
    start = row.claimed_at or row.updated_at
    look = first_lookup(ctx.adapter, start, ctx.settings.reconcile_seconds)
    at = ctx.moment()
    if look is not None and look > at:
        reason = f"{why}; looking for it on {registry.label(row.platform)} at {format_wib(look)}"
        ctx.ledger.move(
            row.id, UNKNOWN, at, reason, [row.state], next_attempt_at=look,
            lookup_from=start, lookups=0, lease_until=None,
        )  # fmt: skip
        ctx.note("warning", f"unknown: {reason}", ctx.ledger.row(row.id))
        return Settled(ctx.ledger.row(row.id), False)
    return settle(ctx, row, why, start)


def settle(
    ctx: SettleContext, row: Row, why: str, start: dt.datetime | None = None
) -> Settled | None:
    """Look for the row on its platform and move it as the table above says."""
    ledger = ctx.ledger
    adapter = ctx.adapter
    t = timing(adapter)
    label = registry.label(row.platform)
    start = start or row.lookup_from or row.claimed_at or row.updated_at
    found = _look(adapter, row, ledger) if t.can_lookup else None
    at = ctx.moment()
    looks = row.lookups + (1 if t.can_lookup else 0)
    expect = [row.state]
    done = {"lease_until": None, "lookup_from": start, "lookups": looks}
    if found is not None and found.ok:
        ledger.move(
            row.id,
            SENT,
            at,
            f"found on the platform ({label}): {why}; not sent again",
            expect,
            remote_id=found.remote_id,
            url=found.url,
            sent_at=at,
            next_attempt_at=None,
            cause="",
            **done,
        )
        ctx.note("info", f"reconciled: found on {label} -> {found.url}", ledger.row(row.id))
        return Settled(ledger.row(row.id), True)
    if found is not None and found.undecidable:
        # No later look can tell (a mail server's lost answer): a person decides at once.
        reason = (
            f"{why}; {found.error or 'the platform cannot tell'}: ask the recipient or the "
            f"server's log, then `publisher resolve {row.key} --platform {row.platform} "
            "--sent ID` or `--not-sent`"
        )
        ledger.move(row.id, UNKNOWN, at, reason, expect, next_attempt_at=None, **done)
        ctx.note("warning", f"unknown: {reason}", ctx.ledger.row(row.id))
        return Settled(ledger.row(row.id), False)
    if found is not None and row.cause == "duplicate":
        # The platform said it has this text, the lookup does not see it (older than the
        # posts it reads, or edited there): sending again would only be refused again.
        reason = (
            f"{label} refused it as a duplicate, so it is there, but it is not among the "
            f"account's recent posts: find it, then `publisher resolve {row.key} --platform "
            f"{row.platform} --sent URL`"
        )
        ledger.move(row.id, UNKNOWN, at, reason, expect, next_attempt_at=None, **done)
        ctx.note("warning", f"unknown: {reason}", ctx.ledger.row(row.id))
        return Settled(ledger.row(row.id), False)
    claimed = row.claimed_at or start
    idempotent = bool(t.idempotent_for and at - claimed < t.idempotent_for)
    if idempotent or (found is not None and t.read_after_write):
        limit = ctx.settings.backoff.max_attempts
        if row.attempts >= limit:  # a post that kills its process every time: stop the loop
            reason = f"{why} {row.attempts} times; not on {label}: gave up"
            ledger.move(row.id, DEAD, at, reason, expect, cause="attempts", **done)
            return Settled(ledger.row(row.id), False)
        reason = (
            f"{why}; {label}'s idempotency key makes a resend safe: sending it again"
            if idempotent
            else f"{why}; not on {label}: sending it again"
        )
        ledger.move(row.id, FAILED, at, reason, expect, next_attempt_at=at, cause="", **done)
        ctx.note("info", f"reconciled: {reason}", ledger.row(row.id))
        return None
    if not t.can_lookup:
        reason = (
            f"{why}; it may be on {label}, which cannot be searched: look at the account, "
            f"then `publisher resolve {row.key} --platform {row.platform} --sent URL` or "
            "`--not-sent`"
        )
        ledger.move(row.id, UNKNOWN, at, reason, expect, next_attempt_at=None, **done)
        ctx.note("warning", f"unknown: {reason}", ctx.ledger.row(row.id))
        return Settled(ledger.row(row.id), False)
    end = start + t.lookup_window
    if found is not None and at >= end:
        minutes = t.lookup_window.total_seconds() / 60
        reason = (
            f"{why}; not found on {label} in {looks} look(s) over {minutes:g} min, but "
            f"{label} may show a new post late, and a second post cannot be taken back: "
            f"look at the account, then `publisher resolve {row.key} --platform "
            f"{row.platform} --sent URL` or `--not-sent`"
        )
        ledger.move(row.id, UNKNOWN, at, reason, expect, next_attempt_at=None, **done)
        ctx.note("warning", f"unknown: {reason}", ctx.ledger.row(row.id))
        return Settled(ledger.row(row.id), False)
    later = next_look(t, looks, at, end, cannot_tell=found is None)
    if found is None:
        reason = f"{why}; {label} could not be asked now; looking again at {format_wib(later)}"
    else:
        reason = (
            f"{why}; not on {label} yet (new posts may show late); looking again at "
            f"{format_wib(later)}"
        )
    ledger.move(row.id, UNKNOWN, at, reason, expect, next_attempt_at=later, **done)
    ctx.note("info", f"unknown: {reason}", ledger.row(row.id))
    return Settled(ledger.row(row.id), False)


def _look(adapter: Adapter | None, row: Row, ledger: Ledger) -> PostResult | None:
    """The lookup's answer: ok (found, with a usable id), not ok (absent), None (cannot tell)."""
    assert adapter is not None
    try:
        found = adapter.lookup(draft_part(row), taken=ledger.remote_ids(row.platform))
    except Exception as exc:  # a lookup that breaks is "cannot tell now", never a crash
        found = PostResult(ok=False, unknown=True, error=f"{type(exc).__name__}: {exc}")
    if found is not None and found.undecidable:
        return found
    if found is None or found.unknown:
        return None
    if found.ok and not usable_id(found.remote_id):
        return None  # something matched, but nothing we could find it by again
    return found


def next_look(
    t: Timing, looks: int, at: dt.datetime, end: dt.datetime, cannot_tell: bool
) -> dt.datetime:
    """The gap doubles with each look, starting at the platform's `visible_within`; looks
    for a post not found yet end with one at the window's end."""
    base = max(t.visible_within, dt.timedelta(seconds=LOOKUP_MIN_SECONDS))
    gap = base * (1 << max(looks - 1, 0))
    if cannot_tell:
        return at + min(gap, CANNOT_TELL_MAX)
    return min(at + gap, max(end, at + dt.timedelta(seconds=1)))
