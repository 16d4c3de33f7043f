"""The sample campaign run through the engine against the local platform servers on a fake
clock, for the campaign report's tests, its docs and its benchmark.

The real wiring (`make_scheduler`: the campaign file, the go-live scan, the real adapters
from the environment) with three changes: the clock is ours, the site is not rebuilt (the
go-live records are kept as production keeps them), and nothing leaves 127.0.0.1. The clock
jumps from one moment something is due to the next (a post, a retry, a reading of
engagement), so two and a half weeks take a few seconds.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.content import golive as embargo
from publisher.core.environment import Environment
from publisher.core.settings import PublisherSettings
from publisher.engine import metrics_job
from publisher.engine.ledger import Ledger
from publisher.ops.runner import make_scheduler
from tests.engine_support import Clock, make_settings
from tests.platform_servers.bluesky import BlueskyServer
from tests.platform_servers.facebook import FacebookServer
from tests.platform_servers.fixtures import environ_for
from tests.platform_servers.mastodon import MastodonServer
from tests.platform_servers.telegram import TelegramServer
from tests.platform_servers.x import XServer
from tests.support import ROOT

SLUG = "hari-dunia-anti-perdagangan-orang-2027"
START = "2027-07-19 08:00"  # a day before the first post: nothing is seeded
END = "2027-08-13 12:00"  # the last post's 7-day reading is done by then
MAX_TICKS = 400


@dataclass
class CampaignRun:
    root: Path
    settings: PublisherSettings
    ledger: Ledger
    clock: Clock
    servers: dict[str, Any]
    ticks: int = 0


def project_copy(where: Path) -> Path:
    """The real campaigns, content and data, where the run may write its ledger."""
    for name in ("campaigns", "content", "data", "theme"):
        shutil.copytree(ROOT / name, where / name)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, where / name)
    return where


def servers_on(clock: Clock) -> dict[str, Any]:
    found = {
        "x": XServer(),
        "mastodon": MastodonServer(),
        "bluesky": BlueskyServer(),
        "facebook": FacebookServer(),
        "telegram": TelegramServer(),
    }
    for server in found.values():
        server.use_clock(clock)
    return found


def scripted_troubles(servers: dict[str, Any]) -> None:
    """What goes wrong in the sample run, so the report has something to explain: Facebook
    refuses its second post for good, Mastodon is down once (the post goes out on a retry),
    and X answers the first reading of engagement with a rate limit."""
    servers["facebook"].fail_next(400, path=r"/(feed|photos)$", method="POST", after=1)
    servers["mastodon"].fail_next(503, path=r"^/api/v1/statuses$", method="POST", after=2)
    servers["x"].fail_next(429, path=r"^/2/tweets$", method="GET")


def next_moment(ledger: Ledger, now: dt.datetime, golive: list[dt.datetime]) -> dt.datetime | None:
    """The next moment anything is due: a post, a retry, a reading, a go-live."""
    found = [t for t in golive if t > now]
    for row in ledger.rows():
        if row.state == "pending":
            found.append(row.due_at)
        elif row.state in ("failed", "unknown") and row.next_attempt_at is not None:
            found.append(row.next_attempt_at)
        elif row.state == "sent" and row.sent_at is not None:
            found += [row.sent_at + after for after in metrics_job.READ_AFTER]
    for name in ("x", "mastodon", "bluesky", "facebook", "telegram"):
        rest = metrics_job.resting_until(ledger, name)
        if rest is not None:
            found.append(rest)
    later = [t for t in found if t > now]
    return min(later) if later else None


@contextmanager
def run_sample_campaign(root: Path, troubles: bool = True) -> Iterator[CampaignRun]:
    """Run the sample campaign from START to END; yields the run (servers still up)."""
    clock = Clock(START)
    servers = servers_on(clock)
    with ExitStack() as stack:
        for server in servers.values():
            stack.enter_context(server)
        if troubles:
            scripted_troubles(servers)
        settings = make_settings(root, per_tick_cap=5, tick_seconds=60)
        ledger = stack.enter_context(closing(Ledger.open(settings.ledger, actor="report")))
        log = logging.getLogger("publisher.report-run")
        log.propagate = False
        scheduler = make_scheduler(
            settings,
            Environment(environ_for(servers)),
            ledger,
            clock=clock,
            rebuild=lambda now: None,  # the site is not built here; the record is kept
            log=log,
        )
        times, _ = embargo.scan(settings.content)
        golive = [g.at for g in times]
        end = Clock(END).now
        run = CampaignRun(root, settings, ledger, clock, servers)
        while run.ticks < MAX_TICKS:
            scheduler.tick()
            scheduler.wait(timeout=10)
            run.ticks += 1
            moment = next_moment(ledger, clock.now, golive)
            if moment is None or moment > end:
                break
            clock.set(max(moment, clock.now + dt.timedelta(minutes=1)))
        yield run
