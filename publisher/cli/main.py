"""The `publisher` command: a thin click group over the library modules.

Each command lives in the module that does its work and is listed in COMMAND_MODULES;
every module exposes `commands`, a list of click commands.
"""

from __future__ import annotations

import importlib
import sys

import click

from publisher import __version__
from publisher.core.errors import ContentError

COMMAND_MODULES = (
    "publisher.site.build",
    "publisher.ops.serve",
    "publisher.content.check",
    "publisher.content.scaffold",
    "publisher.cli.engine",
    "publisher.cli.attention",
    "publisher.ops.deploy",
    "publisher.cli.accounts",
    "publisher.cli.ledger",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="publisher")
def cli() -> None:
    """Build the TPPO awareness site and syndicate its posts to social platforms."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(_name).commands:
        cli.add_command(_command)


def main() -> None:
    """Entry point: content problems end as one located line and exit code 1, never a traceback."""
    try:
        cli(standalone_mode=True)
    except ContentError as exc:
        click.echo(str(exc.problem), err=True)
        sys.exit(1)
