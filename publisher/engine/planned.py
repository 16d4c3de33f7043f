"""What the engine plans to post: one record per article, release or calendar post.

Shared by sources (which make them), the composer (which turns one into a draft per
platform) and the scheduler. Keys are stable: `item:<uid>` or `cal:<campaign>:<post id>`,
never derived from a URL, title or text, so an edit never makes a new post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from publisher.platforms.draft import Media


@dataclass(frozen=True)
class Planned:
    key: str
    kind: str  # "article" | "release" | "calendar"
    due: dt.datetime  # UTC
    title: str
    text: str = ""  # default wording for every platform ("" -> the title)
    wording: Mapping[str, str] = field(default_factory=dict)  # per platform
    platforms: tuple[str, ...] = ()  # empty: every enabled platform
    link: str = ""  # absolute URL of the page ("" = no link)
    image: Media | None = None
    hashtags: tuple[str, ...] = ()
    campaign: str = ""  # slug, for utm_campaign
    thread: bool = False  # may become a thread where the platform allows it
    lang: str = "id"
    origin: str = ""  # where it was read from, for messages: a file:line or a feed entry


def item_key(uid: str) -> str:
    return f"item:{uid}"


def calendar_key(campaign: str, post_id: str) -> str:
    return f"cal:{campaign}:{post_id}"
