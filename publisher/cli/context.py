"""What every command needs first: the project, its settings, and a `--now`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from publisher.core.project import Project
from publisher.core.settings import PublisherSettings, for_project
from publisher.core.timeutil import TimeFormatError, parse_time
from publisher.platforms import registry


def current_project(settings_file: Path | None = None) -> Project:
    """The project of `--settings` if given, else of `--project`/PUBLISHER_PROJECT/cwd."""
    if settings_file is not None:
        return Project.from_settings_file(settings_file)
    ctx = click.get_current_context(silent=True)
    explicit = ctx.find_root().params.get("project") if ctx is not None else None
    return Project.find(explicit)


def cli_settings(settings_file: Path | None = None) -> PublisherSettings:
    """The PUBLISHER settings, with the platform names and limits checked."""
    return registry.validate(for_project(current_project(settings_file)))


def parse_now_option(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except TimeFormatError as exc:
        raise click.BadParameter(str(exc)) from None
