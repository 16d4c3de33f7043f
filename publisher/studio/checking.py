"""`publisher check` on text that is not saved yet.

The checker reads files; so the studio lays out a scratch copy of the project (settings,
data, and the content and campaign files; images and other files are linked, not copied)
with the edited text in place of its file, runs the very same `check_tree` on it, and maps
the problems back to the real file. Nothing of the project changes until the person saves.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from publisher.content.check import check_tree
from publisher.core.errors import Problem, display_path
from publisher.core.project import PRODUCTION_FILE, SETTINGS_FILE, Project

TEXT_SUFFIXES = {".md", ".yaml", ".yml", ".py"}


def check_text(project: Project, path: Path, text: str) -> list[Problem]:
    """The problems `publisher check` finds in `path` if it held `text` (sorted by line)."""
    with tempfile.TemporaryDirectory(prefix="studio-check-") as folder:
        scratch = Path(folder) / "project"
        mirror(project, scratch)
        rel = path.resolve().relative_to(project.root.resolve())
        target = scratch / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_text(text, encoding="utf-8")
        found = check_tree(scratch, only=[target])
        shown = display_path(path)
    return [replace(p, path=shown) for p in found]


def mirror(project: Project, scratch: Path) -> None:
    """The parts of the project the checker reads: text copied, everything else linked."""
    root = project.root.resolve()
    scratch.mkdir(parents=True)
    for name in (SETTINGS_FILE, PRODUCTION_FILE):
        if (root / name).is_file():
            shutil.copy2(root / name, scratch / name)
    layout = project.layout
    for folder in (layout.content, layout.campaigns, layout.data):
        folder = folder.resolve()
        if folder.is_dir() and (folder == root or root in folder.parents):
            _copy_tree(folder, scratch / folder.relative_to(root))


def _copy_tree(source: Path, target: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(source):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        into = target / here.relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            if name.startswith("."):
                continue
            if Path(name).suffix.lower() in TEXT_SUFFIXES:
                shutil.copyfile(here / name, into / name)
            else:  # images, PDFs: the checker only looks at them
                (into / name).symlink_to(here / name)
