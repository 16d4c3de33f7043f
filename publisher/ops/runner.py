"""Wiring: a Scheduler from settings, the rebuild and deploy hooks, and the `run` loop.

The loop ticks at once and then every tick_seconds after the first tick (fixed rate, on the
scheduler's own clock); what is due is decided by the scheduler from the ledger, in UTC.
`publisher run` reads the credentials again when `.env` changes or on SIGHUP, without a
restart: the adapters are rebuilt between two ticks, and a platform parked for refused
credentials has them checked at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import shlex
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import schedule

from publisher.content import golive as embargo
from publisher.core import redact
from publisher.core.environment import Environment, dotenv_stamp
from publisher.core.errors import PublisherError
from publisher.core.project import Project
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import utc_now
from publisher.engine import faults, heartbeat, sources
from publisher.engine.fanout import FanOut
from publisher.engine.ledger import Ledger, LedgerError
from publisher.engine.press.planner import PressMail
from publisher.engine.scheduler import LOG, Scheduler, TickReport
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms import registry
from publisher.platforms.base import Adapter
from publisher.platforms.registry import choose_adapters
from publisher.site import release_pdf
from publisher.site.build import build_site

DEPLOY_TIMEOUT = 15 * 60


class DeployFailed(PublisherError):
    pass


class Redactor:
    """Replace every secret value in a text, in each of its encoded forms and in any
    Authorization header (publisher.core.redact does the replacing).

    Only the tokens, keys and passwords: handles, Page and chat ids and the Mastodon server's
    address are public, and they are part of every post URL the logs must show. Values read
    again from `.env` are added, never dropped: an old token may still be in a late message.
    """

    def __init__(self, secrets: Environment) -> None:
        self._redact = redact.Redactor()
        self.add(secrets)

    def add(self, secrets: Environment) -> None:
        self._redact = self._redact.with_secrets(secrets.values(registry.secret_names()))

    def __call__(self, text: str) -> str:
        return self._redact(text)


def redactor(secrets: Environment) -> Redactor:
    return Redactor(secrets)


def site_rebuilder(settings: PublisherSettings) -> Callable[[dt.datetime], None]:
    """Build the site as of `now` into the folder the feed is read from (or the default)."""
    output = None if settings.feed_is_url else Path(settings.feed)

    def rebuild(now: dt.datetime) -> None:
        # The scheduler's clock is the authority on what is live: its build is never a
        # preview of the future, even when a test or a warped clock runs ahead of the wall.
        build_site(settings.settings_file, output=output, now=now, future=False)

    return rebuild


def deployer(
    settings: PublisherSettings, redact: Callable[[str], str]
) -> Callable[[], None] | None:
    if not settings.deploy_command:
        return None

    def deploy() -> None:
        try:
            done = subprocess.run(
                shlex.split(settings.deploy_command),
                cwd=settings.root,
                capture_output=True,
                text=True,
                timeout=DEPLOY_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeployFailed(f"deploy command could not run: {exc}") from None
        if done.returncode != 0:
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise DeployFailed(redact(f"deploy command exited {done.returncode}: {tail}"))

    return deploy


def make_scheduler(
    settings: PublisherSettings,
    secrets: Environment,
    ledger: Ledger,
    *,
    clock: Callable[[], dt.datetime] = utc_now,
    stop: threading.Event | None = None,
    rebuild: Callable[[dt.datetime], None] | None = None,
    log: logging.Logger = LOG,
    sole_instance: bool = False,
    redact: Redactor | None = None,
) -> Scheduler:
    """The scheduler with real adapters (or the outbox), the site's go-live rebuild and the
    deploy command; `sole_instance` when the caller holds the ledger's InstanceLock."""
    redact = redact or redactor(secrets)
    memo = sources.SiteMemo()
    return Scheduler(
        settings,
        ledger,
        adapters_for(settings, secrets, clock, log),
        lambda: sources.snapshot(settings, memo=memo),
        clock=clock,
        golive=lambda: embargo.scan(settings.content),
        rebuild=rebuild or site_rebuilder(settings),
        deploy=deployer(settings, redact),
        redact=redact,
        stop=stop,
        log=log,
        sole_instance=sole_instance,
        fanout=press_channels(settings, secrets),
    )


