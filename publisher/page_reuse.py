"""Preview builds (`publisher serve`) copy an unchanged article's page instead of rendering it.

Pelican renders every page on every build; in serve's builder, after one edit, all but one
article page come out byte for byte as before. An article's page is copied from the site
being served when everything it is made of is as it was when that copy was written:

- the article's file, the files it shows (images, attachments) and its translations' files;
- the theme, data/ and the settings (all of them, but the build's time);
- every URL of the site (an article may link to any other with {filename}).

Anything else changed (a new article, a slug, a template) renders every page again. Releases
are always rendered. Production builds (`publisher build`) never copy: each process starts
with no record. The record is kept only for pages of a build that was swapped in, and each
copy is checked against it (a site replaced by another process is rendered again).
Pelican has no incremental writing (its WRITE_SELECTED needs the list of pages to write).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.writers import Writer

from publisher import press
from publisher.parallel_render import DeferredRenders

# Site folder -> {page path: (inputs fingerprint, (inode, size, mtime) of the page written)}
_RECORDS: dict[str, dict[str, tuple[str, tuple[int, int, int]]]] = {}
# Staging folder -> the writer of the build writing it (so keep_record finds what it wrote).
_WRITERS: dict[str, ReusingWriter] = {}
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_WRITE_OPTIONS = {"relative_urls", "paginated", "template_name", "override_output", "url"}
_VOLATILE = {"OUTPUT_PATH", "PUBLISHER_NOW", "PREVIEW_OF"}


class ReusingWriter(Writer):
    """Pelican's writer, but an unchanged article's page is copied from the served site, and
    the other article pages are rendered in a forked process (publisher/parallel_render.py)."""

    def __init__(self, output_path: str, settings: dict[str, Any]) -> None:
        super().__init__(output_path, settings=settings)
        self.served = settings.get("PREVIEW_OF")  # the site folder this build will replace
        self.site_key: str | None = None
        self.written: dict[str, str] = {}  # page -> fingerprint, kept if the build is used
        self.copied = 0
        self.renders = DeferredRenders(
            self._render, self._announce_call, settings.get("BUILD_HELPER", True)
        )
        _WRITERS[str(Path(output_path))] = self

    def write_file(self, name: Any, template: Any, context: dict, *args: Any, **kwargs: Any):
        article = kwargs.get("article")
        if article is None:  # the articles are done: render the deferred ones beside the rest
            self.renders.start()
            return super().write_file(name, template, context, *args, **kwargs)
        if self.served and getattr(article, "kind", "") != "release":
            fingerprint = self._fingerprint(article, context)
            self.written[name] = fingerprint
            if self._copy(name, fingerprint, context, kwargs):
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

    def _copy(self, name: str, fingerprint: str, context: dict, kwargs: dict) -> bool:
        record = _RECORDS.get(str(self.served), {}).get(name)
        source = Path(self.served or "") / name
        if record is None or record[0] != fingerprint or not source.is_file():
            return False
        if _identity(source) != record[1]:  # not the page this process wrote
            return False
        path = os.path.join(self.output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        shutil.copyfile(source, path)
        self._written_files.add(path)
        self.copied += 1
        self._announce(name, context, kwargs)
        return True

    def _announce(self, name: str, context: dict, kwargs: dict) -> None:
        """What Pelican's writer signals for a page it writes: plugins that list the written
        pages (the sitemap) must see copied and deferred pages too."""
        extra = {k: v for k, v in kwargs.items() if k not in _WRITE_OPTIONS}
        localcontext = {**context, "localsiteurl": context.get("localsiteurl"), **extra}
        localcontext["output_file"] = name
        signals.content_written.send(os.path.join(self.output_path, name), context=localcontext)

    def _fingerprint(self, article: Any, context: dict) -> str:
        if self.site_key is None:
            self.site_key = _site_key(self.settings, context)
        parts = [self.site_key, *_stamps([article.source_path])]
        content_root = Path(self.settings["PATH"])
        meta = getattr(article, "meta", None)
        if meta is not None:
            parts += _stamps([content_root / f for f in press.referenced_files(meta)])
        parts += _stamps([t.source_path for t in getattr(article, "translations", [])])
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def keep_record(staging: Path, site: Path) -> int:
    """After a swap: the pages now under `site` are those the build's writer wrote.

    Returns how many of them were copied instead of rendered."""
    writer = _WRITERS.pop(str(staging), None)
    _WRITERS.clear()  # writers of failed builds: their pages were thrown away
    record = {}
    for name, fingerprint in (writer.written if writer else {}).items():
        page = site / name
        if page.is_file():
            record[name] = (fingerprint, _identity(page))
    _RECORDS[str(site)] = record
    return writer.copied if writer else 0


def finish_renders(output_path: str | Path) -> None:
    """Wait for the article pages rendered in a forked process (idempotent)."""
    writer = _WRITERS.get(str(Path(output_path)))
    if writer is not None:
        writer.renders.finish()


def stop_renders(output_path: str | Path) -> None:
    """After a failed or interrupted build: no renderer is left running or unreaped."""
    writer = _WRITERS.get(str(Path(output_path)))
    if writer is not None:
        writer.renders.stop()


def _finish_renders(pelican: Any) -> None:  # before other plugins read the written files
    finish_renders(pelican.output_path)


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
