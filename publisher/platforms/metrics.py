"""Engagement counts of our own posts, as each platform's API gives them: the `metrics`
capability of an adapter (publisher.platforms.base), declared in its SPEC.

Only counts are read, never who liked, reposted or replied: each platform is asked for its
totals alone (X `public_metrics`, Mastodon's `*_count` fields, Bluesky's post view counts,
Facebook's `summary(total_count).limit(0)`, the media insights of Instagram and Threads). A
count the platform does not give is None, never 0: the report says "not offered by
<platform>" for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from publisher.platforms.draft import PostResult

# Every count a platform may give, in the order reports show them.
COUNTS = ("reposts", "likes", "replies", "quotes", "views")
# The counts added up as "interactions" (views are of another scale: shown apart).
INTERACTIONS = ("reposts", "likes", "replies", "quotes")


@dataclass(frozen=True)
class Counts:
    reposts: int | None = None
    likes: int | None = None
    replies: int | None = None
    quotes: int | None = None
    views: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass(frozen=True)
class Metrics:
    """The answer to one read: counts by remote id (an id asked for and absent from the
    answer is gone from the platform), or why the read failed (`failure.retry_at` for a
    rate limit)."""

    counts: dict[str, Counts] = field(default_factory=dict)
    failure: PostResult | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def not_offered(label: str) -> str:
    return f"not offered by {label}"


def number(value: Any) -> int | None:
    """A count from an answer we do not trust: a whole number of at least 0, else None."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    try:
        found = int(value)
    except ValueError:
        return None
    return found if found >= 0 else None


def _get(value: Any, name: str) -> Any:
    """A field of an answer: a dict's key or a model's attribute."""
    if isinstance(value, Mapping):
        return value.get(name)
    return getattr(value, name, None)


def from_x(tweet: Mapping[str, Any]) -> Counts:
    """GET /2/tweets?tweet.fields=public_metrics: X gives impressions of one's own posts."""
    public = tweet.get("public_metrics") or {}
    return Counts(
        reposts=number(public.get("retweet_count")),
        likes=number(public.get("like_count")),
        replies=number(public.get("reply_count")),
        quotes=number(public.get("quote_count")),
        views=number(public.get("impression_count")),
    )


def from_mastodon(status: Any) -> Counts:
    """A Status entity: boosts, favourites and replies (Mastodon counts no views)."""
    return Counts(
        reposts=number(_get(status, "reblogs_count")),
        likes=number(_get(status, "favourites_count")),
        replies=number(_get(status, "replies_count")),
    )


def from_bluesky(post: Any) -> Counts:
    """An app.bsky.feed.defs#postView (Bluesky counts no views)."""
    return Counts(
        reposts=number(_get(post, "repost_count")),
        likes=number(_get(post, "like_count")),
        replies=number(_get(post, "reply_count")),
        quotes=number(_get(post, "quote_count")),
    )


def from_facebook(node: Mapping[str, Any]) -> Counts:
    """A Page post with `shares`, `reactions.summary(total_count)`, `comments.summary(...)`.

    The Graph API leaves `shares` out of a post nobody shared: for a post that answered with
    its other totals, that is 0 shares."""
    reactions = number(((node.get("reactions") or {}).get("summary") or {}).get("total_count"))
    comments = number(((node.get("comments") or {}).get("summary") or {}).get("total_count"))
    shares = node.get("shares")
    reposts = number((shares or {}).get("count")) if isinstance(shares, Mapping) else None
    if shares is None and (reactions is not None or comments is not None):
        reposts = 0
    return Counts(reposts=reposts, likes=reactions, replies=comments)


def from_insights(answer: Mapping[str, Any], names: Mapping[str, str]) -> Counts:
    """GET /{media-id}/insights?metric=...: Meta's media insights (Instagram, Threads),
    `{"data": [{"name": "likes", "period": "lifetime", "values": [{"value": 100}], ...}]}`.

    `names` maps the platform's metric to our count. Meta leaves a metric out of `data`
    when it has none for the post yet ("an empty data set instead of 0"): that count is None.
    """
    found: dict[str, int | None] = {}
    data = answer.get("data")
    for entry in data if isinstance(data, list) else []:
        if not isinstance(entry, Mapping) or entry.get("name") not in names:
            continue
        values = entry.get("values")
        first = values[0] if isinstance(values, list) and values else None
        if isinstance(first, Mapping):
            found[names[str(entry["name"])]] = number(first.get("value"))
    return Counts(**found)
