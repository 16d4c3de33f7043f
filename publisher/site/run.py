"""One build's state, passed explicitly: no part of a build keeps state in a module.

`publisher.site.build.build_site` makes a BuildRun and hands it to Pelican in the settings
(under RUN_SETTING); our reader, plugins, writer and generators take it from there. Two
builds in one process therefore never see each other's problems, files or helper.

What a process may keep between its builds (serve's builder: conversions of unchanged
files, compiled templates, the pages it put in place) is a BuildMemory, owned by whoever
runs the builds; a production build gets a fresh one and starts cold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from publisher.content import hotlines, press
from publisher.core.errors import ContentError
from publisher.core.project import Project
from publisher.core.timeutil import utc_now
from publisher.site.search_shards import SearchMemory

if TYPE_CHECKING:
    from publisher.content.fields import ContentMeta
    from publisher.content.frontmatter import FrontMatter
    from publisher.content.golive import GoLiveRule

RUN_SETTING = "PUBLISHER_RUN"
# Conversions remembered by a long-lived builder at most (then it starts again).
MEMORY_LIMIT = 20_000


@dataclass
class Converted:
    """One Markdown file as our reader converts it, without Pelican's objects."""

    meta: ContentMeta
    html: str | None  # None: the item is not live (embargo, future, draft); nothing converted
    files: tuple[str, ...] = ()  # files under content/ it shows or links (content.golive)


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates, kept for the next build of this process (serve's builder)
    and, once `folder` is set, on disk for the next process: compiling the theme is a tenth
    of a preview build and a fixed 0.1 s of every cold one. Jinja checks each template's
    source against its checksum and the Python version in the header, so an edited theme or
    another Python compiles again. Written whole (a temporary file renamed), so a build
    killed mid-write leaves nothing half-written; a folder that cannot be written is skipped.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.folder: Path | None = None

    def _file(self, bucket: Bucket) -> Path | None:
        return self.folder / f"{bucket.key}.jinja" if self.folder is not None else None

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        path = self._file(bucket)
        if code is None and path is not None:
            with contextlib.suppress(OSError):
                code = path.read_bytes()
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        code = self.store[bucket.key] = bucket.bytecode_to_string()
        path = self._file(bucket)
        if path is None:
            return
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.part")
            partial.write_bytes(code)
            os.replace(partial, path)


class Helper(Protocol):
    """The build's helper process (site/fast/build_helper.py), as the reader sees it."""

    def take(self, path: str) -> Converted | None: ...


class Renders(Protocol):
    def finish(self) -> None: ...

    def stop(self) -> None: ...


class Writer(Protocol):
    """The build's writer (site/fast/page_reuse.py), as the build sees it."""

    kept: set[str]
    written: dict[str, str]
    identities: dict[str, tuple[int, int, int]]
    renders: Renders


@dataclass
class BuildMemory:
    """What one process remembers between its builds; empty for a cold build.

    `lasting`: the process builds again (serve's builder), so conversions are worth keeping;
    a cold build's memory is dropped with it, and keeping them only costs memory."""

    # (path, text digest, settings that change a conversion) -> the conversion. Only live
    # items that read no other file: an embargoed item is converted when it goes live.
    converted: dict[tuple[str, str, str], Converted] = field(default_factory=dict)
    # (path, text) -> parsed front matter: the build helper converts then checks a file,
    # and serve's builder checks while it waits for the next save (warm_up).
    parsed: dict[tuple[str, str], FrontMatter] = field(default_factory=dict)
    # Site folder -> {page: (inputs fingerprint, (inode, size, mtime) of the page put in place)}
    pages: dict[str, dict[str, tuple[str, tuple[int, int, int]]]] = field(default_factory=dict)
    templates: CompiledTemplates = field(default_factory=CompiledTemplates)
    # Each page's digest and words while its file is unchanged: a refresh of the search
    # index reads only the pages a build changed (site/search_shards.py).
    search: SearchMemory = field(default_factory=SearchMemory)
    lasting: bool = False

    def remember(self, key: tuple[str, str, str], found: Converted) -> None:
        if not self.lasting:
            return
        if len(self.converted) > MEMORY_LIMIT:
            self.converted.clear()
        self.converted[key] = found


@dataclass
class BuildRun:
    project: Project
    now: dt.datetime
    memory: BuildMemory = field(default_factory=BuildMemory)
    preview_of: Path | None = None  # a preview build (serve): the site folder it updates
    # Problems met while Pelican reads: the build reports them and writes no output.
    problems: list[ContentError] = field(default_factory=list)
    # Static files named by items that are not live yet, and by live items: the build removes
    # the first set minus the second from the output, so no embargoed file leaks.
    held_files: set[str] = field(default_factory=set)
    live_files: set[str] = field(default_factory=set)
    helper: Helper | None = None
    writers: dict[str, Writer] = field(default_factory=dict)  # staging folder -> writer
    data: dict[str, Any] = field(default_factory=dict)  # press and hotline data, read once
    golive: GoLiveRule | None = None  # made on first use (site/golive_files.py)
    _digests: dict[str, tuple[str, str, str] | None] = field(default_factory=dict)
    _settings_key: str | None = None  # the settings that change a conversion, as text

    def memo_key(self, path: Path, settings: dict[str, Any]) -> tuple[str, str, str] | None:
        """The file's key in memory: its path, its text's digest, the settings that matter.
        Read once per build; None when the file is gone (the reader reports it)."""
        name = str(path)
        if name not in self._digests:
            try:  # the text itself, not its time stamp: two saves in one tick must not look alike
                digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            except OSError:
                self._digests[name] = None
            else:
                if self._settings_key is None:  # one string for every file, not one each
                    used = (settings["MARKDOWN"], settings["PATH"], settings.get("PAGE_PATHS"),
                            settings.get("RELEASE_PATHS"))  # fmt: skip
                    self._settings_key = repr(used)
                self._digests[name] = (name, digest, self._settings_key)
        return self._digests[name]

    def text_digest(self, path: Path, settings: dict[str, Any]) -> str:
        key = self.memo_key(path, settings)
        return key[1] if key else "missing"

    def remembered(self, path: Path, settings: dict[str, Any]) -> bool:
        if not self.memory.converted:  # nothing to find: the file is not even read for it
            return False
        key = self.memo_key(path, settings)
        return key is not None and key in self.memory.converted


def of(settings: dict[str, Any]) -> BuildRun:
    """The build run of these Pelican settings (every build through build_site has one)."""
    run = settings.get(RUN_SETTING)
    if run is None:  # Pelican run directly, not through build_site: a cold run of its own
        root = Path(settings["PATH"]).parent
        run = BuildRun(Project(root, root / "pelicanconf.py"), build_now(settings))
        settings[RUN_SETTING] = run
    return run


def build_now(settings: dict[str, Any]) -> dt.datetime:
    """The moment the site is built as of (`--now`), else the clock."""
    return settings.get("PUBLISHER_NOW") or utc_now()


def press_data(settings: dict[str, Any]) -> press.PressData:
    """data/press.yaml, read once per build."""
    run = of(settings)
    if "press" not in run.data:
        path = Path(settings.get("PRESS_FILE") or run.project.layout.press_file)
        run.data["press"] = press.load(path)
    return run.data["press"]


def published_hotlines(settings: dict[str, Any]) -> tuple[hotlines.Hotline, ...]:
    """The published rows of data/hotlines.yaml, read once per build."""
    run = of(settings)
    if "hotlines" not in run.data:
        path = Path(settings.get("HOTLINES_FILE") or run.project.layout.hotlines_file)
        run.data["hotlines"] = hotlines.published(path)
    return run.data["hotlines"]
