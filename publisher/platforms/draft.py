"""What goes to a platform: a draft in parts, each part's media, and the platform's answer.

Made by the composer (publisher.engine.compose), sent by an adapter; plain data, no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Media:
    path_or_url: str
    alt: str
    # Shapes of the same image the build made for platforms that need one ("1:1" -> URL),
    # publisher.site.social_variants; the composer picks one where a platform asks.
    variants: tuple[tuple[str, str], ...] = ()
    # Its address on the public site, where `path_or_url` is a file on this computer (a
    # calendar post's image): for platforms that fetch the image themselves (Meta).
    public_url: str = ""

    def variant(self, aspects: tuple[str, ...]) -> Media | None:
        """This image in the first of `aspects` the build made, or None."""
        made = dict(self.variants)
        for aspect in aspects:
            if made.get(aspect):
                return Media(made[aspect], self.alt)
        return None

    def fetchable(self) -> Media | None:
        """This image by its public address, or None when it has none."""
        for where in (self.path_or_url, self.public_url):
            if where.startswith(("http://", "https://")):
                return Media(where, self.alt)
        return None


@dataclass(frozen=True)
class Part:
    text: str
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Draft:
    parts: tuple[Part, ...]
    language: str = "id"
    link: str = ""  # the link as sent ("" = none)
    key: str = ""
    platform: str = ""

    def part(self, number: int) -> DraftPart:
        """Part `number` (1-based) with what an adapter needs to send it alone."""
        piece = self.parts[number - 1]
        return DraftPart(
            self.key,
            self.platform,
            number,
            len(self.parts),
            piece.text,
            piece.media,
            self.language,
            self.link,
        )


@dataclass(frozen=True)
class DraftPart:
    key: str
    platform: str
    number: int
    total: int
    text: str
    media: tuple[Media, ...]
    language: str
    link: str
    # The id of the first step of a two-step create, recorded in the ledger before the
    # second step (Meta's container): a later attempt continues from it, never repeats it.
    stage: str = ""
    # A fan-out channel's recipient: the address, resolved by the engine just before the
    # send and never stored, and its pseudonymous id (what the ledger knows).
    recipient: str = ""
    recipient_id: str = ""


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
    # The platform ended our session (Bluesky's ExpiredToken) and the adapter logged in
    # again and sent the same request once more: that second send is not a new attempt.
    renewed_session: bool = False
    # The first step of a two-step create is done and this is its id (Meta's container):
    # the engine records it in the ledger, then calls `post` again with it in the part.
    stage: str | None = None
    # verify(): when the credentials stop working, where the platform says (a token's
    # expiry); `publisher accounts` shows the days left.
    expires_at: dt.datetime | None = None
    # A lookup's answer that no later look can change (a message handed to a mail server
    # whose answer was lost): the row goes to a person at once instead of being looked for.
    undecidable: bool = False


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
