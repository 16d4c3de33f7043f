"""A campaign's report, as data: what went out on each platform and day (with links and
times), what failed and why, when each of its pages went live, and the engagement each
platform gave back for our posts (publisher.engine.metrics_job).

Assembled from the ledger (posts, audit, go-live records, engagement readings) and the
content (the campaign file, its articles and releases). Rendering it (HTML, SVG charts,
PDF, CSV) is publisher.ops.report's, and the studio shows the same HTML.
A count a platform does not give is None here and "not offered by <platform>" in every
rendering, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from publisher.content.campaign_reader import load_campaigns
from publisher.content.campaigns import Campaign
from publisher.core.errors import PublisherError
from publisher.core.settings import PublisherSettings
from publisher.core.words import did_you_mean
from publisher.engine.campaign_pages import PageLine, campaign_items, pages_of
from publisher.engine.campaign_series import Series, series_of
from publisher.engine.ledger import Ledger, Row
from publisher.engine.ledger.metrics import Reading
from publisher.platforms import catalog
from publisher.platforms.metrics import COUNTS, INTERACTIONS, not_offered

__all__ = ["CampaignReport", "Engagement", "Failure", "PageLine", "PostLine", "ReportError",
           "Series", "Totals", "build_report"]  # fmt: skip

# The state a post (all its parts on one platform) shows: its worst part's.
WORST = ("unknown", "dead", "failed", "claimed", "pending", "stale", "seeded", "sent")
TROUBLE = ("failed", "dead", "unknown", "stale")


class ReportError(PublisherError):
    pass


@dataclass(frozen=True)
class Period:
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def holds(self, moment: dt.datetime) -> bool:
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment <= self.end
        )


@dataclass(frozen=True)
class Engagement:
    """The latest counts of one post (its parts added up), or why there are none."""

    counts: dict[str, int | None] = field(default_factory=dict)  # None: not offered
    read_at: dt.datetime | None = None
    note: str = ""  # "not offered by Telegram", "not read yet", "gone from X"

    def interactions(self) -> int | None:
        found = [self.counts.get(name) for name in INTERACTIONS]
        numbers = [n for n in found if n is not None]
        return sum(numbers) if numbers else None


@dataclass(frozen=True)
class PostLine:
    """One post on one platform: every part of it, as one line."""

    key: str
    name: str  # the calendar post's id, or the article's title
    kind: str  # "calendar" | "article" | "release"
    platform: str
    label: str
    parts: int
    state: str
    due_at: dt.datetime
    sent_at: dt.datetime | None
    url: str | None
    reason: str
    attempts: int
    engagement: Engagement


@dataclass(frozen=True)
class Failure:
    """A part that failed at least once: where it ended, and each failure on the way."""

    key: str
    name: str
    platform: str
    label: str
    part: int
    parts: int
    state: str  # where it is now (sent, if a retry went through)
    reason: str
    history: tuple[tuple[dt.datetime, str, str], ...]  # (when, state, why)


@dataclass(frozen=True)
class Totals:
    platform: str
    label: str
    offered: tuple[str, ...]
    sent: int
    failed: int
    waiting: int
    counts: dict[str, int | None]  # latest counts added up; None: not offered

    def note(self, name: str) -> str:
        return not_offered(self.label) if self.counts.get(name) is None else ""


@dataclass(frozen=True)
class CampaignReport:
    slug: str
    title: str
    summary: str
    start: dt.datetime
    end: dt.datetime
    made_at: dt.datetime
    period: Period
    platforms: list[Totals]
    posts: list[PostLine]
    failures: list[Failure]
    pages: list[PageLine]
    series: Series
    counts: tuple[str, ...] = COUNTS


def find_campaign(settings: PublisherSettings, slug: str) -> Campaign:
    slug = slug.removesuffix(".md").rsplit("/", 1)[-1]
    campaigns, _problems = load_campaigns(settings.campaigns)
    for campaign in campaigns:
        if campaign.slug == slug:
            return campaign
    known = sorted(c.slug for c in campaigns)
    hint = did_you_mean(slug, known) or (f" (campaigns: {', '.join(known)})" if known else "")
    raise ReportError(f"{slug}: no campaign with this slug in {settings.campaigns}{hint}")


def build_report(
    settings: PublisherSettings,
    ledger: Ledger,
    slug: str,
    now: dt.datetime,
    period: Period | None = None,
) -> CampaignReport:
    period = period or Period()
    campaign = find_campaign(settings, slug)
    items = campaign_items(settings.content, campaign.slug)
    names = {post.key: post.id for post in campaign.posts}
    names |= {f"item:{m.uid}": m.title for _p, m in items if m.uid and not m.translation}
    prefix = f"cal:{campaign.slug}:"
    keys = set(names) | {k for k, _ in ledger.group_keys() if k.startswith(prefix)}
    rows = [r for key in sorted(keys) for r in ledger.rows(key=key)]
    readings = ledger.readings(keys)
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.key, row.platform)].append(row)
    posts = [
        _post_line(parts, names, _latest(readings, parts, period))
        for parts in groups.values()
        if period.holds(parts[0].sent_at or parts[0].due_at)
    ]
    posts.sort(key=lambda p: (p.sent_at or p.due_at, p.key, _order(p.platform)))
    kept = {(p.key, p.platform) for p in posts}
    failures = _failures(ledger, [r for r in rows if (r.key, r.platform) in kept], names)
    platforms = _platforms(campaign, posts)
    return CampaignReport(
        slug=campaign.slug,
        title=campaign.title,
        summary=campaign.summary,
        start=campaign.start,
        end=campaign.end,
        made_at=now,
        period=period,
        platforms=[_totals(p, posts) for p in platforms],
        posts=posts,
        failures=failures,
        pages=pages_of(ledger, items, rows, now),
        series=series_of(posts, [r for r in readings if _in(r, kept)], platforms, period, now),
    )


def _in(reading: Reading, kept: set[tuple[str, str]]) -> bool:
    return (reading.key, reading.platform) in kept


def _order(platform: str) -> int:
    return catalog.PLATFORMS.index(platform) if platform in catalog.PLATFORMS else 99


def _offered(platform: str) -> tuple[str, ...]:
    spec = catalog.SPECS.get(platform)
    return spec.metrics if spec is not None else ()


def _latest(readings: list[Reading], parts: list[Row], period: Period) -> list[Reading]:
    """The latest reading of each part, taken no later than the period's end."""
    ids = {r.id for r in parts}
    latest: dict[int, Reading] = {}
    for reading in readings:  # in the order they were read
        if reading.post_id in ids and (period.end is None or reading.read_at <= period.end):
            latest[reading.post_id] = reading
    return list(latest.values())


