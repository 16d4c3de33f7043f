"""Values from the environment or the project's git-ignored `.env`, read in one place.

Only the names asked for are read, and the real environment wins over `.env`. The result
never shows its values in repr or str: credentials must not reach a log or a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from dotenv import dotenv_values

DOTENV = ".env"


class Environment:
    """Some named values; `values()` gives them to the redactor, nothing else shows them."""

    def __init__(self, values: Mapping[str, str], source_stamp: tuple[int, int] | None = None):
        self._values = {k: v.strip() for k, v in values.items() if v and v.strip()}
        # (mtime_ns, size) of the .env file read, to notice a change (None: no file).
        self.source_stamp = source_stamp

    def get(self, name: str, default: str = "") -> str:
        return self._values.get(name, default)

    def has(self, name: str) -> bool:
        return name in self._values

    def subset(self, names: Iterable[str]) -> dict[str, str]:
        return {n: self._values[n] for n in names if n in self._values}

    def values(self, names: Iterable[str] | None = None) -> list[str]:
        """The values themselves (of `names` only, when given): for the redactor, and for
        tests that check logs never contain them."""
        if names is None:
            return list(self._values.values())
        return [self._values[n] for n in names if n in self._values]

    def names(self) -> list[str]:
        return sorted(self._values)

    def __repr__(self) -> str:
        return f"Environment(names={self.names()})"

    __str__ = __repr__


def dotenv_stamp(root: Path) -> tuple[int, int] | None:
    try:
        stat = (root / DOTENV).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def read_environment(
    root: Path, names: Iterable[str], environ: Mapping[str, str] | None = None
) -> Environment:
    """`names` from `root/.env`, overridden by the real environment."""
    env = os.environ if environ is None else environ
    wanted = set(names)
    dotenv = root / DOTENV
    from_file = dotenv_values(dotenv) if dotenv.is_file() else {}
    values = {n: v for n, v in from_file.items() if n in wanted and v}
    values.update({n: env[n] for n in wanted if env.get(n)})
    return Environment(values, dotenv_stamp(root))
