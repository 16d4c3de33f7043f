"""The one interface every platform adapter implements, and the base that keeps preview honest.

As in granary: every write has a preview twin running the same code (`_send(preview=...)`),
so a preview cannot drift from the real post; expected failures come back as a PostResult
(data), not as exceptions. Text fitting is not here: the composer does it once for everyone.

A platform module declares `SPEC` (publisher.platforms.spec) and one adapter class with
`spec = SPEC` and `from_environment`; publisher.platforms.registry lists the modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import Draft, DraftPart, PostResult, PreviewPart
from publisher.platforms.metrics import Metrics, not_offered
from publisher.platforms.spec import PlatformSpec


@dataclass(frozen=True)
class AdapterContext:
    """What an adapter may need besides its credentials."""

    limits: PlatformLimits  # the documented limits with the settings' overrides
    site_url: str = ""  # the site's public origin
    site_folder: Path | None = None  # the built site on this machine (link cards), if any
    # Where an adapter may keep what does not change per tick (Mastodon's instance
    # information), as files that outlive the process; None: nothing is kept.
    cache_dir: Path | None = None
    # The engine's clock: a reset given in seconds from now is turned into a time with it.
    clock: Callable[[], dt.datetime] = utc_now


class Adapter(Protocol):
    name: str
    limits: PlatformLimits

    def preview(self, draft: Draft) -> list[PreviewPart]: ...

    def post(self, part: DraftPart, key: str, reply_to: str | None) -> PostResult: ...

    def verify(self) -> PostResult: ...

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        """Is this part already on the platform? ok=True found, ok=False surely absent,
        None when the platform cannot tell (then the row stays `unknown`). Posts whose
        remote id is in `taken` belong to other ledger rows and never match."""
        ...

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Engagement counts of our own posts (at most `spec.metrics_batch` ids)."""
        ...


class BaseAdapter:
    """Shared behaviour; a platform only writes `_send` (and `verify`/`lookup` if it can)."""

    spec: PlatformSpec
    mode: str = "real"  # "real" | "outbox"

    def __init__(self, limits: PlatformLimits | None = None) -> None:
        # Settings or the server may override a platform's limits; else the documented ones.
        limits = limits or self.spec.limits
        self.limits = limits
        self.name = limits.name

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> BaseAdapter:
        """The adapter, built from its credentials (all present: the registry checked)."""
        raise NotImplementedError

    @property
    def can_lookup(self) -> bool:
        """Can `lookup` read the account's own recent posts? Telegram's Bot API cannot."""
        return self.spec.can_lookup

    @property
    def idempotent_for(self) -> dt.timedelta | None:
        return self.spec.idempotent_for

    @property
    def visible_within(self) -> dt.timedelta:
        """How long after a send ends its post may take to show where `lookup` reads."""
        return self.spec.visible_within

    @property
    def lookup_window(self) -> dt.timedelta:
        """How long after a send ends the engine keeps looking before it asks a person (or,
        on an idempotent platform, resends)."""
        return self.spec.lookup_window

    @property
    def read_after_write(self) -> bool:
        """Does `lookup` see every post whose create has finished on the server?"""
        return self.spec.read_after_write

    def preview(self, draft: Draft) -> list[PreviewPart]:
        out = []
        for number in range(1, len(draft.parts) + 1):
            part = draft.part(number)
            reply_to = f"<part {number - 1}>" if number > 1 else None
            result = self._send(part, part.key, reply_to, preview=True)
            caption = bool(part.media)
            out.append(
                PreviewPart(
                    number,
                    part.total,
                    part.text,
                    self.spec.count(part.text, self.limits),
                    self.spec.limit_for(caption=caption, limits=self.limits),
                    result.request,
                )
            )
        return out

    def post(self, part: DraftPart, key: str, reply_to: str | None) -> PostResult:
        return self._send(part, key, reply_to, preview=False)

    def verify(self) -> PostResult:
        return PostResult(ok=True)

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        return None

    @property
    def offers_metrics(self) -> bool:
        """Does this adapter read engagement counts (a real account whose SPEC has some)?"""
        return bool(self.spec.metrics) and self.mode == "real"

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Counts of our own posts by remote id (publisher.platforms.metrics): only the
        totals, never who engaged. A platform without `metrics` in its SPEC offers none."""
        return Metrics(failure=PostResult(ok=False, error=not_offered(self.spec.label)))

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        raise NotImplementedError
