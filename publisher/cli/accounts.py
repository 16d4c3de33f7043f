"""`publisher accounts`: where each platform's posts go, and whether its credentials work.

For every platform: is it enabled in PUBLISHER['platforms'], does the engine post for real or
to the outbox (and why), which variables are missing (names only), and the answer of a
harmless read on the platform (`verify`): the account it reached, or the exact error with
the variable to fix. Secret values are never printed; an error text that carries one is
scrubbed. Exit code 1 when a platform with complete credentials fails its check, so a
monitor or cron mail notices.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import click

from publisher.cli.context import cli_settings
from publisher.cli.output import make_console, table
from publisher.core.environment import Environment
from publisher.core.settings import PublisherSettings
from publisher.core.timeutil import format_wib, utc_now
from publisher.platforms import registry
from publisher.platforms.common import scrub


@dataclass(frozen=True)
class AccountState:
    platform: str
    enabled: bool
    posts_to: str  # "platform" | "outbox" | "nowhere" (not enabled)
    missing: tuple[str, ...]
    checked: bool
    ok: bool | None  # None when not checked
    detail: str
    expires_at: str | None = None  # when the credentials stop working, if the platform says
    warning: str = ""  # they stop working within EXPIRY_WARNING: make new ones now


# Long-lived Meta tokens last about 60 days: a person is warned two weeks before the end.
EXPIRY_WARNING = dt.timedelta(days=14)


def expiry(platform: str, when: dt.datetime | None, now: dt.datetime) -> tuple[str, str]:
    """(what to add to the check's line, a warning or "") for credentials ending at `when`."""
    if when is None:
        return "", ""
    days = max((when - now).days, 0)
    note = f"; token expires in {days} day{'s' if days != 1 else ''} ({format_wib(when)})"
    if when - now > EXPIRY_WARNING:
        return note, ""
    fix = f"make a new token now and put it in .env ({registry.spec(platform).anchor})"
    return note, f"{registry.label(platform)}: the token expires in {days} days: {fix}"


def account_states(
    settings: PublisherSettings, env: Environment, verify: bool = True
) -> list[AccountState]:
    choices = {c.platform: c for c in registry.choose_adapters(settings, env)}
    secret_values = env.values(registry.secret_names())
    states = []
    for platform in registry.PLATFORMS:
        choice = choices.get(platform)
        missing = tuple(registry.missing(platform, env))
        posts_to = (
            "nowhere" if choice is None else ("platform" if choice.mode == "real" else "outbox")
        )
        adapter = choice.adapter if choice is not None and choice.mode == "real" else None
        if adapter is None and not missing:
            adapter = registry.real_adapter(platform, settings, env)
        note = choice.note if choice is not None else "not in PUBLISHER['platforms']"
        if adapter is None:
            given = [n for n in registry.spec(platform).credentials if n not in missing]
            detail = f"{note}; missing {', '.join(missing)}" if given else note
            states.append(
                AccountState(platform, choice is not None, posts_to, missing, False, None, detail)
            )
            continue
        if not verify:
            detail = f"{note}; not checked (--no-verify)"
            states.append(
                AccountState(platform, choice is not None, posts_to, (), False, None, detail)
            )
            continue
        expires, warning = None, ""
        try:
            result = adapter.verify()
            ok, detail = result.ok, str(result.error)
            if result.ok:  # read after verify: Mastodon's limit is the server's own
                where = f" ({result.url})" if result.url else ""
                detail = (
                    f"verified: {result.remote_id}{where}; text limit {adapter.limits.max_text}"
                )
                note, warning = expiry(platform, result.expires_at, utc_now())
                detail += note
                expires = result.expires_at.isoformat() if result.expires_at else None
        except Exception as exc:  # a check must never crash the listing
            ok, detail = (
                False,
                f"{registry.label(platform)}: the check failed ({type(exc).__name__})",
            )
        if posts_to != "platform":
            detail += f" [engine: {note}]"
        detail = scrub(detail, secret_values)
        enabled = choice is not None
        states.append(
            AccountState(platform, enabled, posts_to, (), True, ok, detail, expires, warning)
        )
    return states


@click.command("accounts")
@click.option(
    "--settings",
    "settings_file",
    type=click.Path(path_type=Path),
    envvar="PUBLISHER_SETTINGS",
    help="Pelican settings file with the PUBLISHER dict (default: pelicanconf.py).",
)
@click.option("--no-verify", is_flag=True, help="Do not contact the platforms.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def accounts_command(settings_file: Path | None, no_verify: bool, as_json: bool) -> None:
    """Show each platform's state: where posts go and whether its credentials work."""
    settings = cli_settings(settings_file)
    env = registry.environment(settings.root)
    states = account_states(settings, env, verify=not no_verify)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in states], indent=2, ensure_ascii=False))
    else:
        rows = [
            (
                registry.label(s.platform),
                "yes" if s.enabled else "no",
                s.posts_to,
                "complete" if not s.missing else "missing " + ", ".join(s.missing),
                ("WARN " if s.warning else "OK " if s.ok else "FAILED " if s.checked else "")
                + s.detail,
            )
            for s in states
        ]
        table(
            make_console(),
            "Accounts",
            ["Platform", "Enabled", "Posts to", "Credentials", "Check"],
            rows,
        )
        for state in states:
            if state.warning:
                click.echo(f"warning: {state.warning}", err=True)
        click.echo("How to get each credential: docs/platforms.md")
    if any(s.checked and not s.ok for s in states):
        raise SystemExit(1)


commands = [accounts_command]
