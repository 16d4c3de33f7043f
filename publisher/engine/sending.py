"""One platform's share of a tick, run in its own thread with its own ledger connection.

The scheduler (publisher.engine.scheduler) decides what is due and hands each platform its
rows; a `PlatformRun` then settles the platform's unclear sends (reconcile.py), checks
parked credentials, and sends its due rows in their planned order. A platform that hangs,
times out, answers 5xx or 429 only stops its own run: the other platforms' runs go on in
their threads, and the scheduler waits for a run no longer than the platform's time budget.

The ledger's guarantees hold inside each run: a claim is committed before the adapter is
called and its result right after, on the run's own connection. Every recorded event (claim,
result, `sent_at`, lookup, lease, parking) is dated by `moment()`, the clock's reading at
that instant, never by the tick's start: a slow send earlier in the tick must not make a
later lookup early or a lease already expired.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from publisher.core.settings import Backoff, PublisherSettings
from publisher.core.timeutil import format_wib
from publisher.engine import faults, metrics_job, reconcile
from publisher.engine.events import row_event
from publisher.engine.ledger import DEAD, FAILED, SENT, STALE, UNKNOWN, Ledger, Row
from publisher.engine.ledger.check import usable_id
from publisher.engine.ledger.queries import CREDENTIALS, OUTAGE
from publisher.platforms import registry
from publisher.platforms.base import Adapter
from publisher.platforms.draft import PostResult
from publisher.platforms.media import media_answers

# A parked platform's credentials are tried again after this, then after twice as long...
PARK_CHECK = dt.timedelta(minutes=5)
PARK_CHECK_MAX = dt.timedelta(hours=1)
# Calls of `post` for one claim of a two-step create: the first step, the second, and one
# more when the recorded first step had expired and was made again.
STAGE_ROUNDS = 3


def backoff_delay(attempts: int, backoff: Backoff, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": half fixed, half random.

    Written here rather than with tenacity: tenacity's waits belong to an in-process retry
    loop, ours spans ticks (and restarts) through the ledger, and tests need a seeded RNG.
    """
    ceiling = min(backoff.max_seconds, backoff.base_seconds * (1 << max(attempts - 1, 0)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


def park_delay(checks: int) -> dt.timedelta:
    return min(PARK_CHECK * (1 << max(checks - 1, 0)), PARK_CHECK_MAX)


@dataclass
class Work:
    """What the scheduler hands a platform for one tick."""

    platform: str
    now: dt.datetime  # the tick's time: what is due
    orphans: list[Row] = field(default_factory=list)  # claims of processes that died
    lookups: list[Row] = field(default_factory=list)  # unclear sends whose look is due
    due: list[Row] = field(default_factory=list)  # rows to send, in order
    may_send: bool = True  # not held by an outage or a rate limit, not paused
    check_credentials: bool = False  # parked, and its credentials are to be tried now
    parked: bool = False
    parked_checks: int = 0
    metrics: metrics_job.Plan | None = None  # engagement counts to read after the sends

    @property
    def empty(self) -> bool:
        sending = self.may_send and bool(self.due or self.metrics)
        return not (self.orphans or self.lookups or self.check_credentials or sending)


@dataclass
class Outcome:
    settled: list[Row] = field(default_factory=list)  # unclear sends found on the platform
    sent: list[Row] = field(default_factory=list)
    failed: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # why the run stopped early, if it did
    error: BaseException | None = None  # the ledger failed: the tick must stop


class PlatformRun:
    """The run of one platform in one tick. Everything it records goes through `ledger`,
    a connection made in its own thread (sqlite3 connections belong to their thread)."""

    def __init__(
        self,
        work: Work,
        adapter: Adapter | None,
        open_ledger: Callable[[], Ledger],
        settings: PublisherSettings,
        moment: Callable[[], dt.datetime],
        redact: Callable[[str], str],
        rng: random.Random,
        stop: threading.Event,
        log: logging.Logger,
        over_budget: Callable[[], bool],
        recipients: Callable[[Row], tuple[str, str] | None] | None = None,
    ) -> None:
        self.work = work
        # A fan-out channel's recipient of a row (address, pseudonymous id), asked just
        # before its claim; None: it may not go to them now (publisher/engine/fanout.py).
        self.recipients = recipients
        self.adapter = adapter
        self.open_ledger = open_ledger
        self.settings = settings
        self.moment = moment
        self.redact = redact
        self.rng = rng
        self.stop = stop
        self.log = log
        self.over_budget = over_budget  # True once no new send may start in this tick
        self.outcome = Outcome()
        self.ledger: Ledger  # set in run(), in the run's thread

    # --- what reconcile sees ------------------------------------------------------------
    def note(self, level: str, message: str, row: Row | None = None) -> None:
        where = f"{row.platform} {row.key} part {row.part}/{row.parts}: " if row else ""
        extra = row_event(message.split(":", 1)[0], row, row.state) if row else None
        getattr(self.log, level)("%s%s", where, self.redact(message), extra=extra)

    # --- the run --------------------------------------------------------------------------
    def run(self) -> Outcome:
        try:
            self.ledger = self.open_ledger()
        except Exception as exc:  # handed to the tick, which stops
            self.outcome.error = exc
            return self.outcome
        try:
            self._settle()
            if self.work.check_credentials:
                self._check_credentials()
            if self.work.may_send and not self.work.parked:
                self._send_due()
                if self.work.metrics is not None and not self.work.parked:
                    metrics_job.read(self, self.adapter, self.work.metrics)
        except Exception as exc:  # the ledger failed: the tick re-raises it
            self.outcome.error = exc
            self.log.error("%s: %s", self.work.platform, self.redact(f"{exc}"))
        finally:
            if self.ledger is not None:
                self.ledger.close()
        return self.outcome

    def _settle(self) -> None:
        for row in self.work.orphans:
            done = reconcile.orphan(self, row, "the process stopped during the send")
            self._count(done)
        for row in self.work.lookups:
            if self.stop.is_set():
                return
            done = reconcile.settle(self, row, "the platform's answer was unclear")
            self._count(done)

    def _count(self, done: reconcile.Settled | None) -> None:
        if done is not None:
            (self.outcome.settled if done.sent else self.outcome.failed).append(done.row)

    def _check_credentials(self) -> None:
        """A parked platform: try its credentials; open it when they are accepted."""
        name = self.work.platform
        label = registry.label(name)
        try:
            result = self.adapter.verify() if self.adapter is not None else PostResult(ok=False)
        except Exception as exc:  # a check that breaks is a failed check, not a crash
            result = PostResult(ok=False, retryable=True, error=f"{type(exc).__name__}: {exc}")
        at = self.moment()
        if result.ok:
            self.ledger.unpark(name, at, f"{label} accepted the credentials again")
            self.work.parked = False
            self.log.info("%s: credentials accepted again; its waiting posts go out", name)
            return
        checks = self.work.parked_checks + 1
        later = at + park_delay(checks)
        state = self.ledger.platform_state(name)
        reason = state.reason
        if not result.retryable and result.error:  # refused again: say so in its words
            reason = self.redact(result.error)
        self.ledger.park(name, at, reason, later, checks)
        self.log.warning(
            "%s: credentials still refused (%s); trying again at %s",
            name, self.redact(result.error or "no answer"), format_wib(later),
        )  # fmt: skip

    def _send_due(self) -> None:
        used = 0
        limits = getattr(self.adapter, "limits", None)
        cap = getattr(limits, "per_tick", None) or self.settings.per_tick_cap
        due = self.work.due
        if self.work.orphans or self.work.lookups or self.work.check_credentials:
            # Settling may have made rows due again (absent: send it again): read afresh.
            due = self.ledger.due(self.work.now, [self.work.platform])
        for row in due:
            if self.stop.is_set():
                self.outcome.notes.append("stopped")
                return
            if used >= cap:
                return
            if self.over_budget():
                self.outcome.notes.append("its time budget for this tick ran out")
                return
            if self._image_not_live(row):
                continue
            who = None
            if self.recipients is not None:
                who = self.recipients(row)
                if who is None:
                    self._not_for_them(row)
                    continue
            if faults.ARMED:
                faults.hit("before-claim", row.parts > 1)
            claimed = self.ledger.claim(
                row, self.work.now, self.settings.lease_seconds, at=self.moment()
            )
            if claimed is None:
                continue  # a previous part is not sent yet, or someone else has it
            used += 1
            if faults.ARMED:
                faults.hit("after-claim", row.parts > 1)
            result = self._post(claimed, who)
            if faults.ARMED:
                faults.hit("after-record", row.parts > 1)
            if result.scope == "platform" and not result.ok and not result.unknown:
                return  # held (outage, rate limit) or parked (credentials): nothing more

    def _image_not_live(self, row: Row) -> bool:
        """A platform that fetches the image from our public site (Meta) gets the part only
        once the image answers there: until then it waits, without an attempt."""
        spec = registry.spec(row.platform)
        real = getattr(self.adapter, "mode", "real") == "real"  # the outbox fetches nothing
        if row.stage or not row.media or not real or not spec.fetches_media_by_url:
            return False
        url = str(row.media[0].get("path_or_url", ""))
        if not url.startswith(("http://", "https://")) or media_answers(url):
            return False  # a local path: the adapter says why it cannot send it
        why = f"waiting: its image {url} does not answer on the public site yet (not deployed)"
        if row.reason != why:
            self.ledger.move(row.id, row.state, self.moment(), why, [row.state])
            self.note("info", why, row)
        return True

    def _not_for_them(self, row: Row) -> None:
        """A fan-out row whose recipient left the list, or may no longer have it."""
        why = "not sent: its recipient is no longer on the list for it (or it is too late for it)"
        if self.ledger.move(row.id, STALE, self.moment(), why, [row.state], cause="withdrawn"):
            self.note("info", f"stale: {why}", self.ledger.row(row.id))

    def _post(self, row: Row, who: tuple[str, str] | None = None) -> PostResult:
        reply_to = None
        if row.part > 1:
            previous = self.ledger.rows(key=row.key, platform=row.platform, states=[SENT])
            reply_to = next((r.remote_id for r in previous if r.part == row.part - 1), None)
        part = reconcile.draft_part(row)
        if who is not None:  # a fan-out recipient: the address only in the part, never stored
            part = replace(part, recipient=who[0], recipient_id=who[1])
        for _round in range(STAGE_ROUNDS):
            try:
                assert self.adapter is not None
                result = self.adapter.post(part, row.key, reply_to)
            except Exception as exc:  # the adapter broke mid-send: it may have posted
                result = PostResult(ok=False, unknown=True, error=f"{type(exc).__name__}: {exc}")
            if result.stage is None or result.stage == part.stage:
                break
            # A first step made (or forgotten): in the ledger before any second step.
            what = f"first step recorded: {result.stage}" if result.stage else "first step dropped"
            if not self.ledger.record_stage(row, result.stage, self.moment(), what):
                return result  # no longer ours: the process that settled it decides
            part = replace(part, stage=result.stage)
            if result.ok or result.error is not None or not result.stage:
                break
            if faults.ARMED:
                faults.hit("after-stage", row.parts > 1)
        if not result.ok and result.error is None:  # first steps only, no second yet
            result = replace(result, retryable=True, error="the first step is done; the second "
                             "follows at the next attempt")  # fmt: skip
        if faults.ARMED:
            faults.hit("after-post", row.parts > 1)
        self.record(row, result)
        return result

    def record(self, row: Row, result: PostResult) -> None:
        """The adapter's answer into the ledger, dated by the clock at this moment."""
        at = self.moment()
        if result.ok and not usable_id(result.remote_id):
            # A success without an id cannot be found again, linked or replied to: whether
            # it is there is for a lookup to say, never for `sent`.
            result = PostResult(
                ok=False,
                unknown=True,
                error=f"{registry.label(row.platform)} answered success without a usable id "
                f"({result.remote_id!r})",
                request=result.request,
            )
        error = self.redact(result.error or "no reason given")
        where = f"{row.platform} {row.key} part {row.part}/{row.parts}"
        backoff = self.settings.backoff
        # An attempt the adapter renewed itself (Bluesky's ExpiredToken: a new session, the
        # same request again) is not one more try of this post.
        attempts = row.attempts - 1 if result.renewed_session else row.attempts
        outage = result.retryable and result.scope == "platform"
        if result.ok:
            self.ledger.finish(
                row, SENT, at, "sent", remote_id=str(result.remote_id), url=result.url,
                sent_at=at, next_attempt_at=None, cause="", attempts=attempts,
            )  # fmt: skip
            fields = row_event("sent", row, SENT, url=result.url, remote_id=result.remote_id)
            self.log.info("sent %s -> %s", where, result.url or result.remote_id, extra=fields)
        elif result.unknown:
            look = reconcile.first_lookup(self.adapter, at, self.settings.reconcile_seconds)
            if look is not None:
                error += f" (the publisher looks for it at {format_wib(look)})"
            cause = "duplicate" if result.duplicate else ""
            self.ledger.finish(
                row, UNKNOWN, at, error, next_attempt_at=look, cause=cause, lookup_from=at,
                lookups=0, attempts=attempts,
            )  # fmt: skip
            fields = row_event("unknown", row, UNKNOWN, reason=error)
            self.log.error("unknown %s: %s", where, error, extra=fields)
        elif result.scope == "platform" and not result.retryable:
            # Credentials refused: the account, not the post. The platform is parked and its
            # posts wait (never `dead` for it) until a credential check passes.
            later = at + park_delay(1)
            self.ledger.park(row.platform, at, error, later, 1)
            self.ledger.finish(
                row, FAILED, at, f"waiting: {error}", next_attempt_at=at, cause=CREDENTIALS,
                attempts=attempts,
            )  # fmt: skip
            self.work.parked = True
            fields = row_event("parked", row, FAILED, reason=error)
            self.log.error("parked %s: %s", row.platform, error, extra=fields)
        elif result.retryable and (outage or attempts < backoff.max_attempts):
            # An outage is not the post's fault: it waits (backoff up to max_seconds) for as
            # long as the platform is down, instead of dying after max_attempts.
            later = at + dt.timedelta(seconds=backoff_delay(attempts, backoff, self.rng))
            if result.retry_at is not None:  # a rate limit says when: never earlier
                later = max(later, result.retry_at)
            cause = OUTAGE if outage else ""
            self.ledger.finish(
                row, FAILED, at, error, next_attempt_at=later, cause=cause, attempts=attempts
            )
            fields = row_event("failed", row, FAILED, retry_at=later, reason=error)
            self.log.warning(
                "failed %s (retry at %s): %s", where, format_wib(later), error, extra=fields
            )
        else:
            why = f"gave up after {attempts} attempts: {error}" if result.retryable else error
            cause = "attempts" if result.retryable else "platform"
            self.ledger.finish(row, DEAD, at, why, cause=cause, attempts=attempts)
            self.log.error(
                "dead %s: %s", where, why, extra=row_event("dead", row, DEAD, reason=why)
            )
        final = self.ledger.row(row.id)
        (self.outcome.sent if final.state == SENT else self.outcome.failed).append(final)


@dataclass(frozen=True)
class Deadline:
    """A platform run's time budget for one tick. It runs on the wall clock and on the
    scheduler's clock, whichever ends first: a test clock that stands still, or one that
    runs fast, both end it."""

    wall: float  # time.monotonic()
    clock: dt.datetime  # on the scheduler's clock

    @classmethod
    def after(cls, seconds: float, now: dt.datetime) -> Deadline:
        return cls(time.monotonic() + seconds, now + dt.timedelta(seconds=seconds))

    def passed(self, moment: dt.datetime) -> bool:
        return time.monotonic() > self.wall or moment > self.clock

    def checker(self, moment: Callable[[], dt.datetime]) -> Callable[[], bool]:
        """Has the budget run out, asked with the run's own clock reading."""
        return lambda: self.passed(moment())
