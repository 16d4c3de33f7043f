"""Located errors: every problem a staff member can cause names the file, the line and the fix."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One problem in one file, printed as `path:line: severity: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class ContentError(Exception):
    """A content problem that stops a build; carries its location."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        self.problem = Problem(display_path(path), max(line, 1), message)
        super().__init__(str(self.problem))


def display_path(path: str | Path) -> str:
    """Show paths relative to the working directory when they are inside it."""
    return _relative_to(str(path), os.getcwd())


@functools.lru_cache(maxsize=8192)  # the checker asks for every file's name several times
def _relative_to(path: str, cwd: str) -> str:
    given = Path(path)
    try:  # folders resolved once each: resolving every file is a tenth of a check
        return str((_resolved(str(given.parent)) / given.name).relative_to(_resolved(cwd)))
    except ValueError:
        return str(given)


@functools.lru_cache(maxsize=1024)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()
