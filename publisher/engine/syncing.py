"""The sync: planned posts -> ledger rows, composed now and stored, frozen once attempted.

A steady tick must cost little on a big ledger: only the groups that may still change (every
part pending, or unsent for a reason a new source can cure) are read each time; every other
group is frozen for good (groups are never deleted, and only the scheduler that holds the
ledger plans new ones), so a set of the groups that exist answers for those. An item's
digest is kept while the same (or an equal) item comes back, and each (item, platform)'s
source hash while its limits stay the same. While the settings, the adapters and their
limits are the same, only the items whose digest changed and the groups whose untouched
state changed are visited (Basis): a steady tick costs nothing per item of the archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import NamedTuple, Protocol

from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib
from publisher.engine.compose import ComposeError, compose
from publisher.engine.events import event
from publisher.engine.ledger import DEAD, PENDING, SEEDED, STALE, Ledger, NewPart
from publisher.engine.ledger.schema import GroupInfo
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


@dataclass
class Basis:
    """What the last sync saw, so that the next one visits only what may have changed.

    A group's outcome in the sync depends only on its item (by digest), the platforms and
    their limits, the settings, whether this is the first run, which sources were read
    whole, and the group's untouched state in the ledger. When all but the last are the same
    as last time, only the items whose digest changed (or that came or went) and the groups
    whose untouched state changed (a retry, another process) are visited: every other group
    would be left as it is. A group that left the untouched set was attempted: frozen, it is
    never touched either way."""

    context: Context
    digests: dict[str, str]  # item key -> digest
    untouched: dict[tuple[str, str], GroupInfo]


class Sync:
    """One scheduler's sync, with what it keeps between ticks."""

    def __init__(self) -> None:
        self.known: set[tuple[str, str]] | None = None  # every group the ledger has
        self.digests: dict[int, tuple[Planned, str]] = {}  # id(item) -> (item, digest)
        self.hashes: dict[tuple[str, str, bool], tuple[PlatformLimits, str]] = {}
        self.basis: Basis | None = None
        self.items: list[Planned] = []  # the items of the last run, in their order
        self.visited = 0  # items visited by the last run (0 on a steady tick)

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
        (the site's feed is parsed again only when it changed), and only the items and groups
        that may have changed since the last run are visited (Basis)."""
        # Forgotten until this run has finished: a run that fails makes the next one visit
        # everything, never trust a basis it did not complete.
        basis, self.basis = self.basis, None
        by_key = self._digest(snap.planned, basis)
        # What defines the platforms and their limits: a reload (SIGHUP) makes new adapters.
        context = Context(
            tick.settings,
            tuple((p, a, a.limits) for p, a in tick.adapters.items()),
            first_run,
            frozenset(snap.complete),
        )
        # Read and written under the write lock: no other process changes a group between
        # what this run reads and what it remembers for the next.
        with tick.ledger.transaction():
            untouched = tick.ledger.untouched_groups()
            if self.known is None:
                self.known = tick.ledger.group_keys()
            if (
                basis is None
                or len(by_key) != len(snap.planned)  # keys repeat: visit all, as before
                or not basis.context.same(context)
            ):
                items, groups = snap.planned, list(untouched)
            else:
                keys: set[str] = set()
                if by_key is not basis.digests:  # some items are new objects
                    keys = {k for k, d in by_key.items() if basis.digests.get(k) != d}
                    keys |= basis.digests.keys() - by_key.keys()
                keys |= {g[0] for g, info in untouched.items() if basis.untouched.get(g) != info}
                items = [item for item in snap.planned if item.key in keys]
                groups = [g for g in untouched if g[0] in keys]
            self.visited = len(items)
            written = self._visit(tick, snap, items, groups, untouched, now, first_run, report)
            if written:
                untouched = tick.ledger.untouched_groups()  # as the writes left it
            self.basis = Basis(context, by_key, untouched)
        if written >= LARGE_WRITE:
            tick.ledger.checkpoint()

    def _digest(self, planned: list[Planned], basis: Basis | None) -> dict[str, str]:
        """Item key -> digest; nothing is computed again while the same (or equal) items
        come back."""
        if (
            basis is not None
            and len(planned) == len(self.items)
            and all(a is b for a, b in zip(planned, self.items, strict=True))
        ):
            return basis.digests
        digests: dict[int, tuple[Planned, str]] = {}
        by_key: dict[str, str] = {}
        previous: dict[str, tuple[Planned, str]] | None = None
        for item in planned:
            cached = self.digests.get(id(item))
            if cached is None or cached[0] is not item:
                # A feed parsed again gives new objects: an equal item keeps its digest
                # (comparing is several times cheaper than hashing it again).
                if previous is None:
                    previous = {it.key: (it, h) for it, h in self.digests.values()}
                cached = previous.get(item.key)
                if cached is None or not _equal(cached[0], item):
                    cached = (item, item_digest(item))
            digests[id(item)] = (item, cached[1])
            by_key[item.key] = cached[1]
        self.digests, self.items = digests, list(planned)
        return by_key

    def _visit(
        self,
        tick: SyncContext,
        snap: Snapshot,
        items: list[Planned],
        groups: list[tuple[str, str]],
        untouched: dict[tuple[str, str], GroupInfo],
        now: dt.datetime,
        first_run: bool,
        report: TickReport,
    ) -> int:
        """Sync `items`, and withdraw what of `groups` (untouched) is no longer planned."""
        known = self.known if self.known is not None else set()
        seen: set[tuple[str, str]] = set()
        written = 0
        utm = tick.settings.utm
        past = now - tick.settings.catch_up
        hours = tick.settings.catch_up.total_seconds() / 3600
        limits_of = {p: a.limits for p, a in tick.adapters.items()}
        with tick.ledger.transaction():  # joins the caller's
            at = tick.moment()
            for item in items:
                item_hash = self.digests[id(item)][1]
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
            for key, platform in groups:
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
        return written

    def source_hash(self, item_hash: str, platform: str, limits: PlatformLimits, utm: bool) -> str:
        key = (item_hash, platform, utm)
        found = self.hashes.get(key)
        if found is None or found[0] is not limits:
            if len(self.hashes) > HASH_CACHE:
                self.hashes.clear()
            found = (limits, source_hash(item_hash, limits, utm))
            self.hashes[key] = found
        return found[1]


# Every field but the origin (where the item sits in its source, only for messages: it
# moves whenever an item is added above it, and is not in the digest either).
_COMPARED = tuple(f.name for f in fields(Planned) if f.name != "origin")


def _equal(a: Planned, b: Planned) -> bool:
    return all(getattr(a, name) == getattr(b, name) for name in _COMPARED)


class Context(NamedTuple):
    """What, besides the items and the ledger, decides a group's outcome in the sync."""

    settings: PublisherSettings
    adapters: tuple[tuple[str, Adapter, PlatformLimits], ...]
    first_run: bool
    complete: frozenset[str]

    def same(self, other: Context) -> bool:
        """The same settings, adapters (the very objects: a reload makes new ones), limits,
        first run and complete sources."""
        return (
            self.settings == other.settings
            and len(self.adapters) == len(other.adapters)
            and all(
                a[0] == b[0] and a[1] is b[1] and a[2] == b[2]
                for a, b in zip(self.adapters, other.adapters, strict=True)
            )
            and self.first_run == other.first_run
            and self.complete == other.complete
        )
