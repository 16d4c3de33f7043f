"""The build's second process: the content checks and half of the Markdown run beside Pelican.

Pelican reads and writes in one single-threaded process, so on a two-core machine (a cheap
server, a staff laptop) one core idles. `publisher build` forks one helper when it starts:

1. the helper waits for its share of the articles: every other file, in the order Pelican
   reads them (sent at Pelican's first `article_generator_preread`), and converts them
   (front matter and Markdown, the expensive part of reading) while Pelican reads the rest;
2. it then runs `publisher check` over the whole tree while Pelican writes the site;
3. the build takes the converted files as Pelican asks for them, and the check's problems at
   the end: problems found by the check still stop the build before anything is swapped in.

Nothing else in Pelican changes: the main process still makes every Article, and if the
helper cannot start or dies, the main process reads and checks everything itself.

No library fits: Pelican has no parallel reading, and a process pool would have to pickle
Pelican's settings with every item; a fork shares the imported code and the settings.
It forks only when the process has a single thread (fork copies no other thread, so a lock
held by one would never be released): `publisher serve`, which has a scheduler thread and
a web server, builds everything in one process as before.
"""

from __future__ import annotations

import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any

from publisher.core.errors import ContentError, Problem
from publisher.site import run
from publisher.site.fast.forking import can_fork, close_inherited
from publisher.site.run import Converted

# The helper's two jobs, given by the build: convert one file, and check the whole tree.
Convert = Callable[[Path], Converted]
Check = Callable[[], list[Problem]]


class BuildHelper:
    """The parent's side: hands out work, collects converted files and check problems."""

    def __init__(self, pid: int, work: Connection, results: Connection) -> None:
        self.pid, self.work, self.results = pid, work, results
        self.assigned = False
        self.owned: set[str] = set()
        self.converted: dict[str, Converted | Problem] = {}
        self.reading_done = False
        self.problems: list[Problem] | None = None
        self.failed = False
        self.closed = False

    @classmethod
    def start(cls, convert: Convert, check: Check) -> BuildHelper | None:
        if not can_fork():
            return None
        work_in, work_out = Pipe(duplex=False)
        results_in, results_out = Pipe(duplex=False)
        pid = os.fork()
        if pid == 0:  # the helper: never returns into the build
            status = 1
            try:
                work_out.close()
                results_in.close()
                close_inherited(keep={work_in.fileno(), results_out.fileno()})
                _helper_main(work_in, results_out, convert, check)
                status = 0
            finally:
                os._exit(status)
        work_in.close()
        results_out.close()
        return cls(pid, work_out, results_in)

    def assign(self, paths: list[str]) -> None:
        """Give the helper its files (absolute paths, in Pelican's reading order); once."""
        if self.assigned:
            return
        self.assigned = True
        try:
            self.work.send(paths)
            self.owned = set(paths)
        except OSError:
            self.failed = True

    def take(self, path: str) -> Converted | None:
        """The helper's conversion of `path`; None when the main process must read it itself.

        Raises the file's ContentError when the helper found one.
        """
        if path not in self.owned or self.failed:
            return None
        while path not in self.converted and not self.reading_done and not self.failed:
            self._receive()
        found = self.converted.pop(path, None)
        if isinstance(found, Problem):
            raise ContentError(found.path, found.line, found.message)
        return found

    def finish(self) -> list[Problem] | None:
        """The check's problems, once the helper is done; None if it failed (check again)."""
        self.assign([])  # a site without articles never asked Pelican's preread question
        while self.problems is None and not self.failed:
            self._receive()
        self.close()
        return None if self.failed else self.problems

    def close(self) -> None:
        """Stop the helper if it still runs, and reap it (also after a failed build)."""
        if self.closed:
            return
        self.closed = True
        for conn in (self.work, self.results):
            conn.close()
        os.kill(self.pid, signal.SIGKILL)  # not reaped yet, so the pid is still ours
        os.waitpid(self.pid, 0)

    def _receive(self) -> None:
        try:
            kind, *payload = self.results.recv()
        except (EOFError, OSError):
            self.failed = True
            return
        if kind == "converted":
            path, found = payload
            self.converted[path] = found
        elif kind == "reading done":
            self.reading_done = True
        elif kind == "problems":
            self.problems = payload[0]
        else:  # "failed": the helper's own error; the main process does the rest itself
            self.failed = True


def share_reading(generator: Any) -> None:
    """At Pelican's first article preread: every other article not in the content cache goes
    to the helper. Pelican's reading order is that of get_files(), which is deterministic in
    one process, so asking it again gives the order of the loop that is running."""
    settings = generator.settings
    build = run.of(settings)
    helper = build.helper
    if helper is None or helper.assigned:
        return
    files = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = []
    for name in files:
        path = os.path.abspath(os.path.join(generator.path, name))
        cached = generator.get_cached_data(name, None) or generator.readers.get_cached_data(path)
        if cached is None and not build.remembered(Path(path), settings):
            paths.append(path)
    # Two of every three: the main process also makes Pelican's objects of every article.
    # It is about to read the first file itself.
    helper.assign([path for n, path in enumerate(paths) if n % 3])


def _helper_main(work: Connection, results: Connection, convert: Convert, check: Check) -> None:
    try:
        for path in work.recv():
            try:
                found: Converted | Problem = convert(Path(path))
            except ContentError as exc:
                found = exc.problem
            results.send(("converted", path, found))
        results.send(("reading done",))
        results.send(("problems", [p for p in check() if p.severity == "error"]))
    except (EOFError, BrokenPipeError):  # the build ended or was killed: nobody is listening
        return
    except Exception:
        results.send(("failed", traceback.format_exc(limit=3)))
