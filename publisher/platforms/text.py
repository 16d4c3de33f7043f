"""How a post's words, hashtags and link are laid out: one rule for the composer and `check`.

Pure functions: what `publisher check` counts is what the composer sends.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from publisher.platforms.counters import find_hashtags

LINK_SEPARATOR = "\n\n"  # between a post's words and its tail (hashtags, then the link)


@functools.lru_cache(maxsize=8192)  # pure; the checker asks for each item on every platform
def with_utm(url: str, platform: str, campaign: str) -> str:
    """Add utm_source/medium/campaign, replacing any already there, keeping other parameters."""
    if not url:
        return ""
    scheme, netloc, path, query, fragment = urlsplit(url)
    params = [
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.startswith("utm_")
    ]
    params += [
        ("utm_source", platform),
        ("utm_medium", "social"),
        ("utm_campaign", campaign or "site"),
    ]
    return urlunsplit((scheme, netloc, path, urlencode(params), fragment))


def link_as_sent(link_policy: str, link: str, platform: str, campaign: str, utm: bool) -> str:
    """The link as the platform gets it: with UTM parameters when `utm` is on, except where
    it cannot be clicked ("text"): there it is for reading and typing, so kept short."""
    if not link or not utm or link_policy == "text":
        return link
    return with_utm(link, platform, campaign)


def hashtags_to_add(body: str, hashtags: tuple[str, ...]) -> list[str]:
    """Campaign hashtags not already written in the body (compared without case)."""
    present = {tag.lower() for _, tag in find_hashtags(body)}
    out: list[str] = []
    for tag in hashtags:
        word = tag.strip().lstrip("#")
        if word and word.lower() not in present:
            present.add(word.lower())
            out.append(f"#{word}")
    return out


def within(body: str, tags: list[str], max_hashtags: int | None) -> list[str]:
    """The campaign hashtags to add, no more than the platform takes with the body's own."""
    if max_hashtags is None:
        return tags
    return tags[: max(max_hashtags - len(find_hashtags(body)), 0)]


def join(body: str, tail: list[str]) -> str:
    """The words, then the tail (hashtags, link) after a blank line."""
    return f"{body}{LINK_SEPARATOR}{' '.join(tail)}" if body and tail else body or " ".join(tail)


def whole_text(
    link_policy: str,
    platform: str,
    body: str,
    link: str,
    hashtags: tuple[str, ...],
    campaign: str,
    utm: bool = False,
    max_hashtags: int | None = None,
) -> str:
    """The text the composer sends when it fits: the body, the campaign hashtags it lacks
    (as many as the platform takes), and the link where the platform reads it in the text
    (with UTM parameters when `utm` is on and it can be clicked)."""
    tail = within(body, hashtags_to_add(body, hashtags), max_hashtags)
    if link and link_policy in ("inline", "text"):
        tail.append(link_as_sent(link_policy, link, platform, campaign, utm))
    return join(body, tail)
