"""The calendar: everything that will go out or go live, with its state from the ledger.

One entry per post (an article's, a release's or a calendar post's) with a chip per
platform, and one per article or release going live. A post the ledger knows shows the
ledger's state (sent with its link, failed, unknown, ...); one it does not know yet shows
what will happen to it: planned, waiting for approval, or draft.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from publisher.core.timeutil import WIB, to_wib
from publisher.engine.ledger import Row
from publisher.engine.planned import Planned
from publisher.studio import ledger_view
from publisher.studio.items import Item, Library
from publisher.studio.ledger_view import Group

# Every state a chip can have, in the order the filter lists them.
STATES = (
    "planned", "waiting", "draft", "sending", "sent", "live", "failed", "unknown", "dead",
    "stale", "seeded", "paused",
)  # fmt: skip
_FROM_LEDGER = {"pending": "planned", "claimed": "sending"}


@dataclass(frozen=True)
class Chip:
    platform: str
    state: str
    url: str | None = None
    reason: str = ""
    parts: int = 1


@dataclass
class Entry:
    at: dt.datetime  # UTC
    kind: str  # "post" | "golive"
    key: str  # the ledger key of a post; the file of a go-live
    title: str
    text: str = ""
    source: str = ""  # "article" | "release" | "calendar"
    campaign: str = ""
    rel: str = ""  # the file to open
    approval: str = "off"
    chips: list[Chip] = field(default_factory=list)

    @property
    def day(self) -> dt.date:
        return to_wib(self.at).date()

    @property
    def states(self) -> set[str]:
        return {c.state for c in self.chips}


@dataclass(frozen=True)
class Filters:
    campaign: str = ""
    platform: str = ""
    state: str = ""

    def keep(self, entry: Entry) -> Entry | None:
        if self.campaign and entry.campaign != self.campaign:
            return None
        chips = [
            c
            for c in entry.chips
            if (not self.platform or c.platform == self.platform)
            and (not self.state or c.state == self.state)
        ]
        if entry.kind == "golive":
            return (
                None
                if (self.platform or (self.state and self.state not in entry.states))
                else entry
            )
        if not chips:
            return None
        return Entry(entry.at, entry.kind, entry.key, entry.title, entry.text, entry.source,
                     entry.campaign, entry.rel, entry.approval, chips)  # fmt: skip


def entries(
    library: Library,
    rows: Iterable[Row],
    paused: dict[str, str],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> list[Entry]:
    """Entries from `start` to `end` (UTC), in time order."""
    enabled = library.settings.platforms
    stored = ledger_view.groups(rows)
    out: list[Entry] = []
    for item in library.planned():
        source, post = library.by_key(item.key)  # the file behind the planned post
        status = "published"
        if source is not None:
            status = source.status if post is None else _post_status(source, post.status)
        approval = library.approval_state(source, post) if source is not None else "off"
        chips = []
        when = item.due
        for platform in item.platforms or enabled:
            group = stored.pop((item.key, platform), None)
            if group is not None:
                chips.append(_chip(group, paused))
                when = min(when, group.when) if group.state != "sent" else when
                continue
            state = "draft" if status != "published" else "planned"
            if state == "planned" and approval in ("waiting", "changed"):
                state = "waiting"
            if state == "planned" and platform in paused:
                state = "paused"
            chips.append(Chip(platform, state))
        if start <= when < end:
            out.append(_post_entry(item, when, source, approval, chips))
    for (key, _platform), group in stored.items():  # posts no source plans any more
        if start <= group.when < end:
            out.append(Entry(group.when, "post", key, key, first_words(group.rows[0].text),
                             chips=[_chip(group, paused)]))  # fmt: skip
    for written in library.items:
        live_kind = written.kind in ("article", "release") and not written.translation
        if live_kind and written.golive is not None and start <= written.golive < end:
            out.append(_golive_entry(library, written, now))
    out.sort(key=lambda e: (e.at, e.kind != "golive", e.title))
    return out


def _post_status(source: Item, post_status: str) -> str:
    return "draft" if "draft" in (source.status, post_status) else "published"


def _chip(group: Group, paused: dict[str, str]) -> Chip:
    state = _FROM_LEDGER.get(group.state, group.state)
    if state == "planned" and group.platform in paused:
        state = "paused"
    return Chip(group.platform, state, group.url, group.reason, len(group.rows))


def _post_entry(
    item: Planned, when: dt.datetime, source: Item | None, approval: str, chips: list[Chip]
) -> Entry:
    """A calendar post is named by its first words (its campaign is in `campaign`); an
    article's or release's post by the item's title."""
    title = first_words(item.text, 70) if item.kind == "calendar" and item.text else item.title
    return Entry(
        when,
        "post",
        item.key,
        title,
        first_words(item.text or item.title),
        item.kind,
        item.campaign,
        source.rel if source else "",
        approval,
        chips,
    )


def _golive_entry(library: Library, item: Item, now: dt.datetime) -> Entry:
    assert item.golive is not None
    approval = library.approval_state(item)
    state = "draft" if item.status != "published" else "planned"
    if state == "planned" and approval in ("waiting", "changed"):
        state = "waiting"
    elif state == "planned" and item.golive <= now:
        state = "live"
    return Entry(
        item.golive, "golive", item.rel, item.title, item.summary, item.kind,
        item.meta.campaign or "" if item.meta else "", item.rel, approval,
        [Chip("site", state)],
    )  # fmt: skip


def first_words(text: str, size: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1].rsplit(" ", 1)[0] + "…"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def day_bounds(first: dt.date, days: int) -> tuple[dt.datetime, dt.datetime]:
    """UTC bounds of `days` WIB days from `first`."""
    start = dt.datetime(first.year, first.month, first.day, tzinfo=WIB)
    return start.astimezone(dt.UTC), (start + dt.timedelta(days=days)).astimezone(dt.UTC)
