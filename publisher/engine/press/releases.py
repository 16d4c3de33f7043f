"""What the press mail planner reads each tick: the releases in content/ and what is live.

Embargoed releases are read from content/ directly, as staff wrote them: nothing of an
embargoed release is in any public output before it lifts, and the advance copies go out a
day before that. Whether a release is live is never decided from content/: it is live when
the built site's syndication records (feeds/syndication.json, from the same build as the
feeds) list it, from its recorded go-live, with the corrections its page shows. A file is
parsed again only when it changed (its size and modification time).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from publisher.content import approvals, frontmatter
from publisher.content.fields import ContentMeta, kind_of, parse_content_meta
from publisher.content.golive import GoLiveRule
from publisher.core.errors import ContentError
from publisher.core.project import Layout
from publisher.core.timeutil import TimeFormatError, parse_time
from publisher.engine.sources import SYNDICATION_PATH, SourceError, _fetch

Stamp = tuple[int, int]


def stamp(path: Path) -> Stamp | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


@dataclass(frozen=True)
class Version:
    """One language version of a release, as its file says."""

    path: Path
    meta: ContentMeta


@dataclass
class Release:
    uid: str
    original: Version
    translations: list[Version] = field(default_factory=list)

    @property
    def versions(self) -> Iterator[Version]:
        yield self.original
        yield from self.translations


@dataclass(frozen=True)
class Live:
    """A release the built site shows, as its syndication record says."""

    uid: str
    golive: dt.datetime
    corrections: tuple[dt.datetime, ...]


class ReleaseReader:
    """The project's releases, re-read file by file as they change."""

    def __init__(self, layout: Layout, root: Path) -> None:
        self.layout = layout
        self.root = root
        self._memo: dict[Path, tuple[Stamp, Version | None]] = {}

    def releases(self, problems: list[str]) -> tuple[dict[str, Release], GoLiveRule]:
        content = self.layout.content
        versions: list[Version] = []
        seen: dict[Path, tuple[Stamp, Version | None]] = {}
        for folder in self.layout.release_dirs:
            for path in sorted((content / folder).rglob("*.md")):
                found = stamp(path)
                if found is None:
                    continue
                kept = self._memo.get(path)
                version = kept[1] if kept and kept[0] == found else self._read(path, problems)
                seen[path] = (found, version)
                if version is not None:
                    versions.append(version)
        self._memo = seen
        rule = GoLiveRule((v.path, v.meta) for v in versions)
        out: dict[str, Release] = {}
        for v in versions:
            if v.meta.translation or not v.meta.uid:
                continue
            out.setdefault(v.meta.uid, Release(v.meta.uid, v))
        for v in versions:
            original = rule.original_of(v.meta)
            if v.meta.translation and original is not None and original.uid in out:
                out[original.uid].translations.append(v)
        return out, rule

    def _read(self, path: Path, problems: list[str]) -> Version | None:
        try:
            kind = kind_of(
                path, self.layout.content, self.layout.page_dirs, self.layout.release_dirs
            )
            meta = parse_content_meta(frontmatter.parse(path), kind)
        except ContentError as exc:
            problems.append(str(exc.problem))
            return None
        return Version(path, meta) if meta.kind == "release" else None

    def approved(self, problems: list[str]) -> approvals.Approvals | None:
        try:
            return approvals.load(self.root)
        except ContentError as exc:
            problems.append(str(exc))
            return None


def live_releases(feed: str) -> dict[str, Live]:
    """uid -> Live for every release of the built (or deployed) site. Raises SourceError."""
    raw = _fetch(feed, SYNDICATION_PATH)
    try:
        records = json.loads(raw)["items"]
        found: dict[str, Live] = {}
        for rec in records:
            if rec.get("kind") != "release" or not rec.get("uid") or not rec.get("golive"):
                continue
            times = tuple(parse_time(str(t)) for t in rec.get("corrections") or ())
            found[str(rec["uid"])] = Live(str(rec["uid"]), parse_time(str(rec["golive"])), times)
    except (ValueError, KeyError, TypeError, AttributeError, TimeFormatError) as exc:
        raise SourceError(f"{feed}/{SYNDICATION_PATH}: not a syndication file ({exc})") from None
    return found
