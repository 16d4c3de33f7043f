"""Preview builds (`publisher serve`) leave an unchanged article's page where it is.

Pelican renders every page on every build; in serve's builder, after one edit, all but one
article page come out byte for byte as before. An article's page is kept in the site being
served when everything it is made of is as it was when that page was written:

- the article's text, the files it shows (images, attachments) and its translations' texts;
- the theme, data/ and the settings (all of them, but the build's time);
- every URL of the site (an article may link to any other with {filename}).

Anything else changed (a new article, a slug, a template) renders every page again. Releases
are always rendered. A preview build then moves only its new files into the served site and
deletes what no longer belongs there (sync_into_place); a full build swaps the whole folder.
Production builds (`publisher build`) never keep pages: each process starts with no record.
The record holds the pages of the last build put in place, and each kept page is checked
against it (a site replaced by another process is rendered again).
Pelican has no incremental writing (its WRITE_SELECTED needs the list of pages to write).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.writers import Writer

from publisher.content import press
from publisher.site import images, run
from publisher.site.fast.parallel_render import DeferredRenders
from publisher.site.run import RUN_SETTING, BuildRun

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_WRITE_OPTIONS = {"relative_urls", "paginated", "template_name", "override_output", "url"}
_VOLATILE = {"OUTPUT_PATH", "PUBLISHER_NOW", "PREVIEW_OF", RUN_SETTING}


class ReusingWriter(Writer):
    """Pelican's writer, but in a preview build an unchanged article's page is left where it
    is, and the other article pages are rendered in a forked process (parallel_render.py)."""

    def __init__(self, output_path: str, settings: dict[str, Any]) -> None:
        super().__init__(output_path, settings=settings)
        self.served = settings.get("PREVIEW_OF")  # the site folder this build will replace
        self.site_key: str | None = None
        self.written: dict[str, str] = {}  # page -> fingerprint, kept if the build is used
        self.kept: set[str] = set()  # pages left as they are in the served site
        self.identities: dict[str, tuple[int, int, int]] = {}  # of the kept pages
        self.renders = DeferredRenders(
            self._render, self._announce_call, settings.get("BUILD_HELPER", True)
        )
        self.run = run.of(settings)
        self.run.writers[str(Path(output_path))] = self

    def write_file(self, name: Any, template: Any, context: dict, *args: Any, **kwargs: Any):
        template = images.rewriting(template, self.settings)  # <img> -> <picture>
        article = kwargs.get("article")
        if article is None:  # the articles are done: render the deferred ones beside the rest
            self.renders.start()
            return super().write_file(name, template, context, *args, **kwargs)
        if self.served and getattr(article, "kind", "") != "release":
            fingerprint = self._fingerprint(article, context)
            self.written[name] = fingerprint
            if self._unchanged(name, fingerprint):
                self.kept.add(name)
                self._announce(name, context, kwargs)
                return None
        if self.renders.defer((name, template, context, args, kwargs)):
            return None
        return super().write_file(name, template, context, *args, **kwargs)

    def _render(self, call: tuple[Any, ...]) -> None:
        name, template, context, args, kwargs = call
        super().write_file(name, template, context, *args, **kwargs)

    def _announce_call(self, call: tuple[Any, ...]) -> None:
        name, _template, context, _args, kwargs = call
        self._announce(name, context, kwargs)

    def _unchanged(self, name: str, fingerprint: str) -> bool:
        """Is the served page the one this process wrote from the same inputs?"""
        record = self.run.memory.pages.get(str(self.served), {}).get(name)
        if record is None or record[0] != fingerprint:
            return False
        try:
            same = _identity(Path(self.served or "") / name) == record[1]
        except OSError:
            return False
        if same:
            self.identities[name] = record[1]  # still true after the sync, which leaves it
        return same

    def _announce(self, name: str, context: dict, kwargs: dict) -> None:
        """What Pelican's writer signals for a page it writes: plugins that list the written
        pages (the sitemap) must see kept and deferred pages too."""
        extra = {k: v for k, v in kwargs.items() if k not in _WRITE_OPTIONS}
        localcontext = {**context, "localsiteurl": context.get("localsiteurl"), **extra}
        localcontext["output_file"] = name
        signals.content_written.send(os.path.join(self.output_path, name), context=localcontext)

    def _fingerprint(self, article: Any, context: dict) -> str:
        if self.site_key is None:
            self.site_key = _site_key(self.settings, context)
        sources = [
            article.source_path,
            *(t.source_path for t in getattr(article, "translations", [])),
        ]
        digest = self.run.text_digest
        parts = [self.site_key, *(f"{p}|{digest(Path(p), self.settings)}" for p in sources)]
        content_root = Path(self.settings["PATH"])
        meta = getattr(article, "meta", None)
        if meta is not None:
            parts += _stamps([content_root / f for f in press.referenced_files(meta)])
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def put_in_place(
    staging: Path, site: Path, swap: Callable[[Path, Path], None], build: BuildRun
) -> int:
    """Put the build in `staging` in place of `site` and remember its pages.

    A build that kept pages moves its new files into the site one by one and deletes the
    files it no longer has (the search index excepted); any other build is swapped in whole
    by `swap`. Returns how many pages were kept."""
    writer = build.writers.pop(str(staging), None)
    kept = writer.kept if writer else set()
    if kept:
        _sync(staging, site, kept)
    else:
        swap(staging, site)
    record = {}
    for name, fingerprint in (writer.written if writer else {}).items():
        identity = writer.identities.get(name) if writer and name in kept else None
        if identity is None:
            try:
                identity = _identity(site / name)
            except OSError:  # not written after all
                continue
        record[name] = (fingerprint, identity)
    build.memory.pages[str(site)] = record
    return len(kept)


def _sync(staging: Path, site: Path, kept: set[str]) -> None:
    fresh = set()
    for folder, _dirs, files in os.walk(staging):
        for file in files:
            fresh.add(os.path.relpath(os.path.join(folder, file), staging))
    for name in fresh:
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)  # each page is whole, old or new, at any moment
    folders = []
    for folder, dirs, files in os.walk(site):
        if folder == str(site):
            dirs[:] = [d for d in dirs if d != "pagefind"]  # the search index has its own step
        relative = os.path.relpath(folder, site)
        for file in files:
            name = os.path.normpath(os.path.join(relative, file))
            if name not in fresh and name not in kept:
                os.unlink(os.path.join(folder, file))  # gone, or held back again (embargo...)
        folders.append(folder)
    for folder in reversed(folders[1:]):  # deepest first; the site folder itself stays
        if not os.listdir(folder):
            os.rmdir(folder)
    shutil.rmtree(staging, ignore_errors=True)


def finish_renders(output_path: str | Path, build: BuildRun) -> None:
    """Wait for the article pages rendered in a forked process (idempotent)."""
    writer = build.writers.get(str(Path(output_path)))
    if writer is not None:
        writer.renders.finish()


def stop_renders(output_path: str | Path, build: BuildRun) -> None:
    """After a failed or interrupted build: no renderer is left running or unreaped."""
    writer = build.writers.get(str(Path(output_path)))
    if writer is not None:
        writer.renders.stop()


def _finish_renders(pelican: Any) -> None:  # before other plugins read the written files
    finish_renders(pelican.output_path, run.of(pelican.settings))


def _get_writer(pelican: Any) -> type[Writer]:
    return ReusingWriter


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _stamps(paths: list[Any]) -> list[str]:
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
            found.append(f"{path}|{stat.st_mtime_ns}|{stat.st_size}")
        except OSError:
            found.append(f"{path}|missing")
    return found


def _tree_stamps(folder: Path) -> list[str]:
    return _stamps(sorted(p for p in folder.rglob("*") if p.is_file())) if folder.is_dir() else []


def _site_key(settings: dict[str, Any], context: dict) -> str:
    """What every page is made of besides its own article: theme, data, settings, all URLs."""
    used = {k: v for k, v in settings.items() if k not in _VOLATILE}
    urls = []
    for key in ("articles", "pages", "hidden_articles", "hidden_pages", "drafts", "draft_pages"):
        for item in context.get(key, []):
            for one in [item, *getattr(item, "translations", [])]:
                urls.append(f"{one.source_path} {one.url}")
    parts = [
        _ADDRESS.sub("", repr(sorted(used.items(), key=lambda kv: kv[0]))),
        *_tree_stamps(Path(settings["THEME"])),
        *_tree_stamps(Path(settings["PATH"]).parent / "data"),
        *sorted(urls),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def register() -> None:
    signals.get_writer.connect(_get_writer)
    signals.finalized.connect(_finish_renders)
