"""What a platform is, declared once per platform module: name, limits, credentials,
capabilities and documentation. `accounts`, `check`, the composer, the docs table and the
fake-server tests read these through publisher.platforms.registry.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from publisher.platforms.counters import (
    HashtagRule,
    PlatformLimits,
    code_points,
    find_hashtags,
    find_mentions,
    hashtag_problem,
)

Counter = Callable[[str, PlatformLimits], int]


def _by_code_points(text: str, limits: PlatformLimits) -> int:
    return code_points(text)


# Pure; the checker and composer count the same texts often. 16,384 texts is about 6 MB:
# enough for what serve's builder counts again after an edit, bounded on a 20,000-article site.
@functools.lru_cache(maxsize=16384)
def _count(counter: Counter, text: str, limits: PlatformLimits) -> int:
    return counter(text, limits)


DOCS = "docs/platforms.md"


@dataclass(frozen=True)
class PlatformSpec:
    name: str  # the key in settings, front matter and the ledger: "x", "mastodon", ...
    label: str  # how people call it: "X", "Mastodon", ...
    limits: PlatformLimits  # the documented limits; settings and servers may change them
    credentials: tuple[str, ...]  # environment variables that must all be set to post for real
    secrets: tuple[str, ...]  # those whose values must never be shown (tokens, passwords)
    optional: tuple[str, ...] = ()  # other variables it reads (base URLs, API versions)
    # "inline": the link is written in the text; "field": sent apart (Facebook's link card);
    # "text": written at the end of the text but not clickable there (Instagram's captions),
    # so it goes without UTM parameters, short enough to read and type.
    link_policy: str = "inline"
    # Can the adapter read the account's own recent posts to find one (reconciliation)?
    can_lookup: bool = False
    # How long the platform refuses a second post for a repeated create of the same part
    # (Mastodon's Idempotency-Key): within it, resending after an unknown outcome is safe.
    idempotent_for: dt.timedelta | None = None
    # Reconciliation after an unknown outcome (docs/platforms.md has the figures for each,
    # and where they come from): what `lookup` reads, how long a new post may take to show
    # there, how long the engine keeps looking (with backoff) before it resends (idempotent
    # platforms) or asks a person, and whether a post whose create has finished on the
    # server is always in what `lookup` reads (read-after-write).
    lookup_reads: str = ""
    visible_within: dt.timedelta = dt.timedelta(seconds=30)
    lookup_window: dt.timedelta = dt.timedelta(minutes=10)
    read_after_write: bool = False
    # Answers are untrusted: a remote id is kept only if it matches this (the whole id), a
    # post URL only if it is https on one of these hosts (Mastodon: its configured server).
    id_format: re.Pattern[str] = re.compile(r"[1-9][0-9]{0,19}")
    post_hosts: tuple[str, ...] = ()
    alt_text: bool = True  # does it carry an image description?
    docs: str = DOCS  # where the account set-up is explained
    # How its own software counts a text against the limits (publisher.platforms.counters).
    counter: Counter = _by_code_points
    # What else makes it refuse a text that fits (X: an empty text, U+FFFE/FEFF/FFFF).
    accepts: Callable[[str], bool] | None = None
    refusal: str = "the platform refuses it as written"  # what `accepts` refuses, for `check`
    max_bytes: int | None = None  # a limit in UTF-8 bytes besides the count (Bluesky: 3000)
    hashtags: HashtagRule = field(default_factory=HashtagRule)
    # A channel that delivers each item to a list of recipients (e-mail), one ledger group
    # per item and recipient, planned by its own planner (publisher/engine/fanout.py); no
    # article or calendar post names it in `platforms:`.
    fanout: bool = False
    # Engagement counts `metrics(remote_ids)` reads for our own posts (names from
    # publisher.platforms.metrics.COUNTS), and how many posts one request may ask for.
    # Empty: the platform's API offers none (the report says so, never 0).
    metrics: tuple[str, ...] = ()
    metrics_batch: int = 1
    max_hashtags: int | None = None  # hashtags a post may carry (Instagram: 30)
    max_mentions: int | None = None  # @-tags a post may carry (Instagram: 20)
    # Every post needs an image (Instagram): items without one are not planned there.
    requires_media: bool = False
    # The image shapes it takes, as "width:height" in order of preference: the build makes a
    # variant of each item's social image in each (publisher.site.social_variants) and the
    # composer sends the first one made. Empty: the item's own image as it is.
    image_aspects: tuple[str, ...] = ()
    # The platform fetches the image from our public site when the post is made (Meta's
    # APIs): the engine sends a part only once its image URL answers there.
    fetches_media_by_url: bool = False

    # --- counting ------------------------------------------------------------------------
    def count(self, text: str, limits: PlatformLimits | None = None) -> int:
        """Length of `text` as the platform counts it."""
        return _count(self.counter, text, limits or self.limits)

    def limit_for(self, *, caption: bool = False, limits: PlatformLimits | None = None) -> int:
        """The limit that applies: the caption limit for a photo caption where there is one."""
        limits = limits or self.limits
        if caption and limits.max_caption is not None:
            return limits.max_caption
        return limits.max_text

    def fits(
        self, text: str, *, caption: bool = False, limits: PlatformLimits | None = None
    ) -> bool:
        """Does `text` fit in one post (or one photo caption) there?"""
        if self.count(text, limits) > self.limit_for(caption=caption, limits=limits):
            return False
        if self.accepts is not None and not self.accepts(text):
            return False
        return self.max_bytes is None or len(text.encode("utf-8")) <= self.max_bytes

    def hashtag_problem(self, tag: str) -> str | None:
        """Why `tag` would not be one whole hashtag there, or None."""
        return hashtag_problem(tag, self.label, self.hashtags)

    def tags_problem(self, text: str) -> str | None:
        """Why `text` carries more hashtags or @-tags than the platform takes, or None."""
        tags = len(find_hashtags(text))
        if self.max_hashtags is not None and tags > self.max_hashtags:
            return f"{tags} hashtags, but {self.label} takes at most {self.max_hashtags}"
        mentions = len(find_mentions(text))
        if self.max_mentions is not None and mentions > self.max_mentions:
            return f"{mentions} @-tags, but {self.label} takes at most {self.max_mentions}"
        return None

    @property
    def variables(self) -> tuple[str, ...]:
        return (*self.credentials, *self.optional)

    @property
    def threads(self) -> bool:
        """Can a long text become a chain of replies?"""
        return self.limits.threads

    @property
    def anchor(self) -> str:
        return f"{self.docs}#{self.name}"
