"""Campaign files (campaigns/<slug>.md): the landing page and the posting calendar in one file.

YAML front matter holds the campaign's fields and its `posts:` list; the body is the landing
page in Markdown. docs/writing.md describes every field with a full example. A post's `id` is
its identity for the publisher (ledger key `<campaign>/<id>`) and never changes once it may
have gone out. `link` is the slug of a page, article or campaign; the publisher adds its
address after the text (LINK_SEPARATOR), and `publisher check` counts it. Hashtags are never
added to posts: they are written in the text, so what is checked is what is sent.

The syndication engine imports Campaign and CalendarPost: keep them stable. The reading,
with a located problem for every mistake, is in campaign_reader.py (load_campaigns).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from publisher.content.fields import ImageRef
from publisher.content.print_section import PrintSection

CAMPAIGN_FIELDS = (
    "title", "slug", "start", "end", "summary", "hashtags", "platforms", "image", "cta",
    "status", "lang", "events", "posts", "print",
)  # fmt: skip
POST_FIELDS = ("id", "at", "platforms", "text", "wording", "image", "link", "thread", "status")
EVENT_FIELDS = ("at", "title", "place", "summary")
CTA_FIELDS = ("text", "link")
DEFAULT_CTA = ("Butuh bantuan? Lihat saluran pengaduan resmi", "bantuan")
LINK_SEPARATOR = "\n\n"  # between a post's text and the address of its `link`
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class CallToAction:
    text: str
    link: str  # slug of a page, article or campaign
    line: int = 1


@dataclass
class CampaignEvent:
    at: dt.datetime  # UTC
    title: str
    place: str = ""
    summary: str = ""
    line: int = 1


@dataclass
class CalendarPost:
    campaign: str  # the campaign's slug
    id: str  # stable identity; the ledger key is `key`
    at: dt.datetime  # UTC
    platforms: list[str]
    text: str
    wording: dict[str, str] = field(default_factory=dict)  # platform -> replacement text
    image: ImageRef | None = None
    link: str | None = None  # slug of a page, article or campaign
    thread: bool = False  # may become a thread where the platform has threads
    status: str = "published"  # "draft" keeps it from being posted
    line: int = 1  # line of the post's first field
    lines: dict[str, int] = field(default_factory=dict)  # "at", "text", "wording.x", ... -> line
    text_starts: dict[str, tuple[int, bool]] = field(default_factory=dict)  # first line, literal?

    @property
    def key(self) -> str:
        return f"{self.campaign}/{self.id}"

    def text_for(self, platform: str) -> str:
        """The words posted on `platform` (without the link, which the publisher adds)."""
        return self.wording.get(platform) or self.text

    def text_field(self, platform: str) -> str:
        """Which field holds the words for `platform`: "wording.x" or "text"."""
        return f"wording.{platform}" if self.wording.get(platform) else "text"

    def line_in(self, name: str, text: str, index: int) -> int:
        """Line of character `index` of field `name`'s text (exact for `|` blocks)."""
        start, literal = self.text_starts.get(name, (self.lines.get(name, self.line), False))
        return start + text[:index].count("\n") if literal else start


@dataclass
class Campaign:
    slug: str
    title: str
    start: dt.datetime  # UTC, inclusive
    end: dt.datetime  # UTC, inclusive
    summary: str
    hashtags: list[str]  # without '#'
    platforms: list[str]
    image: ImageRef | None
    cta: CallToAction
    body: str  # Markdown of the landing page
    path: Path
    posts: list[CalendarPost] = field(default_factory=list)
    events: list[CampaignEvent] = field(default_factory=list)
    status: str = "published"
    lang: str = "id"
    key_lines: dict[str, int] = field(default_factory=dict)  # field -> line
    body_line: int = 1
    print_section: PrintSection | None = None  # the words of its posters and leaflet

    def state(self, now: dt.datetime) -> str:
        """ "current", "upcoming" or "past" at `now`."""
        if now < self.start:
            return "upcoming"
        return "past" if now > self.end else "current"

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)
