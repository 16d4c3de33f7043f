"""`publisher press ...`: the press list's removals, and who got which release when.

Nothing here prints an address: a journalist is shown by their pseudonymous id
(docs/press.md).
"""

from __future__ import annotations

import click

from publisher.cli.context import cli_settings
from publisher.cli.output import fail, say
from publisher.content import press_list
from publisher.core.timeutil import format_wib, utc_now
from publisher.engine.ledger import Ledger
from publisher.engine.press import keys
from publisher.engine.press.forget import forget
from publisher.engine.press.planner import PLATFORM, parse_key
from publisher.platforms import registry


@click.group("press")
def press_group() -> None:
    """The press list (data/press-list.yaml): removals and deliveries by e-mail."""


@press_group.command("forget")
@click.argument("email")
def forget_command(email: str) -> None:
    """Honour EMAIL's removal request: take it off the press list and delete its delivery
    history (ledger rows, outbox files, journal). Safe while `publisher run` runs."""
    if not press_list.valid_address(email):
        fail("that is not an e-mail address (one @ and a domain)")
    settings = cli_settings()
    env = registry.environment(settings.root)
    ledger = Ledger.open(settings.ledger, actor="publisher press forget")
    try:
        done = forget(settings, env, ledger, email, utc_now())
    finally:
        ledger.close()
    say(
        f"Removed {done.entries} press list entr{'y' if done.entries == 1 else 'ies'}, "
        f"{done.rows} delivery record(s) with {done.audits} audit row(s), and {done.files} "
        "file(s) from the outbox and the mail journal."
    )
    if not done.entries:
        say("That address was not on the press list.", err=True)


@press_group.command("id")
@click.argument("email")
def id_command(email: str) -> None:
    """The pseudonymous id under which EMAIL's deliveries are in the ledger."""
    settings = cli_settings()
    env = registry.environment(settings.root)
    key = keys.load_key(settings.root / "var", env, create=False)
    say(press_list.recipient_id(key, email))


@press_group.command("deliveries")
@click.argument("release")
def deliveries_command(release: str) -> None:
    """Who got RELEASE (its id) by e-mail, which copy and when, by pseudonymous id."""
    settings = cli_settings()
    ledger = Ledger.open(settings.ledger, actor="publisher press deliveries")
    try:
        rows = [
            r for r in ledger.rows(platform=PLATFORM) if (parse_key(r.key) or ("",))[0] == release
        ]
    finally:
        ledger.close()
    if not rows:
        say(f"No e-mail of {release} in the ledger.")
        return
    for row in rows:
        _uid, kind, rid = parse_key(row.key) or ("", "", "")
        when = format_wib(row.sent_at) if row.sent_at else f"due {format_wib(row.due_at)}"
        say(f"{rid}  {kind:<24} {row.language}  {row.state:<8} {when}  {row.reason[:80]}")


commands = [press_group]
