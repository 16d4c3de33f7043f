"""Operations commands: deploy (and roll back) a built site."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.cli.context import current_project
from publisher.core.errors import display_path
from publisher.core.project import Project
from publisher.ops.deploy import DeployConfig, DeployError, check_target, list_releases, rollback
from publisher.ops.publish import deploy_project


@click.command("deploy")
@click.option(
    "--target",
    metavar="T",
    help="A name from DEPLOY['targets'], a folder, or [user@]host:/path (default: DEPLOY['target']).",
)
@click.option("--rollback", "roll_back", is_flag=True, help="Switch back to the previous release.")
@click.option("--to", "to_release", metavar="RELEASE", help="With --rollback: this release.")
@click.option(
    "--keep", type=click.IntRange(min=1), help="Releases to keep (default: DEPLOY['keep'])."
)
@click.option("--list", "list_only", is_flag=True, help="List the releases; * marks the live one.")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    help="The build to publish (default: the settings' OUTPUT_PATH).",
)
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),
    envvar="PUBLISHER_SETTINGS",
    help="Pelican settings file with DEPLOY (default: publishconf.py).",
)
def deploy_command(
    target: str | None,
    roll_back: bool,
    to_release: str | None,
    keep: int | None,
    list_only: bool,
    output: Path | None,
    settings_file: Path | None,
) -> None:
    """Publish output/ to the web root atomically, or roll back to the previous release."""
    project = current_project(settings_file)
    if settings_file is None:  # publishconf.py: the production build is what goes live
        project = Project.from_settings_file(project.production_settings_file)
    source = Path(output or project.layout.output)
    if not (list_only or roll_back or to_release):
        spec, path = deploy_project(project, source, target, keep)  # what the studio runs too
        click.echo(f"Deployed {display_path(source)} to {spec}: live release {path.name}")
        return
    try:
        config = DeployConfig.from_settings(project.conf())
        spec = config.resolve(target)
        check_target(spec, project.root, source)
        tools = {"ssh": config.ssh, "rsync": config.rsync}
        if list_only:
            state = list_releases(spec, **tools)
            for name in state.releases:
                click.echo(f"{'*' if name == state.current else ' '} {name}")
            return
        if not roll_back:
            raise DeployError("--to needs --rollback")
        path = rollback(spec, to=to_release, **tools)
        click.echo(f"Rolled back: {spec} now serves {path.name}")
    except DeployError as exc:
        raise DeployError(f"deploy: error: {exc}") from None


commands = [deploy_command]
