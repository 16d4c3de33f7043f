"""`publisher build`: run Pelican into a fresh folder and swap it in only when it succeeded.

A failed build never leaves a half-built site: the previous output/ stays as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.metadata
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import blinker
from pelican import Pelican
from pelican.settings import read_settings

from publisher.content import golive
from publisher.content.check import check_tree
from publisher.content.check_build_rules import READERS_OFF
from publisher.content.paths import ignore_patterns
from publisher.core.errors import Problem, ProblemsError, display_path
from publisher.core.project import Project
from publisher.core.timeutil import utc_now
from publisher.site import golive_files, outputs, search_shards
from publisher.site.fast import page_reuse
from publisher.site.fast.build_helper import BuildHelper
from publisher.site.guard import OutputCheck
from publisher.site.precompress import precompress_output
from publisher.site.reader import FrontMatterMarkdownReader
from publisher.site.run import RUN_SETTING, BuildMemory, BuildRun


class BuildFailed(ProblemsError):
    """The build refused to put a site in place; output/ is as it was."""

    @property
    def summary(self) -> str:  # type: ignore[override]
        return f"Build stopped: {len(self.problems)} problem(s); output/ was not changed."


@dataclass
class BuildResult:
    output: Path
    pages: int
    seconds: float
    search_pending: bool = False  # a preview build: call refresh_search_index()
    kept: int = 0  # a preview build: unchanged pages left in place
    search_settings: dict | None = None  # what refresh_search_index() needs of the settings


class _ErrorCollector(logging.Handler):
    """Pelican logs content errors and carries on; we treat every logged error as fatal."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {error})"
        self.messages.append(message)


def load_settings(
    settings_file: Path, output: Path, now: dt.datetime | None, overrides: dict | None = None
) -> dict:
    override = {"OUTPUT_PATH": str(output), "PUBLISHER_NOW": now or utc_now()}
    override.update(overrides or {})
    return read_settings(str(settings_file), override=override)


def build_site(
    settings_file: Path | None = None,
    output: Path | None = None,
    now: dt.datetime | None = None,
    overrides: dict | None = None,
    preview: bool = False,
    memory: BuildMemory | None = None,
    future: bool | None = None,
) -> BuildResult:
    """Build the site into `output` atomically. Raises BuildFailed with located problems.

    A `preview` build (`publisher serve`) shows an edit as soon as possible: the pages of
    unchanged articles stay as they are in the site it updates (site/fast/page_reuse.py),
    and the previous search index stays until the caller runs refresh_search_index().
    `memory` is what the caller keeps between its builds (serve's builder); without it the
    build starts cold. `future`: is this a preview of the future (marked with
    golive.FUTURE_MARKER, default folder output-future/)? By default, when `now` is ahead of
    the clock; a caller whose own clock is the authority (the scheduler) may say.
    """
    started = time.perf_counter()
    project = Project.from_settings_file(settings_file) if settings_file else Project.find()
    settings_file = project.settings_file
    project.require_theme()
    base = load_settings(settings_file, Path("output"), now, overrides)
    project_root = Path(base["PATH"]).parent
    future = golive.is_future(now, utc_now()) if future is None else future
    target = Path(output or outputs.default_output(project.layout.output, future)).resolve()
    refusal = outputs.refusals(project, target, settings_file, base)
    if refusal:  # before anything is read or written
        raise BuildFailed(refusal)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-build-", dir=target.parent))
    preview_of = {"PREVIEW_OF": str(target)} if preview else {}
    build = BuildRun(
        project, now or utc_now(), memory or BuildMemory(), target if preview else None
    )
    extra = {**(overrides or {}), **preview_of, RUN_SETTING: build, "PUBLISHER_NOW": build.now,
             "IGNORE_FILES": ignore_patterns(base.get("IGNORE_FILES") or []),
             # Only our reader reads content: a .markdown or .html file is a check error,
             # never an article read without our checks (embargo, paths, hotlines).
             "READERS": {**(base.get("READERS") or {}), **dict.fromkeys(READERS_OFF)}}  # fmt: skip
    settings = load_settings(settings_file, staging, now, extra)
    try:
        problems = _run_pelican(settings, settings_file, project_root, build)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildFailed(problems)
    # Pelican never copied them (golive_files); the guard's second look, inside staging only.
    golive_files.sweep(staging, build.held_files - build.live_files)
    if future:  # deploy, `serve --publish` and the scheduler refuse this folder
        golive.write_future_marker(staging, build.now)
    # Feeds parse and no held number is published (site/guard.py), read beside Pagefind.
    checking = OutputCheck.start(staging, project, settings)
    search = settings.get("SEARCH_INDEX", True)
    if search and not preview:
        try:
            index_for_search(staging, staging / "pagefind", settings)
        except BuildFailed:
            checking.wait()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    problems = checking.wait()
    if problems:
        shutil.rmtree(staging, ignore_errors=True)
        raise BuildFailed(problems)
    if search and not preview and settings.get("PRECOMPRESS_ENABLED"):
        # The search bundle is written after Pelican's own compression step.
        precompress_output({**settings, "OUTPUT_PATH": str(staging / "pagefind")})

    def swap(staging: Path, target: Path) -> None:
        if search and preview and (target / "pagefind").is_dir():
            # Hard links: the old search index stays until refresh_search_index().
            shutil.copytree(target / "pagefind", staging / "pagefind", copy_function=os.link)
        _swap_into_place(staging, target)

    kept = page_reuse.put_in_place(staging, target, swap, build)
    pages = sum(1 for _ in target.rglob("*.html"))
    seconds = time.perf_counter() - started
    shard_words = {
        k: settings.get(k) for k in (search_shards.SETTING, search_shards.WORKERS_SETTING)
    }
    return BuildResult(target, pages, seconds, search and preview, kept, shard_words)


