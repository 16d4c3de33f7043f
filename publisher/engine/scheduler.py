"""The tick: go-live rebuilds -> sync sources into the ledger -> stale -> each platform's run.

`tick(now)` never sleeps and takes its time from the injected clock, so tests drive a week in
milliseconds. The tick's `now` decides only what is due; every event recorded during the
tick is dated by the clock's reading at that moment (`moment()`). Every row's error is caught
and recorded; nothing a single post does can stop the loop. The ledger is the only memory: a
claim is committed before the adapter is called and the result right after, so a crash can
cost at most one `unknown` row, never a repost.

Each platform's share of the tick (settling unclear sends, credential checks, sending) runs
in its own thread with its own ledger connection (publisher.engine.sending), so a platform
that hangs or fails delays only itself. The tick waits for a platform's run at most
PUBLISHER["platform_budget_seconds"]; a run still going then finishes in the background and
its platform is skipped until it has.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping

from publisher.content.golive import GoLive
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib, utc_now
from publisher.engine import metrics_job
from publisher.engine.compose import skipped
from publisher.engine.events import row_event
from publisher.engine.fanout import FanOut, FanOuts
from publisher.engine.ledger import (
    PARKED,
    PAUSED,
    PENDING,
    SEEDED,
    STALE,
    Ledger,
    LedgerError,
    Row,
)
from publisher.engine.planned import Planned
from publisher.engine.reconcile import draft_part
from publisher.engine.report import TickReport
from publisher.engine.sending import Deadline, Outcome, PlatformRun, Work, backoff_delay
from publisher.engine.sources import Snapshot
from publisher.engine.syncing import Sync, compose_rows, item_digest, source_hash
from publisher.platforms import registry
from publisher.platforms.base import Adapter

LOG = logging.getLogger("publisher.engine")
FIRST_RUN = "first_run_at"
LAST_TICK = "last_tick_at"  # the `now` of the last tick that finished: downtime is after it

__all__ = [
    "FIRST_RUN",
    "LOG",
    "Scheduler",
    "TickReport",
    "backoff_delay",
    "compose_rows",
    "draft_part",
    "item_digest",
    "source_hash",
]


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
        fanout: Mapping[str, FanOut] | None = None,
    ) -> None:
        self.settings = settings
        self.ledger = ledger
        self.adapters: Mapping[str, Adapter] = dict(adapters)
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
        self._base = (clock(), clock())  # (the tick's now, the clock's reading then)
        self._threads: dict[str, threading.Thread] = {}  # platform -> its run, if running
        self._rngs: dict[str, random.Random] = {}
        self.recheck: set[str] = set()  # parked platforms whose credentials changed
        self._sync = Sync()  # what the sync keeps between ticks
        self.fanout = FanOuts(fanout)  # fan-out channels (e-mail): publisher/engine/fanout.py

    # --- time -------------------------------------------------------------------------
    def moment(self) -> dt.datetime:
        """The clock's reading now, on the tick's time line (`tick --now` shifts both)."""
        now, reading = self._base
        return now + (self.clock() - reading)

    def _moment_from(self, base: tuple[dt.datetime, dt.datetime]) -> Callable[[], dt.datetime]:
        return lambda: base[0] + (self.clock() - base[1])

    # --- the tick ---------------------------------------------------------------------
    def tick(self, now: dt.datetime | None = None) -> TickReport:
        reading = self.clock()
        now = now or reading
        self._base = (now, reading)
        report = TickReport(now)
        first_run = self.ledger.get_meta(FIRST_RUN) is None
        previous = self._last_tick()
        self._go_live(now, report)
        snap = self.sources()
        report.problems += [self.redact(p) for p in snap.problems]
        for problem in report.problems:
            self.log.warning("%s", problem)
        self.sync(snap, now, first_run, report)
        args = (self.ledger, now, self.moment(), first_run, report, self.log, self.redact)
        self.fanout.tick(self.adapters, *args)  # e-mail's deliveries, after the posts
        if first_run:
            self.ledger.set_meta(FIRST_RUN, now.isoformat())
            self.log.info("first run: %d post(s) already live recorded as seeded", report.seeded)
        else:
            self._mark_stale(now, previous, report)
        self._run_platforms(now, report)
        if not report.stopped:
            self.ledger.set_meta(LAST_TICK, now.isoformat())
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

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for platform runs still going after their tick; True when none is left."""
        end = None if timeout is None else time.monotonic() + timeout
        for thread in list(self._threads.values()):
            left = None if end is None else max(end - time.monotonic(), 0)
            thread.join(left)
        return not self.busy()

    def busy(self) -> list[str]:
        return sorted(p for p, t in self._threads.items() if t.is_alive())

    # --- steps ------------------------------------------------------------------------
    def _last_tick(self) -> dt.datetime | None:
        raw = self.ledger.get_meta(LAST_TICK)
        if raw is None:  # a ledger from before LAST_TICK: the heartbeat has the tick time
            try:
                raw = json.loads(self.ledger.get_meta("last_tick") or "{}").get("tick_time")
            except (ValueError, AttributeError):
                raw = None
        try:
            return dt.datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None

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
            self.ledger.finish_golive(g.uid, g.at, self.moment())
        report.rebuilt = True
        self.log.info("rebuilt the site for %s", names)

    def platforms_for(self, item: Planned) -> list[str]:
        wanted = item.platforms or registry.enabled(self.settings)
        # Fan-out channels (e-mail) get their rows from their planner (engine/fanout.py);
        # a platform that needs what the item lacks (an image) is left out (compose.skipped).
        return [
            p
            for p in wanted
            if p in self.adapters and p not in registry.FANOUT and skipped(item, p) is None
        ]

    def sync(self, snap: Snapshot, now: dt.datetime, first_run: bool, report: TickReport) -> None:
        """Planned posts -> ledger rows (publisher.engine.syncing)."""
        self._sync.run(self, snap, now, first_run, report)

    def _mark_stale(
        self, now: dt.datetime, previous: dt.datetime | None, report: TickReport
    ) -> None:
        """Only real downtime makes a row stale: a post that fell due while no tick ran
        (after the last tick, `previous`), more than the catch-up window ago. A post that
        waited while the publisher ran (a platform held, paused or parked, an embargo that
        lifted late, a cap) is never stale: it goes out, in order, when it can."""
        cutoff = now - self.settings.catch_up
        if previous is not None and previous >= cutoff:
            return  # no gap longer than the window: nothing fell due unseen that long ago
        hours = self.settings.catch_up.total_seconds() / 3600
        since = f" since {format_wib(previous)}" if previous else ""
        for row in self.ledger.overdue_unstarted(previous, cutoff):
            why = (
                f"due {format_wib(row.due_at)}, more than {hours:g} h ago, while the publisher "
                f"was not running{since} (catch-up window): to post it anyway, "
                f"`publisher retry {row.key} --platform {row.platform}`"
            )
            if self.ledger.move(row.id, STALE, self.moment(), why, [PENDING], cause="late"):
                report.stale += 1
                fields = row_event("stale", row, STALE, reason=why)
                self.log.warning(
                    "stale: %s %s part %d: %s", row.key, row.platform, row.part, why, extra=fields
                )

    # --- the platforms ----------------------------------------------------------------
    def _work(self, now: dt.datetime) -> dict[str, Work]:
        """What each platform has to do now, in one query per kind for all of them."""
        platforms = list(self.adapters)
        states = self.ledger.platform_states()
        held = self.ledger.holds(now)
        settled_before = now - dt.timedelta(seconds=self.settings.reconcile_seconds)
        reading = metrics_job.due(self.ledger, now, self.adapters)  # engagement counts
        grouped: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for kind, found in (
            ("orphans", self.ledger.orphaned_claims(
                now, self.ledger.actor, self.sole_instance, settled_before
            )),
            ("lookups", self.ledger.lookups_due(now)),
            ("due", self.ledger.due(now, platforms)),
        ):  # fmt: skip
            for row in found:
                grouped[row.platform][kind].append(row)
        out = {}
        for platform in platforms:
            state = states.get(platform)
            if state is not None and state.state == PAUSED:
                continue  # a person stopped it: no request of any kind
            parked = state is not None and state.state == PARKED
            next_check = state.next_check_at if state is not None else None
            check = parked and (
                platform in self.recheck or (next_check is not None and next_check <= now)
            )
            if parked and not check:
                continue  # its credentials are refused: nothing will work until they are
            rows = grouped.get(platform, {})
            work = Work(
                platform,
                now,
                orphans=rows.get("orphans", []),
                lookups=rows.get("lookups", []),
                due=rows.get("due", []),
                may_send=platform not in held,
                check_credentials=check,
                parked=parked,
                parked_checks=state.checks if state is not None else 0,
                metrics=reading.get(platform),
            )
            if not work.empty:
                out[platform] = work
        return out

    def _run_platforms(self, now: dt.datetime, report: TickReport) -> None:
        if self.stop.is_set():
            report.stopped = True
            return
        budget = self.settings.platform_budget_seconds
        deadline = Deadline.after(budget, self.moment())
        runs: dict[str, PlatformRun] = {}
        for platform, work in self._work(now).items():
            if platform in self.busy():
                report.busy.append(platform)
                self.log.warning(
                    "%s: its run of an earlier tick is still waiting for the platform; its "
                    "posts wait for it (the other platforms do not)",
                    platform,
                )
                continue
            self.recheck.discard(platform)
            moment = self._moment_from(self._base)
            run = PlatformRun(
                work,
                self.adapters.get(platform),
                self.ledger.sibling,
                self.settings,
                moment,
                self.redact,
                self._rng(platform),
                self.stop,
                self.log,
                deadline.checker(moment),
                self.fanout.recipients(platform, moment),
            )
            thread = threading.Thread(target=run.run, name=f"publisher-{platform}", daemon=True)
            runs[platform] = run
            self._threads[platform] = thread
            thread.start()
        waiting = [self._threads[p] for p in runs]
        while waiting and not deadline.passed(self.moment()):
            waiting[0].join(0.02)
            waiting = [t for t in waiting if t.is_alive()]
        self._merge(runs, report)

    def _rng(self, platform: str) -> random.Random:
        """One generator per platform, seeded from the scheduler's: runs in parallel threads
        draw their jitter in a fixed order, so a seeded test stays reproducible."""
        if platform not in self._rngs:
            self._rngs[platform] = random.Random(f"{self.rng.random()}:{platform}")
        return self._rngs[platform]

    def _merge(self, runs: dict[str, PlatformRun], report: TickReport) -> None:
        failure: BaseException | None = None
        settled: list[Row] = []
        for platform, run in runs.items():
            if self._threads[platform].is_alive():
                report.busy.append(platform)
                self.log.warning(
                    "%s: still waiting for the platform after %d s; the tick goes on without it",
                    platform,
                    self.settings.platform_budget_seconds,
                )
                continue
            del self._threads[platform]
            outcome: Outcome = run.outcome
            if outcome.error is not None:
                if isinstance(outcome.error, (LedgerError, sqlite3.DatabaseError)):
                    failure = failure or outcome.error
                else:
                    message = self.redact(
                        f"{platform}: {type(outcome.error).__name__}: {outcome.error}"
                    )
                    report.problems.append(message)
                    self.log.error("%s", message)
            settled += outcome.settled
            report.sent += outcome.sent
            report.failed += outcome.failed
            if "stopped" in outcome.notes:
                report.stopped = True
        order = _order
        report.sent = sorted(settled, key=order) + sorted(report.sent, key=order)
        report.failed.sort(key=order)
        if self.stop.is_set():
            report.stopped = True
        if failure is not None:
            raise failure


def _order(row: Row) -> tuple[dt.datetime, str, str, int]:
    return (row.due_at, row.key, row.platform, row.part)
