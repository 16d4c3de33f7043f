"""Where a build may write, and what it refuses before reading anything.

A build replaces its output folder as a whole (build.py's swap), so the folder it is given
must be a site's own: never a system folder, the project, a folder above it, a source
folder (content/, theme/...) or a folder that holds something other than a built site.
A preview of the future (`build --now` ahead of the clock) goes to `output-future/` by
default, beside output/, so the folder the scheduler and deploy read is never replaced by it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from publisher.content.check_build_rules import site_url_problem
from publisher.content.paths import outside_links, system_folder_problem
from publisher.core.errors import Problem, display_path
from publisher.core.project import Project

FUTURE_SUFFIX = "-future"


def default_output(configured: str | Path, future: bool) -> Path:
    """output/ (OUTPUT_PATH), or output-future/ beside it for a preview of the future."""
    path = Path(configured)
    return path.with_name(path.name + FUTURE_SUFFIX) if future else path


def output_problem(project: Project, target: Path) -> str | None:
    """Why the build must not replace `target`, or None."""
    why = system_folder_problem(target, project.root)
    if why:
        return why
    real = Path(os.path.realpath(target))
    layout = project.layout
    for source in (layout.content, layout.campaigns, layout.theme, layout.data):
        source = Path(os.path.realpath(source))
        if real == source or source in real.parents or real in source.parents:
            return f"{real} is, holds or is inside the source folder {source}"
    if real.is_dir() and any(real.iterdir()) and not (real / "index.html").is_file():
        return f"{real} holds files but no built site (no index.html); give a new or empty folder"
    return None


def refusals(
    project: Project, target: Path, settings_file: Path, settings: dict[str, Any]
) -> list[Problem]:
    """Everything that stops a build before it starts, each with where and the fix."""
    found = []
    why = output_problem(project, target)
    if why:
        found.append(
            Problem(
                display_path(target),
                1,
                f"the build will not write here: {why}; choose another --output folder",
            )
        )
    layout = project.layout
    found += outside_links(
        project.root, [layout.content, layout.campaigns, layout.theme, layout.data]
    )
    url = site_url_problem(settings_file, settings)
    if url is not None:
        found.append(url)
    return found