def _run_pelican(
    settings: dict, settings_file: Path, project_root: Path, build: BuildRun
) -> list[Problem]:
    """Pelican into settings' OUTPUT_PATH; the problems that must stop the build, if any.

    The same checks as `publisher check` come first: a build with content errors is never
    swapped in. They run in the helper process beside Pelican when the machine allows it.
    """

    def check() -> list[Problem]:
        return _check_errors(project_root, build.memory.parsed)

    helper = None
    if settings.get("BUILD_HELPER", True):
        helper = BuildHelper.start(FrontMatterMarkdownReader(settings).convert, check)
    if helper is None:
        errors = check()
        if errors:
            return errors
    _disconnect_plugins()
    collector = _ErrorCollector()
    pelican_logger = logging.getLogger("pelican")
    pelican_logger.addHandler(collector)
    build.helper = helper
    try:
        Pelican(settings).run()
        page_reuse.finish_renders(settings["OUTPUT_PATH"], build)
    except Exception as exc:  # Pelican or a template failed: report it, keep the old site
        collector.messages.append(f"{type(exc).__name__}: {exc}")
    except BaseException:  # interrupted: stop the helper too
        if helper is not None:
            helper.close()
        raise
    finally:
        page_reuse.stop_renders(settings["OUTPUT_PATH"], build)  # left running only on failure
        build.helper = None
        pelican_logger.removeHandler(collector)
    if helper is not None:
        checked = helper.finish()
        errors = checked if checked is not None else check()
        if errors:  # the checker's messages say more than the reader's about one problem
            return errors
    problems = [err.problem for err in build.problems]
    if collector.messages and not problems:
        problems = [Problem(display_path(settings_file), 1, m) for m in collector.messages]
    return problems


def warm_up(settings_file: Path, memory: BuildMemory, overrides: dict | None = None) -> None:
    """Run the checks once while `publisher serve` waits for the next save: the parsed files
    they leave in `memory`, and the counts in this process, are inherited by the next
    build's helper, which then checks only what changed at full cost."""
    settings = load_settings(settings_file, Path("output"), None, overrides)
    with contextlib.suppress(Exception):  # only a head start: the build reports any problem
        _check_errors(Path(settings["PATH"]).parent, memory.parsed)


def _check_errors(project_root: Path, parsed: dict) -> list[Problem]:
    return [p for p in check_tree(project_root, parsed=parsed) if p.severity == "error"]


def _disconnect_plugins() -> None:
    """Forget the plugins of earlier builds in this process.

    Pelican's signals are process-wide blinker signals and plugins never disconnect, so a
    second build in one process (serve, the scheduler's go-live rebuild, tests) would also
    run the first build's plugins. Pelican connects this build's own plugins again.
    """
    for sig in blinker.default_namespace.values():
        for receiver in list(sig.receivers_for(blinker.ANY)):
            sig.disconnect(receiver)


def index_for_search(
    site: Path,
    bundle: Path,
    settings: dict | None = None,
    previous: Path | None = None,
    memory: search_shards.SearchMemory | None = None,
) -> search_shards.IndexReport:
    """Pagefind indexes the finished pages into `bundle`, in shards of bounded size, one
    Pagefind run each (site/search_shards.py); a shard of `previous` whose pages are
    unchanged is taken as it is."""
    from pagefind.service import get_executable  # the binary of the pagefind_bin wheel

    binary = get_executable()
    if binary is None:
        problem = "search indexing needs Pagefind; run `make run` or `make test` to install it"
        raise BuildFailed([Problem("output", 1, problem)])
    settings = settings or {}
    budget = int(settings.get(search_shards.SETTING) or search_shards.SHARD_WORDS)
    workers = int(settings.get(search_shards.WORKERS_SETTING) or 1)
    version = importlib.metadata.version("pagefind")
    run = search_shards.run_pagefind(str(binary))
    try:
        return search_shards.index(site, bundle, run, version, budget, previous, memory, workers)
    except search_shards.IndexingFailed as exc:
        raise BuildFailed([Problem("output", 1, str(exc))]) from None


def refresh_search_index(
    site: Path, memory: BuildMemory | None = None, settings: dict | None = None
) -> search_shards.IndexReport:
    """Index the live site again and put the new index in place of the old one; only the
    shards whose pages changed are indexed again (`memory`: serve's builder's)."""
    fresh = site.with_name(f".{site.name}-pagefind-new")
    old = site.with_name(f".{site.name}-pagefind-old")
    for leftover in (fresh, old):
        shutil.rmtree(leftover, ignore_errors=True)
    current = site / "pagefind"
    searched = memory.search if memory is not None else None
    report = index_for_search(site, fresh, settings, current, searched)
    if current.exists():
        current.rename(old)
    fresh.rename(current)
    shutil.rmtree(old, ignore_errors=True)
    return report


def _swap_into_place(staging: Path, target: Path) -> None:
    """Two renames: the old output disappears and the new one appears, never a mix."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
