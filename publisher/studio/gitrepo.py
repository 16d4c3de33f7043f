"""Saving into git: one commit per save, in the staff member's name (git via subprocess).

Only the files of the save are committed (`git commit --only`), whatever else is staged.
A project that is not a git repository still saves; it says so. Where the installation's
setting asks for it, the commit is pushed to the clone's upstream at once, so the shared
repository sees it; a refused push leaves the commit here and says why.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from publisher.studio.accounts import User

TIMEOUT = 60  # seconds for one git command (a push over a slow line)


@dataclass(frozen=True)
class Saved:
    commit: str  # short hash; "" when nothing was committed
    note: str = ""  # why not, or what the push said


@dataclass(frozen=True)
class LogLine:
    commit: str
    author: str
    when: str
    subject: str


def _git(root: Path, *args: str, user: User | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    if user is not None:
        env.update(
            GIT_AUTHOR_NAME=user.name,
            GIT_AUTHOR_EMAIL=user.git_email,
            GIT_COMMITTER_NAME=user.name,
            GIT_COMMITTER_EMAIL=user.git_email,
        )
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
        check=False,
    )


def is_repository(root: Path) -> bool:
    try:
        found = _git(root, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return found.returncode == 0 and Path(found.stdout.strip()).resolve() == root.resolve()


def commit(root: Path, paths: list[Path], message: str, user: User, push: bool = False) -> Saved:
    if not is_repository(root):
        return Saved("", "not a git repository: saved without a commit")
    names = [str(p.resolve().relative_to(root.resolve())) for p in paths]
    added = _git(root, "add", "--", *names)
    if added.returncode != 0:
        return Saved("", f"git add failed: {_last(added)}")
    done = _git(root, "commit", "--only", "-m", message, "--", *names, user=user)
    if done.returncode != 0:
        if "nothing to commit" in done.stdout + done.stderr or "no changes" in done.stdout:
            return Saved("", "nothing changed: no commit")
        return Saved("", f"git commit failed: {_last(done)}")
    head = _git(root, "rev-parse", "--short", "HEAD").stdout.strip()
    if not push:
        return Saved(head)
    return Saved(head, pushed(root))


def pushed(root: Path) -> str:
    try:
        sent = _git(root, "push")
    except subprocess.TimeoutExpired:
        return "push timed out: the commit is kept here; it goes with the next push"
    if sent.returncode != 0:
        return f"push refused ({_last(sent)}): the commit is kept here"
    return "pushed"


def has_upstream(root: Path) -> bool:
    return _git(root, "rev-parse", "--abbrev-ref", "@{upstream}").returncode == 0


def history(root: Path, path: Path, count: int = 5) -> list[LogLine]:
    if not is_repository(root):
        return []
    found = _git(
        root, "log", f"-{count}", "--format=%h%x1f%an%x1f%cI%x1f%s", "--", str(path.resolve())
    )
    lines = [line.split("\x1f") for line in found.stdout.splitlines() if line]
    return [LogLine(*parts) for parts in lines if len(parts) == 4]


def _last(result: subprocess.CompletedProcess[str]) -> str:
    text = (result.stderr or result.stdout).strip().splitlines()
    return text[-1] if text else f"exit {result.returncode}"
