"""Go-live: when an item, and everything derived from it, may exist in any output.

One rule, used by every path that makes something public (the site's reader, its static
files, feeds, sitemap and search, the records the scheduler reads, `publisher embargoes`):

    go-live = max(date, embargo, the go-live of the item it translates)

Before that moment nothing derived from the item exists in any output: no page in any
language, no feed or sitemap entry, no search entry, none of its images, attachments or
files linked only from its body (nor their .gz/.br twins), no social card, no syndication
record. From that moment all of it does. A file also used by a live item stays published.

A translation goes live with its original: an English version of an embargoed release is
embargoed too, and one whose original is a draft waits for it. A translation whose own
embargo differs from its original's is a `publisher check` error (translation_problem).

The built site cannot know that a time has passed, so the scheduler rebuilds (and deploys)
at each of these times before syndicating. `build --now <future>` previews the future into a
folder marked with FUTURE_MARKER, which deploy, `serve --publish` and the scheduler refuse.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.content import frontmatter
from publisher.content.fields import ContentMeta, kind_of, parse_content_meta
from publisher.content.frontmatter import FrontMatter
from publisher.content.paths import body_targets, site_file
from publisher.content.press import referenced_files
from publisher.core.errors import ContentError, Problem, display_path
from publisher.core.project import Layout
from publisher.core.timeutil import format_wib

# Written into the output of a build made as of a future moment (`build --now`).
FUTURE_MARKER = ".future-build"
# How far ahead of the clock `--now` must be to count as the future (clock skew, a slow build).
FUTURE_SLACK = dt.timedelta(seconds=60)


# --- the rule ---------------------------------------------------------------------------


def own_time(meta: ContentMeta) -> dt.datetime | None:
    """max(date, embargo) of one item alone; None when it has neither (a page)."""
    times = [t for t in (meta.date, meta.embargo) if t is not None]
    return max(times) if times else None


class GoLiveRule:
    """The go-live of every article and release of one site (translations need the others)."""

    def __init__(self, items: Iterable[tuple[Path | None, ContentMeta]] = ()) -> None:
        self.by_uid: dict[str, ContentMeta] = {}
        self.by_slug: dict[str, ContentMeta] = {}
        self.paths: dict[int, Path] = {}  # id(original) -> its file, for messages
        for path, meta in items:
            if meta.kind == "page" or meta.translation:
                continue
            if path is not None:
                self.paths[id(meta)] = path
            if meta.uid:
                self.by_uid.setdefault(meta.uid, meta)
            if meta.slug:
                self.by_slug.setdefault(meta.slug, meta)

    def original_of(self, meta: ContentMeta) -> ContentMeta | None:
        """The item `meta` translates (same id, else same slug), if it is a translation."""
        if not meta.translation or meta.kind == "page":
            return None
        found = self.by_uid.get(meta.uid or "") or self.by_slug.get(meta.slug or "")
        return found if found is not meta else None

    def at(self, meta: ContentMeta) -> dt.datetime | None:
        """When `meta` goes live; None: whenever it is published (a page, an undated item)."""
        times = [own_time(meta)]
        original = self.original_of(meta)
        if original is not None:
            times.append(own_time(original))
        known = [t for t in times if t is not None]
        return max(known) if known else None

    def where(self, original: ContentMeta) -> str:
        path = self.paths.get(id(original))
        return display_path(path) if path else f"the item with id '{original.uid}'"

    def is_live(self, meta: ContentMeta, now: dt.datetime) -> bool:
        """Published (and so is its original), and its go-live is not after `now`."""
        if meta.status != "published":
            return False
        original = self.original_of(meta)
        if original is not None and original.status != "published":
            return False
        at = self.at(meta)
        return at is None or at <= now


def rule_for(content: Path, page_dirs: Iterable[str], release_dirs: Iterable[str],
             memo: dict[Any, Any] | None = None) -> GoLiveRule:  # fmt: skip
    """The rule over every readable article and release under `content` (broken files are
    left out: the build refuses them anyway)."""
    return GoLiveRule(_items(content, page_dirs, release_dirs, memo))


def _items(content: Path, page_dirs: Iterable[str], release_dirs: Iterable[str],
           memo: dict[Any, Any] | None = None) -> Iterable[tuple[Path, ContentMeta]]:  # fmt: skip
    pages, releases = tuple(page_dirs), tuple(release_dirs)
    if not content.is_dir():
        return
    for path in sorted(content.rglob("*.md")):
        try:
            kind = kind_of(path, content, pages, releases)
            if kind == "page":
                continue
            yield path, parse_content_meta(frontmatter.parse(path, memo=memo), kind)
        except (ContentError, ValueError, OSError):
            continue


def translation_problem(fm: FrontMatter, meta: ContentMeta, rule: GoLiveRule) -> Problem | None:
    """A translation must not name another embargo than its original's (it goes live with it)."""
    original = rule.original_of(meta)
    if original is None or meta.embargo is None or meta.embargo == original.embargo:
        return None
    theirs = "no embargo" if original.embargo is None else f"embargo {_wib(original.embargo)}"
    return Problem(
        display_path(fm.path),
        fm.line_of("embargo"),
        f"this translation's embargo ({_wib(meta.embargo)}) differs from its original's "
        f"({theirs}, {rule.where(original)}); a translation goes live "
        "with its original: give both the same embargo, or remove it here",
    )


