"""Pelican reader for our Markdown files: YAML front matter, validated, with file:line errors.

Embargoed and future-dated items get Pelican's `skip` status, so nothing of them is written:
no page, no draft, no feed entry (Pelican would otherwise write future items to drafts/).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, ClassVar

from markdown import Markdown
from markupsafe import escape
from pelican.readers import BaseReader

from publisher import frontmatter
from publisher.errors import ContentError
from publisher.metadata import ContentMeta, parse_content_meta
from publisher.timeutil import WIB, utc_now

# Problems met while Pelican reads; `publisher build` reports them and refuses to write output.
PROBLEMS: list[ContentError] = []


def kind_of(source_path: str | Path, settings: dict[str, Any]) -> str:
    parts = Path(source_path).resolve().relative_to(Path(settings["PATH"]).resolve()).parts
    if parts and parts[0] in settings.get("PAGE_PATHS", ["pages"]):
        return "page"
    if parts and parts[0] in settings.get("RELEASE_PATHS", ["siaran-pers"]):
        return "release"
    return "article"


def build_now(settings: dict[str, Any]) -> dt.datetime:
    return settings.get("PUBLISHER_NOW") or utc_now()


def is_live(meta: ContentMeta, now: dt.datetime) -> bool:
    """Published, not future-dated, not under embargo at `now`."""
    if meta.status != "published":
        return False
    if meta.date and meta.date > now:
        return False
    return not (meta.embargo and meta.embargo > now)


class FrontMatterMarkdownReader(BaseReader):
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        path = Path(source_path)
        try:
            fm = frontmatter.parse(path)
            meta = parse_content_meta(fm, kind_of(path, self.settings))
        except ContentError as exc:
            PROBLEMS.append(exc)
            raise
        if not is_live(meta, build_now(self.settings)):
            # Nothing of it is converted or kept: it cannot leak into any output file.
            return "", {"title": meta.title, "status": "skip"}
        md = Markdown(**self.settings["MARKDOWN"])
        content = md.convert(fm.body)
        return content, self._pelican_metadata(meta)

    def _pelican_metadata(self, meta: ContentMeta) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": meta.title,
            "kind": meta.kind,
            "lang": meta.lang,
            "status": "published",
            "meta": meta,
        }
        if meta.slug:
            out["slug"] = meta.slug
        if meta.summary:
            out["summary"] = str(escape(meta.summary))
            out["plain_summary"] = meta.summary
        if meta.date:
            out["date"] = meta.date.astimezone(WIB)
        if meta.modified:
            out["modified"] = meta.modified.astimezone(WIB)
        if meta.uid:
            out["uid"] = meta.uid
        if meta.translation:
            out["translation"] = "true"
        if meta.tags:
            out["tags"] = self.process_metadata("tags", ", ".join(meta.tags))
        for key, value in meta.extra.items():
            out[key] = value
        return out
