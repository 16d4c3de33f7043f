"""The `publisher` command: a thin click group over the library.

Each command lives in the cli module of its subsystem, listed in COMMAND_MODULES; every such
module exposes `commands`. Expected errors (publisher.core.errors.PublisherError) become
their lines on standard error and their exit code here, in one place, never a traceback.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from publisher import __version__
from publisher.core.errors import PublisherError
from publisher.core.project import ENV_VAR

COMMAND_MODULES = (
    "publisher.cli.site",
    "publisher.cli.engine",
    "publisher.cli.attention",
    "publisher.cli.ops",
    "publisher.cli.accounts",
    "publisher.cli.ledger",
    "publisher.cli.print",
    "publisher.cli.report",
    "publisher.cli.studio",
    "publisher.cli.press",
)


class PublisherGroup(click.Group):
    """Runs a command; a PublisherError it raises is printed as its lines, with its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PublisherError as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=PublisherGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publisher")
@click.option(
    "--project",
    type=click.Path(path_type=Path, file_okay=False),
    envvar=ENV_VAR,
    help="The project folder (default: the current folder or the nearest one above it "
    "that holds pelicanconf.py).",
)
def cli(project: Path | None) -> None:
    """Build the TPPO awareness site and syndicate its posts to social platforms."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).commands:
        cli.add_command(_command)


def main() -> None:
    cli(standalone_mode=True)