def _wib(moment: dt.datetime) -> str:
    return format_wib(moment)


# --- what an item publishes -------------------------------------------------------------


def item_files(meta: ContentMeta, body: str, source_dir: str = "") -> list[str]:
    """Every file under content/ an item shows or offers: lead image, gallery, hi-res,
    attachments, and files and images its body links to."""
    files = list(referenced_files(meta))
    for _index, target in body_targets(body):
        name = site_file(target, source_dir)
        if name is not None and not name.endswith(".md"):
            files.append(name)
    return list(dict.fromkeys(files))


# --- times for feeds and the scheduler --------------------------------------------------


def feed_times(meta: ContentMeta, at: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """(published, updated) of a feed entry: published at go-live, updated at a later edit."""
    published = at or meta.date or meta.modified
    if published is None:
        raise ValueError("an item in a feed needs a date")
    updated = meta.modified if meta.modified and meta.modified > published else published
    if meta.corrections and meta.corrections[-1].date > updated:  # a correction updates it
        updated = meta.corrections[-1].date
    return published, updated


def iso_utc(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with 'Z', the form of syndication.json's `golive`."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# --- a preview of the future ------------------------------------------------------------


def is_future(now: dt.datetime | None, clock: dt.datetime) -> bool:
    """Is a build as of `now` a preview of the future (deploy and scheduler must refuse it)?"""
    return now is not None and now > clock + FUTURE_SLACK


def write_future_marker(folder: Path, now: dt.datetime) -> None:
    (folder / FUTURE_MARKER).write_text(json.dumps({"now": iso_utc(now)}) + "\n", "utf-8")


def future_marker(folder: Path) -> dt.datetime | None:
    """The time a folder was built as of, if it is a preview of the future; else None.

    A marker that cannot be read still marks the folder: refusing is the safe side."""
    marker = folder / FUTURE_MARKER
    if not marker.exists():
        return None
    try:
        return dt.datetime.fromisoformat(json.loads(marker.read_text("utf-8"))["now"])
    except (OSError, ValueError, KeyError, TypeError):
        return dt.datetime.max.replace(tzinfo=dt.UTC)


def future_build(folder: Path) -> str | None:
    """Why `folder` must not be read or deployed as what is live now, or None."""
    as_of = future_marker(folder)
    if as_of is None:
        return None
    when = "an unreadable time" if as_of.year == dt.MAXYEAR else format_wib(as_of)
    return (
        f"{folder}: built as the site will be at {when} (`publisher build --now`, "
        f"{FUTURE_MARKER}): a preview of the future, not what is live; build it again "
        "without --now"
    )


# --- `publisher embargoes` --------------------------------------------------------------


@dataclass(frozen=True)
class GoLive:
    uid: str
    title: str
    at: dt.datetime  # UTC
    why: str  # "embargo" | "date" | "translation" (dated after its original)
    path: Path


def scan(content: Path, layout: Layout | None = None) -> tuple[list[GoLive], list[str]]:
    """Every published article and release with a go-live time; problems as lines."""
    found: list[GoLive] = []
    problems: list[str] = []
    page_dirs = layout.page_dirs if layout else ("pages",)
    release_dirs = layout.release_dirs if layout else ("siaran-pers",)
    if not content.exists():
        return found, problems
    items: list[tuple[Path, ContentMeta]] = []
    for path in sorted(content.rglob("*.md")):
        try:
            kind = kind_of(path, content, page_dirs, release_dirs)
            if kind == "page":
                continue
            items.append((path, parse_content_meta(frontmatter.parse(path), kind)))
        except ContentError as exc:
            problems.append(str(exc.problem))
    rule = GoLiveRule(items)
    for path, meta in items:
        if meta.status != "published" or not meta.uid:
            continue
        original = rule.original_of(meta)
        if original is not None:  # goes live with its original: one rebuild is enough...
            at, theirs = rule.at(meta), rule.at(original)
            if at is not None and at != theirs:  # ...unless it is dated after it
                found.append(GoLive(meta.uid, meta.title, at, "translation", path))
            continue
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