def _engagement(platform: str, sent: bool, latest: list[Reading]) -> Engagement:
    label, offered = catalog.label(platform), _offered(platform)
    if not offered:
        return Engagement({name: None for name in COUNTS}, None, not_offered(label))
    if not latest:
        return Engagement({name: None for name in COUNTS}, None, "not read yet" if sent else "")
    if all(r.gone for r in latest):
        return Engagement({n: None for n in COUNTS}, latest[-1].read_at, f"gone from {label}")
    counts: dict[str, int | None] = {}
    for name in COUNTS:
        found = [r.counts.as_dict()[name] for r in latest if not r.gone]
        numbers = [n for n in found if n is not None]
        counts[name] = sum(numbers) if name in offered and numbers else None
    return Engagement(counts, max(r.read_at for r in latest))


def _post_line(parts: list[Row], names: dict[str, str], latest: list[Reading]) -> PostLine:
    parts = sorted(parts, key=lambda r: r.part)
    first = parts[0]
    worst = min(parts, key=lambda r: WORST.index(r.state) if r.state in WORST else 0)
    kind = "calendar" if first.key.startswith("cal:") else "item"
    name = names.get(first.key) or first.key.rsplit(":", 1)[-1]
    return PostLine(
        key=first.key,
        name=name,
        kind=kind,
        platform=first.platform,
        label=catalog.label(first.platform),
        parts=first.parts,
        state=worst.state,
        due_at=first.due_at,
        sent_at=first.sent_at,
        url=first.url,
        reason="" if worst.state == "sent" else worst.reason,
        attempts=sum(r.attempts for r in parts),
        engagement=_engagement(first.platform, worst.state == "sent", latest),
    )


def _failures(ledger: Ledger, rows: Iterable[Row], names: dict[str, str]) -> list[Failure]:
    trail: dict[tuple[str, str, int], list[tuple[dt.datetime, str, str]]] = defaultdict(list)
    for key in sorted({r.key for r in rows}):
        for entry in ledger.audit(key):
            if entry["to_state"] in TROUBLE:
                at = dt.datetime.strptime(entry["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
                where = (entry["key"], entry["platform"], entry["part"])
                trail[where].append((at, entry["to_state"], entry["reason"]))
    out = []
    for row in rows:
        history = trail.get((row.key, row.platform, row.part), [])
        if not history and row.state not in TROUBLE:
            continue
        out.append(
            Failure(row.key, names.get(row.key) or row.key.rsplit(":", 1)[-1], row.platform,
                    catalog.label(row.platform), row.part, row.parts, row.state,
                    row.reason if row.state != "sent" else history[-1][2], tuple(history))
        )  # fmt: skip
    out.sort(key=lambda f: (f.history[0][0] if f.history else dt.datetime.max.replace(
        tzinfo=dt.UTC), f.key, _order(f.platform), f.part))  # fmt: skip
    return out


def _platforms(campaign: Campaign, posts: list[PostLine]) -> list[str]:
    names = set(campaign.platforms) | {p.platform for p in posts}
    return sorted(names, key=lambda name: (_order(name), name))


def _totals(platform: str, posts: list[PostLine]) -> Totals:
    mine = [p for p in posts if p.platform == platform]
    offered = _offered(platform)
    counts: dict[str, int | None] = {}
    for name in COUNTS:
        found = [p.engagement.counts.get(name) for p in mine]
        numbers = [n for n in found if n is not None]
        counts[name] = sum(numbers) if name in offered else None
    return Totals(
        platform,
        catalog.label(platform),
        offered,
        sent=sum(p.state == "sent" for p in mine),
        failed=sum(p.state in ("failed", "dead", "unknown") for p in mine),
        waiting=sum(p.state in ("pending", "claimed") for p in mine),
        counts=counts,
    )
