"""Writing files: new ones from `publisher new`'s templates, edits checked before they land,
never over a file that changed since the person opened it, each one a git commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from publisher.content import approvals
from publisher.content.scaffold import create
from publisher.core.errors import Problem, PublisherError
from publisher.studio import gitrepo
from publisher.studio.accounts import User
from publisher.studio.checking import check_text
from publisher.studio.document import digest
from publisher.studio.security import inside
from publisher.studio.state import Studio, write_atomic


class FileRefused(PublisherError):
    """A path the studio does not edit (outside content/ and campaigns/, not Markdown)."""


@dataclass
class SaveResult:
    saved: bool
    problems: list[Problem] = field(default_factory=list)
    conflict: bool = False  # the file changed on disk since it was opened: nothing written
    commit: str = ""
    note: str = ""


def editable(studio: Studio, rel: str) -> Path:
    """The project file `rel` if the studio may edit it: a Markdown file under content/ or
    campaigns/, resolved inside the project (no `..`, no link out)."""
    path = inside(studio.root, rel)
    layout = studio.project.layout
    folders = [layout.content.resolve(), layout.campaigns.resolve()]
    if (
        path is None
        or path.suffix != ".md"
        or not any(f in path.parents for f in folders)
        or not path.is_file()
    ):
        raise FileRefused(f"{rel}: not a content or campaign file the studio can open")
    return path


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def save(
    studio: Studio, user: User, path: Path, base: str, text: str, message: str = ""
) -> SaveResult:
    """Check `text`, then write it and commit, unless it has errors or the file changed."""
    problems = check_text(studio.project, path, text)
    if any(p.severity == "error" for p in problems):
        return SaveResult(False, problems)
    rel = approvals.file_key(studio.root, path)
    with studio.write_lock:
        if digest(read(path)) != base:
            return SaveResult(False, problems, conflict=True)
        if read(path) == text:
            return SaveResult(True, problems, note="nothing changed: no commit")
        write_atomic(path, text)
        done = gitrepo.commit(
            studio.root, [path], message or f"Studio: edit {rel}", user, push=studio.local()["push"]
        )
    return SaveResult(True, problems, commit=done.commit, note=done.note)


def new_file(
    studio: Studio, user: User, kind: str, title: str, slug: str | None
) -> tuple[Path, gitrepo.Saved]:
    with studio.write_lock:
        path = create(kind, title, studio.root, studio.now(), slug or None)
        rel = approvals.file_key(studio.root, path)
        done = gitrepo.commit(
            studio.root, [path], f"Studio: new {kind} {rel}", user, push=studio.local()["push"]
        )
    return path, done
