"""`publisher studio`: the newsroom studio (a web page over the project), and its accounts.

The web application (Starlette, uvicorn) is imported only when the studio starts: every
other command, `publisher tick` from a timer each minute among them, starts without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from publisher.cli.context import current_project
from publisher.studio.accounts import ROLES, Accounts

SETTINGS = click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),
    envvar="PUBLISHER_SETTINGS",
    help="Pelican settings file (default: pelicanconf.py).",
)


def _accounts(settings_file: Path | None) -> Accounts:
    return Accounts(current_project(settings_file).var / "studio" / "users.json")


@click.group("studio", invoke_without_command=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--https-only",
    is_flag=True,
    envvar="STUDIO_HTTPS_ONLY",
    help="Send the session cookie over HTTPS only (behind nginx with TLS).",
)
@SETTINGS
@click.pass_context
def studio_group(
    ctx: click.Context, host: str, port: int, https_only: bool, settings_file: Path | None
) -> None:
    """Open the newsroom studio: calendar, previews, writing, approval, attention."""
    if ctx.invoked_subcommand is not None:
        return
    from publisher.studio.server import serve  # the web application, only now

    project = current_project(settings_file)
    if not _accounts(settings_file).users():
        click.echo(
            "No studio accounts yet: create one first with\n"
            "  publisher studio adduser 'Your Name' --role admin",
            err=True,
        )
        raise SystemExit(1)
    click.echo(f"The studio of {project.root} at http://{host}:{port}/ (Ctrl+C to stop)")
    serve(project, host, port, https_only)


@studio_group.command("adduser")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="writer", show_default=True)
@click.option("--email", default="", help="For the author line of the person's git commits.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--replace", is_flag=True, help="Change the role or password of an account.")
@SETTINGS
def adduser_command(
    name: str,
    role: str,
    email: str,
    password_stdin: bool,
    replace: bool,
    settings_file: Path | None,
) -> None:
    """Create a staff account NAME with a role (writer, editor or admin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _accounts(settings_file).add(name, role, password, email, replace=replace)
    click.echo(f"{user.name}: {user.role} account {'changed' if replace else 'created'}")


@studio_group.command("deluser")
@click.argument("name")
@SETTINGS
def deluser_command(name: str, settings_file: Path | None) -> None:
    """Remove the account NAME (its sessions end at once)."""
    _accounts(settings_file).remove(name)
    click.echo(f"{name}: account removed")


@studio_group.command("users")
@SETTINGS
def users_command(settings_file: Path | None) -> None:
    """List the accounts and their roles."""
    for user in sorted(_accounts(settings_file).users().values(), key=lambda u: u.name):
        click.echo(f"{user.name}\t{user.role}")


commands = [studio_group]
