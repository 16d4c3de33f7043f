"""Wiring: a Scheduler from settings, the rebuild and deploy hooks, and the `run` loop.

The `schedule` package only drives the tick (it has no persistence, catch-up or locking);
what is due is decided by the scheduler from the ledger, in UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
import sqlite3
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import schedule

from publisher.content import golive as embargo
from publisher.core.environment import Environment
from publisher.core.errors import PublisherError
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import utc_now
from publisher.engine import heartbeat, sources
from publisher.engine.ledger import Ledger, LedgerError
from publisher.engine.scheduler import LOG, Scheduler, TickReport
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms import registry
from publisher.platforms.registry import choose_adapters
from publisher.site.build import build_site

DEPLOY_TIMEOUT = 15 * 60


class DeployFailed(PublisherError):
    pass


def redactor(secrets: Environment) -> Callable[[str], str]:
    """Replace every secret value in a text (exception messages can carry tokens in URLs).

    Only the tokens, keys and passwords: handles, Page and chat ids and the Mastodon server's
    address are public, and they are part of every post URL the logs must show.
    """
    values = sorted(
        (v for v in secrets.values(registry.secret_names()) if len(v) >= 4), key=len, reverse=True
    )

    def redact(text: str) -> str:
        for value in values:
            text = text.replace(value, "[secret]")
        return text

    return redact


def site_rebuilder(settings: PublisherSettings) -> Callable[[dt.datetime], None]:
    """Build the site as of `now` into the folder the feed is read from (or the default)."""
    output = None if settings.feed_is_url else Path(settings.feed)

    def rebuild(now: dt.datetime) -> None:
        build_site(settings.settings_file, output=output, now=now)

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
) -> Scheduler:
    """The scheduler with real adapters (or the outbox), the site's go-live rebuild and the
    deploy command; `sole_instance` when the caller holds the ledger's InstanceLock."""
    redact = redactor(secrets)
    choices = choose_adapters(settings, secrets, clock)
    for choice in choices:
        log.info("%s: %s (%s)", choice.platform, choice.mode, choice.note)
    memo = sources.SiteMemo()
    return Scheduler(
        settings,
        ledger,
        {c.platform: c.adapter for c in choices},
        lambda: sources.snapshot(settings, memo=memo),
        clock=clock,
        golive=lambda: embargo.scan(settings.content),
        rebuild=rebuild or site_rebuilder(settings),
        deploy=deployer(settings, redact),
        redact=redact,
        stop=stop,
        log=log,
        sole_instance=sole_instance,
    )


def tick_once(scheduler: Scheduler, wall_clock: Callable[[], dt.datetime] = utc_now) -> TickReport:
    """One tick, then the heartbeat that `publisher status` watches.

    The beat is written only after the tick returned: a tick that raised, or that stopped
    half way for SIGTERM, is not a sign of a healthy publisher.
    """
    report = scheduler.tick()
    if not report.stopped:
        heartbeat.record(scheduler.ledger, report, wall_clock())
    return report


def safe_tick(scheduler: Scheduler) -> None:
    """One tick for the loop: whatever goes wrong is logged, and the loop goes on; except a
    ledger that cannot be used (full disk, damaged file, locked too long): then the loop
    stops with that one line, since every step after would act on a ledger it cannot trust.
    The steps already taken were each committed or rolled back whole."""
    try:
        tick_once(scheduler)
    except LedgerError:
        raise
    except sqlite3.DatabaseError as exc:
        path = scheduler.ledger.path
        raise LedgerError(f"{path}: the ledger cannot be read ({exc})") from None
    except Exception as exc:
        scheduler.log.error("tick failed: %s", scheduler.redact(f"{type(exc).__name__}: {exc}"))


def run_forever(scheduler: Scheduler, tick_seconds: int, stop: threading.Event) -> None:
    """Tick now, then every `tick_seconds`, until `stop` is set (SIGTERM sets it)."""
    jobs = schedule.Scheduler()
    jobs.every(tick_seconds).seconds.do(safe_tick, scheduler)
    safe_tick(scheduler)
    while not stop.is_set():
        jobs.run_pending()
        idle = jobs.idle_seconds
        stop.wait(1.0 if idle is None else min(1.0, max(idle, 0.05)))


def run_scheduler(settings: PublisherSettings, stop: threading.Event) -> None:
    """The scheduler loop until `stop` is set; `publisher run` and `serve --publish` share it."""
    with InstanceLock(settings.ledger):
        ledger = Ledger.open(settings.ledger)
        try:
            scheduler = make_scheduler(
                settings, registry.environment(settings.root), ledger, stop=stop, sole_instance=True
            )
            scheduler.log.info(
                "running: a tick every %d s; Ctrl+C or SIGTERM stops", settings.tick_seconds
            )
            run_forever(scheduler, settings.tick_seconds, stop)
        finally:
            ledger.close()
    logging.getLogger("publisher.engine").info("stopped")