def press_channels(settings: PublisherSettings, secrets: Environment) -> dict[str, FanOut]:
    """The e-mail channel's planner when e-mail is enabled, with the site's release PDF
    printer (publisher/site/release_pdf.py imports no Pelican: it runs inside a tick)."""
    if "email" not in registry.enabled(settings) or not settings.settings_file.is_file():
        return {}  # no site settings: no press room, nothing to mail
    project = Project.from_settings_file(settings.settings_file)
    layout = project.layout
    printer = release_pdf.printer_for(
        layout.theme / "templates", layout.hotlines_file, layout.content
    )
    return {"email": PressMail(settings, secrets, printer, project)}


def adapters_for(
    settings: PublisherSettings,
    secrets: Environment,
    clock: Callable[[], dt.datetime],
    log: logging.Logger,
) -> dict[str, Adapter]:
    choices = choose_adapters(settings, secrets, clock)
    for choice in choices:
        log.info("%s: %s (%s)", choice.platform, choice.mode, choice.note)
    return {c.platform: c.adapter for c in choices}


class CredentialWatch:
    """Between two ticks of `publisher run`: read the credentials again when `.env` changed
    (its modification time or size) or SIGHUP asked (`hup`), rebuild the adapters, and have
    every parked platform's credentials checked at the next tick."""

    def __init__(
        self,
        settings: PublisherSettings,
        scheduler: Scheduler,
        secrets: Environment,
        redact: Redactor,
        hup: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.scheduler = scheduler
        self.stamp = secrets.source_stamp
        self.redact = redact
        self.hup = hup or threading.Event()

    def __call__(self) -> bool:
        stamp = dotenv_stamp(self.settings.root)
        if stamp == self.stamp and not self.hup.is_set():
            return False
        why = "SIGHUP" if self.hup.is_set() else ".env changed"
        self.hup.clear()
        self.stamp = stamp
        secrets = registry.environment(self.settings.root)
        self.redact.add(secrets)
        log = self.scheduler.log
        log.info("reading the credentials again (%s)", why)
        self.scheduler.adapters = adapters_for(self.settings, secrets, self.scheduler.clock, log)
        self.scheduler.recheck |= set(self.scheduler.adapters)
        return True


def tick_once(scheduler: Scheduler, wall_clock: Callable[[], dt.datetime] = utc_now) -> TickReport:
    """One tick, then the heartbeat that `publisher status` watches.

    The beat is written only after the tick returned: a tick that raised, or that stopped
    half way for SIGTERM, is not a sign of a healthy publisher.
    """
    report = scheduler.tick()
    if not report.stopped:
        heartbeat.record(scheduler.ledger, report, wall_clock())
    return report


def safe_tick(
    scheduler: Scheduler, wall_clock: Callable[[], dt.datetime] = utc_now
) -> TickReport | None:
    """One tick for the loop: whatever goes wrong is logged, and the loop goes on; except a
    ledger that cannot be used (full disk, damaged file, locked too long): then the loop
    stops with that one line, since every step after would act on a ledger it cannot trust.
    The steps already taken were each committed or rolled back whole."""
    try:
        return tick_once(scheduler, wall_clock)
    except LedgerError:
        raise
    except sqlite3.DatabaseError as exc:
        path = scheduler.ledger.path
        raise LedgerError(f"{path}: the ledger cannot be read ({exc})") from None
    except Exception as exc:
        scheduler.log.error("tick failed: %s", scheduler.redact(f"{type(exc).__name__}: {exc}"))
        return None


class Rhythm:
    """Tick slots every `tick_seconds` from the first tick: a tick that overruns its slot is
    followed at once by the next slot's tick, never by a burst of the missed ones."""

    def __init__(self, start: dt.datetime, tick_seconds: int) -> None:
        self.start, self.tick_seconds, self.slot = start, tick_seconds, 0

    def next_after(self, now: dt.datetime) -> dt.datetime:
        elapsed = (now - self.start).total_seconds()
        self.slot = max(self.slot + 1, math.floor(elapsed / self.tick_seconds) + 1)
        return self.start + dt.timedelta(seconds=self.slot * self.tick_seconds)


def run_forever(
    scheduler: Scheduler,
    tick_seconds: int,
    stop: threading.Event,
    *,
    before_tick: Callable[[], object] | None = None,
    pause: Callable[[float], bool] | None = None,
) -> None:
    """Tick now, then at every multiple of `tick_seconds` after this first tick, until
    `stop` is set (SIGTERM sets it).

    On the wall clock the `schedule` package drives the loop (its job is the tick; we move
    its next run onto the Rhythm's slot, since `schedule` counts each interval from the end
    of the previous run). Tests and the time-warped crash harness give `pause`, a clock of
    their own that `schedule` cannot read, and take the same slots.
    """

    def one_tick() -> None:
        if before_tick is not None:
            try:
                before_tick()
            except Exception as exc:  # a broken .env must not stop the posts already working
                scheduler.log.error("%s", scheduler.redact(f"credentials not read again: {exc}"))
        safe_tick(scheduler, scheduler.clock)

    rhythm = Rhythm(scheduler.clock(), tick_seconds)
    if pause is None:
        _with_schedule(one_tick, rhythm, scheduler.clock, tick_seconds, stop)
    else:
        while not stop.is_set():
            one_tick()
            now = scheduler.clock()
            wait = (rhythm.next_after(now) - now).total_seconds()
            if wait > 0:
                pause(wait)
    scheduler.wait(timeout=scheduler.settings.platform_budget_seconds)


def _with_schedule(
    tick: Callable[[], None],
    rhythm: Rhythm,
    clock: Callable[[], dt.datetime],
    tick_seconds: int,
    stop: threading.Event,
) -> None:
    jobs = schedule.Scheduler()
    job = jobs.every(tick_seconds).seconds.do(tick)
    job.next_run = dt.datetime.now()  # the first tick now, inside the rhythm (schedule: local)
    while not stop.is_set():
        ran = job.last_run
        jobs.run_pending()
        if job.last_run is not ran:
            now = clock()
            job.next_run = dt.datetime.now() + (rhythm.next_after(now) - now)
        idle = jobs.idle_seconds
        stop.wait(1.0 if idle is None else min(1.0, max(idle, 0.05)))


def run_scheduler(
    settings: PublisherSettings,
    stop: threading.Event,
    *,
    redact: Redactor | None = None,
    hup: threading.Event | None = None,
) -> None:
    """The scheduler loop until `stop` is set; `publisher run` and `serve --publish` share it.

    PUBLISHER_TIME_WARP (tests and benchmarks only, publisher.engine.faults) puts the loop
    on a faster clock."""
    warp = faults.warp()
    clock: Callable[[], dt.datetime] = warp or utc_now
    with InstanceLock(settings.ledger):
        ledger = Ledger.open(settings.ledger)
        try:
            secrets = registry.environment(settings.root)
            redact = redact or redactor(secrets)
            scheduler = make_scheduler(
                settings, secrets, ledger, clock=clock, stop=stop, sole_instance=True,
                redact=redact,
            )  # fmt: skip
            watch = CredentialWatch(settings, scheduler, secrets, redact, hup)
            scheduler.log.info(
                "running: a tick every %d s; Ctrl+C or SIGTERM stops, SIGHUP reads .env again",
                settings.tick_seconds,
            )
            run_forever(
                scheduler,
                settings.tick_seconds,
                stop,
                before_tick=watch,
                pause=faults.sleeper(stop.wait, warp) if warp else None,
            )
        finally:
            ledger.close()
    logging.getLogger("publisher.engine").info("stopped")
