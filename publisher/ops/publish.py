"""Publish a project: `publisher build --production` then `publisher deploy`, as one call.

`deploy_project` is what `publisher deploy` does with a project's DEPLOY settings; the
studio's "publish now" runs `publish`, the same build and the same deploy, into a folder of
its own so the preview that `publisher serve` keeps in output/ is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from publisher.core.project import Project
from publisher.ops.deploy import DeployConfig, DeployError, check_target, deploy
from publisher.site.build import build_site


@dataclass(frozen=True)
class Published:
    pages: int
    target: str
    release: Path


def deploy_project(
    project: Project, output: Path, target: str | None = None, keep: int | None = None
) -> tuple[str, Path]:
    """Deploy `output` where the project's DEPLOY settings say; (target, live release)."""
    try:
        config = DeployConfig.from_settings(project.conf())
        spec = config.resolve(target)
        check_target(spec, project.root, output)
        path = deploy(
            output, spec, keep or config.keep, project_root=project.root,
            ssh=config.ssh, rsync=config.rsync,
        )  # fmt: skip
    except DeployError as exc:
        raise DeployError(f"deploy: error: {exc}") from None
    return spec, path


def publish(project: Project, output: Path, now: dt.datetime | None = None) -> Published:
    """Build with the production settings into `output`, then deploy it."""
    production = Project.from_settings_file(project.production_settings_file)
    built = build_site(production.settings_file, output=output, now=now)
    target, release = deploy_project(production, built.output)
    return Published(built.pages, target, release)
