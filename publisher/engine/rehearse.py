"""`publisher rehearse CAMPAIGN`: the campaign's whole calendar in simulated time.

A throwaway ledger and outbox in a temporary folder, outbox adapters for every enabled
platform (never a real one, whatever credentials exist) and a simulated clock that jumps
from one post time to the next. The real ledger is never opened.

Besides the calendar, the rehearsal posts the campaign's articles and releases (its own
release included), live or still waiting for their go-live (read from content/), each at
its go-live; links are at the production site's address, as production sends them.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from publisher.core.errors import PublisherError
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import utc_now
from publisher.core.words import did_you_mean
from publisher.engine.ledger import Ledger, Row
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot, calendar_items, read_campaigns, read_site
from publisher.engine.upcoming import (
    at_production,
    merged,
    production_url,
    scheduled,
    warnings,
    with_production_links,
)
from publisher.platforms.registry import OutboxAdapter, platform_limits

MAX_TICKS = 500  # a calendar cannot keep a rehearsal going forever


class RehearsalError(PublisherError):
    pass


@dataclass
class Rehearsal:
    campaign: str
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outbox: Path | None = None
    ticks: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.state == "sent" for r in self.rows)


def rehearse(settings: PublisherSettings, slug: str, keep: Path | None = None) -> Rehearsal:
    campaigns, problems, _ = read_campaigns(settings.campaigns)
    chosen = [c for c in campaigns if c.slug == slug]
    if not chosen:
        known = [c.slug for c in campaigns]
        hint = did_you_mean(slug, known) or (f" (campaigns: {', '.join(known)})" if known else "")
        raise RehearsalError(f"{slug}: no published campaign with this slug{hint}")
    campaign = chosen[0]
    result = Rehearsal(slug)
    result.problems += [p for p in problems if str(campaign.path.name) in p]
    production = production_url(settings)
    site = production or settings.site_url
    live, _, _, articles = read_site(settings.feed, settings.site_url)  # for links; optional
    articles = {slug: at_production(url, production) for slug, url in articles.items()}
    planned = calendar_items([campaign], settings.content, site, articles)
    tags = {campaign.slug: list(campaign.hashtags)}
    ahead, _ = scheduled(settings.content, site, dt.datetime.min.replace(tzinfo=dt.UTC), tags)
    own = [p for p in merged(live, ahead) if p.campaign == slug]
    planned = with_production_links([*planned, *own], production)
    result.warnings = warnings(planned, utc_now(), settings.catch_up, set())
    if not planned:
        result.problems.append(f"{campaign.path}: the campaign has no published posts")
        return result
    with tempfile.TemporaryDirectory(prefix="rehearse-") as temp:
        folder = keep or Path(temp)
        sim = replace(settings, ledger=folder / "ledger.sqlite3", outbox=folder / "outbox")
        result.outbox = sim.outbox if keep else None
        clock = _SimClock(min(p.due for p in planned) - dt.timedelta(minutes=1))
        limits = platform_limits(sim)
        adapters = {p: OutboxAdapter(limits[p], sim.outbox, clock) for p in sim.platforms}
        ledger = Ledger.open(sim.ledger, actor="rehearsal")
        quiet = logging.getLogger("publisher.rehearsal")
        quiet.propagate = False
        snap = Snapshot(planned=planned, complete={"cal", "item"})
        scheduler = Scheduler(
            sim, ledger, adapters, lambda: snap, clock=clock, rng=random.Random(0), log=quiet
        )
        try:
            scheduler.tick()  # first run, before the first post: nothing is seeded
            for moment in sorted({p.due for p in planned}):
                clock.now = max(clock.now, moment)
                result.ticks += _tick_until_settled(scheduler, clock, sim.tick_seconds)
            result.rows = ledger.rows()
        finally:
            ledger.close()
    for row in result.rows:
        if row.state != "sent":
            result.problems.append(
                f"{row.key} {row.platform} part {row.part}: {row.state}: {row.reason}"
            )
    return result


class _SimClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now


def _tick_until_settled(scheduler: Scheduler, clock: _SimClock, step: int) -> int:
    """Tick, and keep ticking a tick apart while posts held back by the cap are still due."""
    ticks = 0
    while ticks < MAX_TICKS:
        report = scheduler.tick()
        ticks += 1
        if not report.sent or not scheduler.ledger.due(clock.now, scheduler.adapters):
            return ticks
        clock.now += dt.timedelta(seconds=step)
    return ticks
