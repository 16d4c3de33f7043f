"""Article pages rendered in a forked process while Pelican writes the rest of the site.

Pelican renders every page in its one process; the article pages are most of them and come
first. The site's writer (publisher/page_reuse.py) defers them; at the first page that is not
an article, one process is forked to render them all while the main process renders the
lists, feeds and pages. The build waits for it before anything reads the written files
(Pagefind, the compression and fingerprinting of production builds, run at `finalized`).

Pelican has no parallel writing; a fork shares the finished context (every article, the
templates) without pickling it. As for the build helper, only a single-threaded process
forks; if the fork fails or the process dies, the main process renders the pages itself.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

from pelican.plugins.signals import content_written

from publisher.site.fast.forking import can_fork, close_inherited

# Fewer pages than this are rendered in place: a fork costs about as much as a few pages.
MIN_PAGES = 64

Call = tuple[Any, ...]


class DeferredRenders:
    def __init__(
        self, render: Callable[[Call], None], announce: Callable[[Call], None], enabled: bool
    ) -> None:
        self.render, self.announce = render, announce
        self.enabled = enabled and can_fork()
        self.calls: list[Call] = []
        self.pid: int | None = None
        self.started = False

    def defer(self, call: Call) -> bool:
        """Keep `call` for later; False when it must be rendered now."""
        if not self.enabled or self.started:
            return False
        self.calls.append(call)
        return True

    def start(self) -> None:
        """Render the deferred pages: in a forked process if there are enough of them."""
        if self.started or not self.calls:
            return
        self.started = True
        if len(self.calls) < MIN_PAGES:
            self._render_here()
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the renderer: never returns into the build
            status = 1
            try:
                close_inherited(keep=set())
                logging.disable(logging.CRITICAL)  # its handlers' files are closed
                for call in self.calls:
                    self.render(call)
                status = 0
            except BaseException:
                traceback.print_exc(limit=4)
            finally:
                os._exit(status)
        self.pid = pid
        # The renderer's signals die with it: plugins that list the written pages (the
        # sitemap, which finishes before the build waits) hear of them from here.
        for call in self.calls:
            self.announce(call)

    def finish(self) -> None:
        """Every deferred page is written when this returns (rendered here if need be)."""
        self.start()
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        _, status = os.waitpid(pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            with content_written.muted():  # announced already
                self._render_here()

    def stop(self) -> None:
        if self.pid is not None:
            pid, self.pid = self.pid, None
            os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still ours
            os.waitpid(pid, 0)

    def _render_here(self) -> None:
        calls, self.calls = self.calls, []
        for call in calls:
            self.render(call)
