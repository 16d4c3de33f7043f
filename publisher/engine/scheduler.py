"""The tick: go-live rebuilds -> sync sources into the ledger -> recover -> send what is due.

`tick(now)` never sleeps and takes its time from the injected clock, so tests drive a week in
milliseconds. Every row's error is caught and recorded; nothing a single post does can stop
the loop. The ledger is the only memory: a claim is committed before the adapter is called
and the result right after, so a crash can cost at most one `unknown` row, never a repost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping

from publisher.content.golive import GoLive
from publisher.core.settings import Backoff, PublisherSettings
from publisher.core.timeutil import format_wib, utc_now
from publisher.engine import faults, reconcile
from publisher.engine.compose import ComposeError, compose
from publisher.engine.events import event, row_event
from publisher.engine.ledger import (
    DEAD,
    FAILED,
    PENDING,
    SEEDED,
    SENT,
    STALE,
    UNKNOWN,
    Ledger,
    NewPart,
    Row,
)
from publisher.engine.ledger.queries import OUTAGE
from publisher.engine.planned import Planned
from publisher.engine.reconcile import draft_part
from publisher.engine.report import TickReport
from publisher.engine.sources import Snapshot
from publisher.platforms import registry
from publisher.platforms.base import Adapter
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import PostResult

LOG = logging.getLogger("publisher.engine")
FIRST_RUN = "first_run_at"


def backoff_delay(attempts: int, backoff: Backoff, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random.

    Written here rather than with tenacity: tenacity's waits belong to an in-process retry
    loop, ours spans ticks (and restarts) through the ledger, and tests need a seeded RNG.
    """
    ceiling = min(backoff.max_seconds, backoff.base_seconds * 2 ** max(attempts - 1, 0))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def item_digest(item: Planned) -> str:
    """Changes whenever anything the composer reads changes (the origin is only for messages).

    Built by hand, not with dataclasses.asdict: the sync hashes every item on every tick,
    and asdict's deep copies made that the slowest part of a tick (see docs/benchmarks.md).
    """
    image = (item.image.path_or_url, item.image.alt) if item.image else None
    data = (
        item.key,
        item.kind,
        item.due.isoformat(),
        item.title,
        item.text,
        sorted(item.wording.items()),
        list(item.platforms),
        item.link,
        image,
        list(item.hashtags),
        item.campaign,
        item.thread,
        item.lang,
    )
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


def source_hash(item_hash: str, limits: PlatformLimits) -> str:
    """The item's digest combined with the platform's limits (a limit change recomposes)."""
    return hashlib.sha256(f"{item_hash}|{limits!r}".encode()).hexdigest()[:32]


def compose_rows(item: Planned, limits: PlatformLimits) -> tuple[list[NewPart], str]:
    """The parts to store, and "" or the composition error (then one empty part)."""
    try:
        draft = compose(item, limits)
    except ComposeError as exc:
        return [NewPart("", [], "", item.lang)], str(exc)
    return [
        NewPart(
            p.text,
            [{"path_or_url": m.path_or_url, "alt": m.alt} for m in p.media],
            draft.link,
            draft.language,
        )
        for p in draft.parts
    ], ""


