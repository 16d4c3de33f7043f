"""The one interface every platform adapter implements, and the base that keeps preview honest.

As in granary: every write has a preview twin running the same code (`_send(preview=...)`),
so a preview cannot drift from the real post; expected failures come back as a PostResult
(data), not as exceptions. Text fitting is not here: the composer does it once for everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from publisher.engine.compose import Draft, DraftPart
from publisher.platforms import counters
from publisher.platforms.counters import PlatformLimits


@dataclass(frozen=True)
class PostResult:
    ok: bool
    remote_id: str | None = None
    url: str | None = None
    retryable: bool = False  # worth trying again later (429, 5xx before the post was accepted)
    error: str | None = None
    unknown: bool = False  # the post may or may not exist now: never retried blindly
    request: Mapping[str, Any] = field(default_factory=dict)  # what was (or would be) sent
    retry_at: dt.datetime | None = None  # a rate limit's reset: no retry before this time
    # "post": about this post only. "platform": about the account or the service (outage,
    # rate limit, refused credentials): the platform's other posts wait or stop too.
    scope: str = "post"
    # The platform refused it as a copy of a post it already has (X 403, Facebook 506): it
    # is there, even if a lookup cannot find it; never sent again without a person.
    duplicate: bool = False


@dataclass(frozen=True)
class PreviewPart:
    number: int
    total: int
    text: str
    count: int
    limit: int
    request: Mapping[str, Any]

    @property
    def fits(self) -> bool:
        return self.count <= self.limit


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


class BaseAdapter:
    """Shared behaviour; a platform only writes `_send` (and `verify`/`lookup` if it can)."""

    name: str = ""
    mode: str = "real"  # "real" | "outbox"
    # Can `lookup` read the account's own recent posts? Telegram's Bot API cannot.
    can_lookup: bool = False
    # How long the platform itself refuses a second post for a repeated send of the same
    # part (Mastodon's Idempotency-Key): within it, resending is safe even unlooked.
    idempotent_for: dt.timedelta | None = None

    def __init__(self, limits: PlatformLimits | None = None) -> None:
        # Settings or the server may override a platform's limits; else the documented ones.
        self.limits = limits or counters.DEFAULT_LIMITS[self.name]
        self.name = self.name or self.limits.name

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
                    counters.count(self.limits.name, part.text, self.limits),
                    counters.limit_for(self.limits.name, caption=caption, limits=self.limits),
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

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        raise NotImplementedError
