"""The errors a person can cause or fix, and how they are shown.

Every error the publisher expects derives from PublisherError: it carries a message that
names the fix and a stable exit code, and the CLI turns it into output in one place
(publisher/cli/main.py), never as a traceback. A problem in a file is a `Problem`,
printed as `path:line: severity: message`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

# Exit codes (stable: scripts and monitoring read them).
EXIT_PROBLEM = 1  # something a person must fix: content, settings, a ledger, a deploy
EXIT_USAGE = 2  # a command used wrongly (click's own code for bad options)


@dataclass(frozen=True)
class Problem:
    """One problem in one file, printed as `path:line: severity: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class PublisherError(Exception):
    """An expected failure: one message (with its fix) for the person, and an exit code."""

    exit_code = EXIT_PROBLEM

    def lines(self) -> list[str]:
        """What the CLI prints, one line each."""
        return [str(self)]


class ContentError(PublisherError):
    """A problem in one file that stops a build or a command; carries its location."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        self.problem = Problem(display_path(path), max(line, 1), message)
        super().__init__(str(self.problem))


class ProblemsError(PublisherError):
    """Several located problems at once (a build refused, a check that failed)."""

    summary = ""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] + ([self.summary] if self.summary else [])


class ProjectError(PublisherError):
    """No project where one was looked for, or a project missing a part it needs."""


def display_path(path: str | Path) -> str:
    """Show paths relative to the working directory when they are inside it."""
    return _relative_to(str(path), os.getcwd())


# Pure memos of path arithmetic (no file is read): the checker asks for every file's name
# several times, and resolving every file is a tenth of a check.
@functools.lru_cache(maxsize=8192)
def _relative_to(path: str, cwd: str) -> str:
    given = Path(path)
    try:
        return str((_resolved(str(given.parent)) / given.name).relative_to(_resolved(cwd)))
    except ValueError:
        return str(given)


@functools.lru_cache(maxsize=1024)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()
