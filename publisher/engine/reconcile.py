"""Reconciliation: before a post whose fate is unknown is sent again, look for it on the platform.

A row comes here in one of two ways:
- an orphaned claim: a process claimed it and died (SIGKILL, power cut, OOM) before the
  answer was recorded, so the request may or may not have gone out;
- an ambiguous answer: a timeout after the request went out, a 502/504 from a proxy, X's or
  Facebook's duplicate refusal. The row is `unknown` with a lookup planned (next_attempt_at).

The adapter's `lookup` reads the account's own recent posts (X user timeline, Mastodon
account statuses, Bluesky author feed, Facebook Page feed, the outbox folder) and matches the
words and the canonical link with its UTM parameters. Remote ids already recorded for other
rows never match, so two posts with the same words stay two posts. Then:

    found                        -> sent, with the platform's id and URL
    surely absent                -> failed, due now: it never went out, send it again
    cannot tell now (an error):
      within Mastodon's hour     -> failed, due now: the same Idempotency-Key cannot post twice
      a platform that can look   -> unknown, look again later (the gap doubles)
    cannot ever tell (Telegram)  -> unknown for a person: `publisher resolve`

Only the last stays `unknown` for good: what the platform cannot tell us.
"""

from __future__ import annotations

import datetime as dt

from publisher.core.timeutil import format_wib
from publisher.engine.ledger import DEAD, FAILED, SENT, UNKNOWN, Row
from publisher.engine.report import TickContext, TickReport
from publisher.platforms import registry
from publisher.platforms.base import Adapter
from publisher.platforms.draft import DraftPart, Media, PostResult

LOOKUP_MIN_SECONDS = 30  # the first second look after a platform could not be asked


def draft_part(row: Row) -> DraftPart:
    media = tuple(Media(m["path_or_url"], m["alt"]) for m in row.media)
    return DraftPart(
        row.key, row.platform, row.part, row.parts, row.text, media, row.language, row.link
    )


def first_lookup(
    adapter: Adapter | None, now: dt.datetime, wait_seconds: int
) -> dt.datetime | None:
    """When to look for a post after an ambiguous answer; None if the platform cannot tell."""
    if adapter is None or not getattr(adapter, "can_lookup", False):
        return None
    return now + dt.timedelta(seconds=wait_seconds)


def recover(tick: TickContext, now: dt.datetime, report: TickReport) -> None:
    """Settle orphaned claims and planned lookups, before anything new is sent."""
    ledger = tick.ledger
    settled_before = now - dt.timedelta(seconds=tick.settings.reconcile_seconds)
    # Holding the single-instance lock, every other process's claim is an orphan: no need to
    # wait for its lease (5 minutes by default) to know that its process is gone.
    sole = tick.sole_instance
    for row in ledger.orphaned_claims(now, ledger.actor, sole, settled_before):
        settle(tick, row, now, report, "the process stopped during the send")
    for row in ledger.lookups_due(now):
        settle(tick, row, now, report, "the platform's answer was unclear")


def settle(tick: TickContext, row: Row, now: dt.datetime, report: TickReport, why: str) -> None:
    ledger = tick.ledger
    adapter = tick.adapters.get(row.platform)
    label = registry.label(row.platform)
    found: PostResult | None = None
    if adapter is not None and getattr(adapter, "can_lookup", False):
        try:
            found = adapter.lookup(draft_part(row), taken=ledger.remote_ids(row.platform))
        except Exception as exc:  # a lookup that breaks is "cannot tell now", never a crash
            found = PostResult(ok=False, unknown=True, error=f"{type(exc).__name__}: {exc}")
        if found is not None and found.unknown:
            found = None
    expect = [row.state]
    done = {"lease_until": None}
    where = f"{row.platform} {row.key} part {row.part}/{row.parts}"
    if found is not None and found.ok:
        ledger.move(
            row.id,
            SENT,
            now,
            f"found on the platform ({label}): {why}; not sent again",
            expect,
            remote_id=found.remote_id,
            url=found.url,
            sent_at=now,
            next_attempt_at=None,
            cause="",
            **done,
        )
        tick.log.info("reconciled %s: found on %s -> %s", where, label, found.url)
        report.sent.append(ledger.row(row.id))
        return
    if found is not None and row.cause == "duplicate":
        # The platform said it has this text, the lookup does not see it (older than the
        # posts it reads, or edited there): sending again would only be refused again.
        reason = (
            f"{label} refused it as a duplicate, so it is there, but it is not among the "
            f"account's recent posts: find it, then `publisher resolve {row.key} --platform "
            f"{row.platform} --sent URL`"
        )
        ledger.move(row.id, UNKNOWN, now, reason, expect, next_attempt_at=None, **done)
        tick.log.warning("unknown %s: %s", where, reason)
        report.failed.append(ledger.row(row.id))
        return
    if found is not None or _idempotent(adapter, ledger.claimed_at(row), now):
        limit = tick.settings.backoff.max_attempts
        if row.attempts >= limit:  # a post that kills its process every time: stop the loop
            reason = f"{why} {row.attempts} times; not on {label}: gave up"
            ledger.move(row.id, DEAD, now, reason, expect, cause="attempts", **done)
            report.failed.append(ledger.row(row.id))
            return
        reason = (
            f"{why}; not on {label}: sending it again"
            if found is not None
            else f"{why}; {label} could not be asked, but its idempotency key makes a resend safe"
        )
        ledger.move(row.id, FAILED, now, reason, expect, next_attempt_at=now, cause="", **done)
        tick.log.info("reconciled %s: %s", where, reason)
        return
    later = _next_look(adapter, row, now, tick.settings.reconcile_seconds)
    if later is None:
        reason = (
            f"{why}; it may be on {label}, which cannot be searched: look at the account, "
            f"then `publisher resolve {row.key} --platform {row.platform} --sent URL` or "
            "`--not-sent`"
        )
    else:
        reason = f"{why}; {label} could not be asked now; looking again at {format_wib(later)}"
    ledger.move(row.id, UNKNOWN, now, reason, expect, next_attempt_at=later, **done)
    tick.log.warning("unknown %s: %s", where, reason)
    report.failed.append(ledger.row(row.id))


def _idempotent(adapter: Adapter | None, sent_at: dt.datetime | None, now: dt.datetime) -> bool:
    window = getattr(adapter, "idempotent_for", None)
    return bool(window and sent_at and now - sent_at < window)


def _next_look(
    adapter: Adapter | None, row: Row, now: dt.datetime, wait_seconds: int
) -> dt.datetime | None:
    """Double the gap since the last look (bounded), so a long outage costs few requests."""
    if adapter is None or not getattr(adapter, "can_lookup", False):
        return None
    gap = dt.timedelta(seconds=max(wait_seconds, LOOKUP_MIN_SECONDS))
    if row.state == UNKNOWN and row.next_attempt_at is not None:
        gap = max(gap, 2 * (row.next_attempt_at - row.updated_at))
    return now + min(gap, dt.timedelta(hours=6))
