"""Our reader and syndication.json, for the engine's fixture site (with publisher.feeds for
the Atom feed: see tests/engine_support.PLUGINS). The site's other plugins (hotlines, press
room, campaign pages) are tested with the site; leaving them out keeps these tests about
the engine."""

from __future__ import annotations

from typing import Any

from pelican import signals

from publisher.site import syndication_feed
from publisher.site.reader import FrontMatterMarkdownReader


def _add_reader(readers: Any) -> None:
    readers.reader_classes["md"] = FrontMatterMarkdownReader


def register() -> None:
    signals.readers_init.connect(_add_reader)
    syndication_feed.register()
