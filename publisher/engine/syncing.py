"""The sync: planned posts -> ledger rows, composed now and stored, frozen once attempted.

A steady tick must cost little on a big ledger: only the groups that may still change (every
part pending, or unsent for a reason a new source can cure) are read each time; every other
group is frozen for good (groups are never deleted, and only the scheduler that holds the
ledger plans new ones), so a set of the groups that exist answers for those. An item's
digest is kept while the same item object comes back (the site's feed is parsed again only
when it changed), and each (item, platform)'s source hash while its limits stay the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib
from publisher.engine.compose import ComposeError, compose
from publisher.engine.events import event
from publisher.engine.ledger import DEAD, PENDING, SEEDED, STALE, Ledger, NewPart
from publisher.engine.ledger.store import LARGE_WRITE
from publisher.engine.planned import Planned
from publisher.engine.report import TickReport
from publisher.engine.sources import Snapshot
from publisher.platforms.base import Adapter
from publisher.platforms.counters import PlatformLimits

HASH_CACHE = 200_000  # source hashes kept between ticks (about 100 bytes each)


def item_digest(item: Planned) -> str:
    """Changes whenever anything the composer reads changes (the origin is only for messages).

    Built by hand, not with dataclasses.asdict: the sync hashes every item on every tick,
    and asdict's deep copies made that the slowest part of a tick (see docs/benchmarks.md).
    """
    media = item.image
    image = (media.path_or_url, media.alt, media.variants, media.public_url) if media else None
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


def source_hash(item_hash: str, limits: PlatformLimits, utm: bool = False) -> str:
    """The item's digest combined with the platform's limits (a limit change recomposes)."""
    flag = "|utm" if utm else ""
    return hashlib.sha256(f"{item_hash}|{limits!r}{flag}".encode()).hexdigest()[:32]


def compose_rows(
    item: Planned, limits: PlatformLimits, utm: bool = False
) -> tuple[list[NewPart], str]:
    """The parts to store, and "" or the composition error (then one empty part)."""
    try:
        draft = compose(item, limits, utm)
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


class SyncContext(Protocol):
    """What the sync reads of the scheduler."""

    ledger: Ledger
    adapters: Mapping[str, Adapter]
    settings: PublisherSettings
    redact: Callable[[str], str]
    log: logging.Logger

    def moment(self) -> dt.datetime: ...

    def platforms_for(self, item: Planned) -> list[str]: ...


class Sync:
    """One scheduler's sync, with what it keeps between ticks."""

    def __init__(self) -> None:
        self.known: set[tuple[str, str]] | None = None  # every group the ledger has
        self.digests: dict[int, tuple[Planned, str]] = {}  # id(item) -> (item, digest)
        self.hashes: dict[tuple[str, str, bool], tuple[PlatformLimits, str]] = {}

    def run(
        self,
        tick: SyncContext,
        snap: Snapshot,
        now: dt.datetime,
        first_run: bool,
        report: TickReport,
    ) -> None:
        """Planned posts -> ledger rows. Frozen groups (attempted in any way) are never touched.

        A steady tick must cost little on a big ledger: only the groups that may still change
        (every part pending, or unsent for a reason a new source can cure) are read each
        time; every other group is frozen for good (groups are never deleted, and only this
        process plans new ones while it holds the ledger), so a set of the groups that exist
        answers for those. An item's digest is kept while the same item object comes back
        (the site's feed is parsed again only when it changed)."""
        untouched = tick.ledger.untouched_groups()
        if self.known is None:
            self.known = tick.ledger.group_keys()
        known = self.known
        seen: set[tuple[str, str]] = set()
        written = 0
        utm = tick.settings.utm
        past = now - tick.settings.catch_up
        hours = tick.settings.catch_up.total_seconds() / 3600
        digests: dict[int, tuple[Planned, str]] = {}
        limits_of = {p: a.limits for p, a in tick.adapters.items()}
        with tick.ledger.transaction():
            at = tick.moment()
            for item in snap.planned:
                cached = self.digests.get(id(item))
                item_hash = cached[1] if cached and cached[0] is item else item_digest(item)
                digests[id(item)] = (item, item_hash)
                for platform in tick.platforms_for(item):
                    group = (item.key, platform)
                    seen.add(group)
                    info = untouched.get(group)
                    if info is None and group in known:
                        continue  # attempted in some way: frozen
                    limits = limits_of[platform]
                    digest = self.source_hash(item_hash, platform, limits, utm)
                    if info is not None and (
                        info.source_hash == digest and "withdrawn" not in info.causes
                    ):
                        continue
                    parts, error = compose_rows(item, limits, utm)
                    if first_run and item.due <= now:
                        state, reason, cause = SEEDED, "live before the first run", ""
                        report.seeded += len(parts)
                    elif info is None and item.kind == "calendar" and item.due < past:
                        # Written in after its time: a campaign post days late is a mistake
                        # to show a person, not a post to make (an item that went live late,
                        # an embargo, is due at its go-live and is never this).
                        state, cause = STALE, "past"
                        reason = (
                            f"dated {format_wib(item.due)}, already more than {hours:g} h in "
                            f"the past when it was first planned: to post it anyway, "
                            f"`publisher retry {item.key} --platform {platform}`"
                        )
                    elif error:
                        state, reason, cause = DEAD, tick.redact(error), "compose"
                        fields = event("compose", item.key, platform, 1, 1, DEAD, reason=reason)
                        tick.log.error(
                            "cannot compose %s for %s: %s", item.key, platform, reason, extra=fields
                        )
                    else:
                        state, reason, cause = PENDING, "", ""
                    tick.ledger.put_group(
                        item.key, platform, item.due, parts, digest, at, state, reason, cause
                    )
                    known.add(group)
                    written += len(parts)
            for key, platform in untouched:
                source = key.split(":", 1)[0]
                if (key, platform) in seen or source not in snap.complete:
                    continue
                for row in tick.ledger.rows(key=key, platform=platform, states=[PENDING]):
                    tick.ledger.move(
                        row.id,
                        STALE,
                        at,
                        f"withdrawn: no longer planned for {platform} in its source",
                        [PENDING],
                        cause="withdrawn",
                    )
                    written += 1
        self.digests = digests
        if written >= LARGE_WRITE:
            tick.ledger.checkpoint()

    def source_hash(self, item_hash: str, platform: str, limits: PlatformLimits, utm: bool) -> str:
        key = (item_hash, platform, utm)
        found = self.hashes.get(key)
        if found is None or found[0] is not limits:
            if len(self.hashes) > HASH_CACHE:
                self.hashes.clear()
            found = (limits, source_hash(item_hash, limits, utm))
            self.hashes[key] = found
        return found[1]