class Scheduler:
    def __init__(
        self,
        settings: PublisherSettings,
        ledger: Ledger,
        adapters: Mapping[str, Adapter],
        sources: Callable[[], Snapshot],
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        golive: Callable[[], tuple[list[GoLive], list[str]]] | None = None,
        rebuild: Callable[[dt.datetime], None] | None = None,
        deploy: Callable[[], None] | None = None,
        redact: Callable[[str], str] = lambda text: text,
        rng: random.Random | None = None,
        stop: threading.Event | None = None,
        log: logging.Logger = LOG,
        sole_instance: bool = False,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.adapters = dict(adapters)
        self.sources = sources
        self.clock = clock
        self.golive = golive
        self.rebuild = rebuild
        self.deploy = deploy
        self.redact = redact
        self.rng = rng or random.Random()
        self.stop = stop or threading.Event()
        self.log = log
        self.sole_instance = sole_instance

    # --- the tick ---------------------------------------------------------------------
    def tick(self, now: dt.datetime | None = None) -> TickReport:
        now = now or self.clock()
        report = TickReport(now)
        first_run = self.ledger.get_meta(FIRST_RUN) is None
        self._go_live(now, report)
        snap = self.sources()
        report.problems += [self.redact(p) for p in snap.problems]
        for problem in report.problems:
            self.log.warning("%s", problem)
        self.sync(snap, now, first_run, report)
        if first_run:
            self.ledger.set_meta(FIRST_RUN, now.isoformat())
            self.log.info("first run: %d post(s) already live recorded as seeded", report.seeded)
        self._recover(now, report)
        if not first_run:
            self._mark_stale(now, report)
        self._send_due(now, report)
        return report

    def seed(self, now: dt.datetime | None = None) -> int:
        """Record everything due by now as seeded (not posted): a fresh start on a live site."""
        now = now or self.clock()
        report = TickReport(now)
        self.sync(self.sources(), now, True, report)
        for row in self.ledger.rows(states=[PENDING]):
            if row.due_at <= now and self.ledger.move(
                row.id, SEEDED, now, "seeded by `publisher seed`", [PENDING]
            ):
                report.seeded += 1
        self.ledger.set_meta(FIRST_RUN, self.ledger.get_meta(FIRST_RUN) or now.isoformat())
        return report.seeded

    # --- steps ------------------------------------------------------------------------
    def _go_live(self, now: dt.datetime, report: TickReport) -> None:
        """Rebuild (and deploy) once when any go-live time seen in advance has passed."""
        if self.golive is None:
            return
        times, problems = self.golive()
        report.problems += problems
        due: list[GoLive] = []
        for g in times:
            state = self.ledger.golive_state(g.uid, g.at)
            if state is None:
                # First seen after its time: already live through the normal build.
                self.ledger.note_golive(g.uid, g.at, now, done=g.at <= now)
            elif state == "waiting" and g.at <= now:
                due.append(g)
        if not due:
            return
        names = ", ".join(f"{g.uid} ({g.why} {format_wib(g.at)})" for g in due)
        try:
            if self.rebuild is not None:
                self.rebuild(now)
            if self.deploy is not None:
                self.deploy()
        except Exception as exc:  # keep the other posts going; try again next tick
            message = self.redact(f"rebuild for {names} failed: {exc}")
            report.problems.append(message)
            self.log.error("%s", message)
            return
        for g in due:
            self.ledger.finish_golive(g.uid, g.at, now)
        report.rebuilt = True
        self.log.info("rebuilt the site for %s", names)

    def platforms_for(self, item: Planned) -> list[str]:
        wanted = item.platforms or registry.enabled(self.settings)
        return [p for p in wanted if p in self.adapters]

    def sync(self, snap: Snapshot, now: dt.datetime, first_run: bool, report: TickReport) -> None:
        """Planned posts -> ledger rows. Frozen groups (attempted in any way) are never touched."""
        groups = self.ledger.groups()
        seen: set[tuple[str, str]] = set()
        with self.ledger.transaction():
            for item in snap.planned:
                item_hash = item_digest(item)
                for platform in self.platforms_for(item):
                    group = (item.key, platform)
                    seen.add(group)
                    limits = self.adapters[platform].limits
                    digest = source_hash(item_hash, limits)
                    info = groups.get(group)
                    if info is not None and (
                        not info.untouched
                        or (info.source_hash == digest and "withdrawn" not in info.causes)
                    ):
                        continue
                    parts, error = compose_rows(item, limits)
                    if first_run and item.due <= now:
                        state, reason, cause = SEEDED, "live before the first run", ""
                        report.seeded += len(parts)
                    elif error:
                        state, reason, cause = DEAD, self.redact(error), "compose"
                        fields = event("compose", item.key, platform, 1, 1, DEAD, reason=reason)
                        self.log.error(
                            "cannot compose %s for %s: %s", item.key, platform, reason, extra=fields
                        )
                    else:
                        state, reason, cause = PENDING, "", ""
                    self.ledger.put_group(
                        item.key, platform, item.due, parts, digest, now, state, reason, cause
                    )
            for (key, platform), info in groups.items():
                source = key.split(":", 1)[0]
                if (key, platform) in seen or not info.untouched or source not in snap.complete:
                    continue
                for row in self.ledger.rows(key=key, platform=platform, states=[PENDING]):
                    self.ledger.move(
                        row.id,
                        STALE,
                        now,
                        f"withdrawn: no longer planned for {platform} in its source",
                        [PENDING],
                        cause="withdrawn",
                    )

    def _recover(self, now: dt.datetime, report: TickReport) -> None:
        """Orphaned claims and ambiguous answers: looked for on the platform (reconcile.py)."""
        reconcile.recover(self, now, report)

    def _mark_stale(self, now: dt.datetime, report: TickReport) -> None:
        cutoff = now - self.settings.catch_up
        hours = self.settings.catch_up.total_seconds() / 3600
        for row in self.ledger.overdue_unstarted(cutoff):
            why = f"due {format_wib(row.due_at)}, more than {hours:g} h ago (catch-up window)"
            if self.ledger.move(row.id, STALE, now, why, [PENDING], cause="late"):
                report.stale += 1
                fields = row_event("stale", row, STALE, reason=why)
                self.log.warning(
                    "stale: %s %s part %d: %s", row.key, row.platform, row.part, why, extra=fields
                )

    def _send_due(self, now: dt.datetime, report: TickReport) -> None:
        used: Counter[str] = Counter()
        # A platform that is down or rate limited waits as a whole (no request until its time,
        # then its posts in their planned order); one that refused our credentials takes
        # nothing more this tick. The other platforms go on either way.
        held = set(self.ledger.holds(now))
        refused: dict[str, str] = {}
        for row in self.ledger.due(now, self.adapters):
            if self.stop.is_set():
                report.stopped = True
                return
            if row.platform in held or used[row.platform] >= self.settings.per_tick_cap:
                continue
            if faults.ARMED:
                faults.hit("before-claim", row.parts > 1)
            claimed = self.ledger.claim(row, now, self.settings.lease_seconds)
            if claimed is None:
                continue  # a previous part is not sent yet, or someone else has it
            if row.platform in refused:
                refusal = PostResult(ok=False, error=refused[row.platform], scope="platform")
                self._record(claimed, refusal, now, report)
                continue
            used[row.platform] += 1
            if faults.ARMED:
                faults.hit("after-claim", row.parts > 1)
            result = self._post(claimed, now, report)
            if faults.ARMED:
                faults.hit("after-record", row.parts > 1)
            if result.scope == "platform" and not result.ok and not result.unknown:
                if result.retryable:
                    held.add(row.platform)
                else:
                    refused[row.platform] = f"not sent: {self.redact(result.error or '')}"

    def _post(self, row: Row, now: dt.datetime, report: TickReport) -> PostResult:
        adapter = self.adapters[row.platform]
        reply_to = None
        if row.part > 1:
            previous = self.ledger.rows(key=row.key, platform=row.platform, states=[SENT])
            reply_to = next((r.remote_id for r in previous if r.part == row.part - 1), None)
        try:
            result = adapter.post(draft_part(row), row.key, reply_to)
        except Exception as exc:  # the adapter broke mid-send: it may have posted
            result = PostResult(ok=False, unknown=True, error=f"{type(exc).__name__}: {exc}")
        if faults.ARMED:
            faults.hit("after-post", row.parts > 1)
        self._record(row, result, now, report)
        return result

    def _record(self, row: Row, result: PostResult, now: dt.datetime, report: TickReport) -> None:
        error = self.redact(result.error or "no reason given")
        where = f"{row.platform} {row.key} part {row.part}/{row.parts}"
        backoff = self.settings.backoff
        outage = result.retryable and result.scope == "platform"
        if result.ok:
            self.ledger.finish(
                row,
                SENT,
                now,
                "sent",
                remote_id=result.remote_id,
                url=result.url,
                sent_at=now,
                next_attempt_at=None,
                cause="",
            )
            fields = row_event("sent", row, SENT, url=result.url, remote_id=result.remote_id)
            self.log.info("sent %s -> %s", where, result.url or result.remote_id, extra=fields)
        elif result.unknown:
            # Looked for on the platform before any resend, where it can be (reconcile.py).
            look = reconcile.first_lookup(
                self.adapters.get(row.platform), now, self.settings.reconcile_seconds
            )
            if look is not None:
                error += f" (the publisher looks for it at {format_wib(look)})"
            cause = "duplicate" if result.duplicate else ""
            self.ledger.finish(row, UNKNOWN, now, error, next_attempt_at=look, cause=cause)
            fields = row_event("unknown", row, UNKNOWN, reason=error)
            self.log.error("unknown %s: %s", where, error, extra=fields)
        elif result.retryable and (outage or row.attempts < backoff.max_attempts):
            # An outage is not the post's fault: it waits (backoff up to max_seconds) for as
            # long as the platform is down, instead of dying after max_attempts.
            later = now + dt.timedelta(seconds=backoff_delay(row.attempts, backoff, self.rng))
            if result.retry_at is not None:  # a rate limit says when: never earlier
                later = max(later, result.retry_at)
            cause = OUTAGE if outage else ""
            self.ledger.finish(row, FAILED, now, error, next_attempt_at=later, cause=cause)
            fields = row_event("failed", row, FAILED, retry_at=later, reason=error)
            self.log.warning(
                "failed %s (retry at %s): %s", where, format_wib(later), error, extra=fields
            )
        else:
            why = f"gave up after {row.attempts} attempts: {error}" if result.retryable else error
            cause = "attempts" if result.retryable else "platform"
            if result.scope == "platform" and not result.retryable:
                cause = "credentials"
            self.ledger.finish(row, DEAD, now, why, cause=cause)
            self.log.error(
                "dead %s: %s", where, why, extra=row_event("dead", row, DEAD, reason=why)
            )
        final = self.ledger.row(row.id)
        (report.sent if final.state == SENT else report.failed).append(final)
