"""Pelican reader for our Markdown files: YAML front matter, validated, with file:line errors.

Embargoed and future-dated items get Pelican's `skip` status, so nothing of them is written:
no page, no draft, no feed entry (Pelican would otherwise write future items to drafts/).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from markupsafe import escape
from pelican.readers import BaseReader

from publisher.content import approvals, fields, frontmatter, golive, paths, press
from publisher.content.fields import ContentMeta, parse_content_meta
from publisher.content.markdown_guard import MarkdownRefused, Renderer
from publisher.core.errors import ContentError
from publisher.core.timeutil import WIB
from publisher.site import golive_files
from publisher.site.run import Converted, press_data
from publisher.site.run import of as build_run


def kind_of(source_path: str | Path, settings: dict[str, Any]) -> str:
    return fields.kind_of(
        Path(source_path),
        Path(settings["PATH"]),
        settings.get("PAGE_PATHS", ["pages"]),
        settings.get("RELEASE_PATHS", ["siaran-pers"]),
    )


# Conversions of unchanged files (same text) are kept between the builds of one process in
# the build's BuildMemory (publisher/site/run.py): `publisher serve` rebuilds on every save,
# and reading is half of a build. Pelican's own content cache is not used: it pickles to disk
# on every build (slowing the cold build) and it would remember an embargoed item's `skip`
# past its go-live time.


class FrontMatterMarkdownReader(BaseReader):
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._renderer = Renderer(settings["MARKDOWN"])  # bounded, sanitised conversions
        self._taxa: dict[tuple[str, str], Any] = {}  # Category and Tag objects by name

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        run = build_run(self.settings)
        try:
            converted = self._converted(Path(source_path))
        except ContentError as exc:
            run.problems.append(exc)
            raise
        meta = converted.meta
        # Decided on every build, also for a remembered conversion: a build --now in the past
        # must not show what was live later. One rule (content/golive.py) for every output,
        # and, where approval is on, only the text an editor approved (content/approvals.py).
        if converted.html is None or not self._live(meta, Path(source_path)):
            run.held_files.update(converted.files)
            return "", {"title": meta.title, "status": "skip"}
        run.live_files.update(converted.files)
        metadata = self._pelican_metadata(meta)
        metadata["golive"] = golive_files.go_live_at(self.settings, meta)
        if meta.kind == "release":
            metadata.update(self._release_metadata(meta, Path(self.settings["PATH"])))
        return converted.html, metadata

    def _converted(self, path: Path) -> Converted:
        """The file's conversion: remembered from an earlier build in this process if the
        file is unchanged, else from the build's helper process, else done here."""
        run = build_run(self.settings)
        key = run.memo_key(path, self.settings) if run.memory.lasting else None
        found = run.memory.converted.get(key) if key else None
        if found is None:
            found = (run.helper and run.helper.take(str(path))) or self.convert(path)
            # Only live items that read no other file: an embargoed item is converted when
            # it goes live, and a release names contacts and attachments kept elsewhere.
            if key and found.html is not None and found.meta.kind != "release":
                run.memory.remember(key, found)
        return found

    def convert(self, path: Path) -> Converted:
        """Front matter checked and Markdown converted: the costly part of reading, which the
        build's helper process does for half of the articles. Raises ContentError."""
        build = build_run(self.settings)
        # The parsed file is kept for the check that follows in the same process, or for
        # the next build of a lasting process; the main process of a build with a helper
        # (which checks) has no use for it.
        keep = build.memory.lasting or build.helper is None
        fm = frontmatter.parse(path, memo=build.memory.parsed if keep else None)
        meta = parse_content_meta(fm, kind_of(path, self.settings))
        folder = Path(self.settings["PATH"])
        where = os.path.relpath(path.parent, folder).replace(os.sep, "/")
        unsafe = paths.meta_problems(fm, meta, self.settings["STATIC_PATHS"])
        unsafe += paths.body_problems(fm, "" if where == "." else where)
        if unsafe:  # never handed to Pelican, which would follow the path
            raise ContentError(fm.path, unsafe[0].line, unsafe[0].message)
        if meta.kind == "release":
            press.validate_release(fm, meta, folder, self._press())
        files = tuple(golive.item_files(meta, fm.body, "" if where == "." else where))
        if not self._live(meta, path):
            # Nothing of it is converted or kept: it cannot leak into any output file.
            return Converted(meta, None, files)
        try:
            return Converted(meta, self._renderer.render(fm.body), files)
        except MarkdownRefused as exc:
            line = fm.body_line + exc.refusal.line - 1
            raise ContentError(path, line, exc.refusal.message) from None

    # Approval (publisher/content/approvals.py): with `required: true`, an article or release
    # whose current text no editor approved is not live, however its dates stand.
    def _live(self, meta: ContentMeta, path: Path) -> bool:
        if not golive_files.is_live(self.settings, meta):
            return False
        if meta.kind == "page":
            return True
        run = build_run(self.settings)
        if "approvals" not in run.data:  # read once per build, like the press data
            run.data["approvals"] = approvals.load(run.project.root)
        return bool(run.data["approvals"].allows_file(path))

    def _taxon(self, kind: str, name: str) -> Any:
        """One Category or Tag object per name and build: Pelican would make one per article,
        and each works out its slug again (a fifth of a 5,000-article preview build)."""
        if (kind, name) not in self._taxa:
            made = self.process_metadata(kind, name)
            self._taxa[(kind, name)] = made[0] if kind == "tags" else made
        return self._taxa[(kind, name)]

    def _press(self) -> press.PressData:
        return press_data(self.settings)

    def _release_metadata(self, meta: ContentMeta, content_root: Path) -> dict[str, Any]:
        """Releases live at siaran-pers/<id>/: the URL never changes with slug, date or title."""
        data = self._press()
        folder = "en/press-releases" if meta.lang == "en" else "siaran-pers"
        return {
            "url": f"{folder}/{meta.uid}/",
            "save_as": f"{folder}/{meta.uid}/index.html",
            "contacts": [data.contacts[c] for c in meta.contacts],
            "downloads": [
                press.download(content_root, press.static_path(str(a["file"])), str(a["title"]))
                for a in meta.attachments
            ],
            "boilerplate": data.boilerplate,
        }

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
        if meta.kind != "page":
            label = "Siaran Pers" if meta.kind == "release" else "Berita"
            out["category"] = self._taxon("category", label)
        if meta.tags:
            out["tags"] = [self._taxon("tags", tag) for tag in meta.tags]
        for key, value in meta.extra.items():
            out[key] = value
        return out
