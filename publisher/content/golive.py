"""Go-live times: when an embargoed release (or a future-dated article) becomes live.

The built site cannot know that a time has passed, so the scheduler rebuilds (and deploys)
at each of these times before syndicating. They are read from the content's front matter,
the same way the Pelican reader reads it, so the two agree on what is live when.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from publisher.content import frontmatter
from publisher.content.fields import kind_of, parse_content_meta
from publisher.core.errors import ContentError
from publisher.core.project import Layout

# `publisher build --now <future>` writes this file (JSON: {"now": ISO 8601}) into its output
# folder: a preview of the future. The scheduler, `deploy` and `serve --publish` refuse to
# read a folder that holds it, whatever else it holds.
FUTURE_BUILD_MARKER = ".future-build"


def future_build(folder: Path) -> str | None:
    """Why `folder` must not be read as what is live now, or None."""
    marker = folder / FUTURE_BUILD_MARKER
    if not marker.exists():
        return None
    try:
        when = str(json.loads(marker.read_text(encoding="utf-8")).get("now") or "?")
    except (OSError, ValueError, AttributeError):
        when = "?"
    return (
        f"{folder}: built for a future time ({when}, `publisher build --now`): a preview, "
        f"not what is live; build it again without --now (or remove {FUTURE_BUILD_MARKER} "
        "if you are sure)"
    )


@dataclass(frozen=True)
class GoLive:
    uid: str
    title: str
    at: dt.datetime  # UTC
    why: str  # "embargo" | "date"
    path: Path


def scan(content: Path, layout: Layout | None = None) -> tuple[list[GoLive], list[str]]:
    """Every published article and release with an embargo or a date; problems as lines."""
    found: list[GoLive] = []
    problems: list[str] = []
    page_dirs = layout.page_dirs if layout else ("pages",)
    release_dirs = layout.release_dirs if layout else ("siaran-pers",)
    if not content.exists():
        return found, problems
    for path in sorted(content.rglob("*.md")):
        try:
            kind = kind_of(path, content, page_dirs, release_dirs)
            if kind == "page":
                continue
            meta = parse_content_meta(frontmatter.parse(path), kind)
        except ContentError as exc:
            problems.append(str(exc.problem))
            continue
        if meta.status != "published" or not meta.uid or meta.translation:
            continue  # a translation goes live with its original: one rebuild is enough
        if meta.embargo is not None:
            found.append(GoLive(meta.uid, meta.title, meta.embargo, "embargo", path))
        if meta.date is not None and (meta.embargo is None or meta.date > meta.embargo):
            found.append(GoLive(meta.uid, meta.title, meta.date, "date", path))
    found.sort(key=lambda g: (g.at, g.uid))
    return found, problems


def pending(content: Path, now: dt.datetime) -> list[GoLive]:
    """Go-live times still ahead of `now` (what `publisher embargoes` lists)."""
    times, _ = scan(content)
    return [g for g in times if g.at > now]
