"""`publisher serve`'s builder: a single-threaded process of its own that builds on request.

serve runs a web server and, with --publish, the scheduler in threads. Its builds run here:
a single-threaded process may fork the build helper (publisher/build_helper.py), it keeps
the conversions of unchanged files between builds (publisher/reader.py), and a build that
crashes cannot take the server down. Each build swaps the site in with the previous search
index first and refreshes the index right after, so an edit shows as soon as its pages exist.

Protocol: serve writes `build` lines; for each, this process answers with JSON lines:
{"event": "built", "pages": N, "kept": K, "seconds": S} or {"event": "failed", "problems": [...]}, then,
after a built site, {"event": "search", "seconds": S}, {"event": "search failed", ...} or,
with SEARCH_INDEX off, {"event": "no search"}.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

# Imported once here, not by every helper forked for a build (the check needs them).
from publisher.content import check  # noqa: F401
from publisher.platforms import common  # noqa: F401
from publisher.site.build import BuildFailed, build_site, refresh_search_index, warm_up
from publisher.site.run import BuildMemory

LOG = logging.getLogger("publisher.serve")


def serve_builds(settings_file: Path, requests: IO[str], answers: IO[str]) -> None:
    def answer(event: str, **fields: Any) -> None:
        answers.write(json.dumps({"event": event, **fields}) + "\n")
        answers.flush()

    memory = BuildMemory(lasting=True)  # what this process remembers between its builds
    for line in requests:
        if line.strip() != "build":
            continue
        try:
            result = build_site(settings_file, preview=True, memory=memory)
        except BuildFailed as exc:
            answer("failed", problems=[str(p) for p in exc.problems])
            continue
        answer("built", pages=result.pages, kept=result.kept, seconds=round(result.seconds, 2))
        if result.search_pending:
            started = time.perf_counter()
            try:
                refresh_search_index(result.output, memory, result.search_settings)
            except BuildFailed as exc:
                answer("search failed", problems=[str(p) for p in exc.problems])
                continue
            answer("search", seconds=round(time.perf_counter() - started, 2))
        else:  # SEARCH_INDEX is off: serve still waits for a second answer
            answer("no search")
        warm_up(settings_file, memory)


Say = Callable[[str, bool], None]  # (line, is it a problem?)


def _say(line: str, problem: bool) -> None:
    (LOG.warning if problem else LOG.info)("%s", line)


class Builder:
    """serve's side: starts the builder process (again, if it died) and reports each build."""

    def __init__(self, settings_file: Path, say: Say = _say) -> None:
        self.settings_file = settings_file
        self.say = say  # how each build is reported: the CLI prints, tests collect
        self.process: subprocess.Popen[str] | None = None

    def rebuild(self) -> bool:
        """Build once; True when the new site is in place. Waits for the search index too."""
        process = self._running()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write("build\n")
            process.stdin.flush()
            built = self._answer(process.stdout)
            if built["event"] == "failed":
                for problem in built["problems"]:
                    self.say(problem, True)
                self.say("Build stopped; still serving the previous version.", True)
                return False
            kept = f" ({built['kept']} unchanged)" if built["kept"] else ""
            self.say(f"Rebuilt {built['pages']} pages in {built['seconds']:.1f}s{kept}", False)
            search = self._answer(process.stdout)
        except (OSError, EOFError):
            self.say("The builder stopped; it starts again on the next change.", True)
            self.close()
            return False
        if search["event"] == "search":
            self.say(f"Search index updated in {search['seconds']:.1f}s", False)
        elif search["event"] == "search failed":
            for problem in search["problems"]:
                self.say(problem, True)
        return True

    def close(self) -> None:
        if self.process is not None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process.wait(timeout=60)
            self.process = None

    def _running(self) -> subprocess.Popen[str]:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "publisher.site.fast.build_worker", str(self.settings_file)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        return self.process

    @staticmethod
    def _answer(stream: IO[str]) -> dict[str, Any]:
        line = stream.readline()
        if not line:
            raise EOFError("the builder exited")
        return json.loads(line)


def main() -> None:
    # Ctrl+C in serve's terminal reaches this process too: serve stops it by closing stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Answers go on the real stdout; anything printed by Pelican goes to stderr instead.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    serve_builds(Path(sys.argv[1]), sys.stdin, answers)


if __name__ == "__main__":
    main()
