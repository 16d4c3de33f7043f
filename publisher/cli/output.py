"""How the engine's commands print: rich on a terminal, plain lines otherwise; errors as one line.

Text from platforms and from content (reasons, error bodies, post text) is shown as text in
both: control characters become escapes (`printable`: no cursor moves, cleared screens or
forged lines), and rich never reads it as markup (cells are `Text`, not markup strings), so
a `[/]` in a platform's answer or a post prints as written.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import Any

import click
from pelican.log import LimitFilter
from rich.console import Console
from rich.logging import RichHandler
from rich.table import Table
from rich.text import Text

from publisher.engine.events import Redact, formatter, printable, unchanged


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def say(text: Any = "", err: bool = False) -> None:
    """One line of output, whatever it holds: control characters shown as escapes."""
    click.echo(printable(str(text)), err=err)


def fail(message: str) -> None:
    say(message, err=True)
    raise SystemExit(1)


def setup_logging(console: Console, log_format: str = "text", redact: Redact = unchanged) -> None:
    """Rich log lines on a terminal, plain ones (with the time) for journald and cron, or
    JSON lines; events carry key=value fields in all of them, and secrets are redacted."""
    root = logging.getLogger("publisher")
    keep_every_line(*publisher_loggers())
    root.handlers.clear()
    root.setLevel(logging.INFO)
    if console.is_terminal and log_format == "text":
        handler: logging.Handler = RichHandler(console=Console(stderr=True), show_path=False)
        handler.setFormatter(formatter("text", redact, with_time=False))  # rich adds the time
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter(log_format, redact))
    root.addHandler(handler)


def table(console: Console, title: str, headers: Sequence[str], rows: list[Sequence[Any]]) -> None:
    if console.is_terminal:
        grid = Table(title=Text(printable(title)), show_lines=False)
        for header in headers:
            grid.add_column(header, overflow="fold")
        for row in rows:
            grid.add_row(*(Text(printable(str(c))) for c in row))
        console.print(grid)
        return
    say(f"{title}:")
    for row in rows:
        say("  " + "  ".join(str(c) for c in row))
    if not rows:
        say("  (none)")


def first_words(text: str, width: int = 60) -> str:
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def keep_every_line(*loggers: logging.Logger) -> None:
    """Take Pelican's duplicate filter off these loggers.

    Pelican's logger class (every logger made after `import pelican`) drops an INFO or
    WARNING line it has already printed once in the process. A publisher that runs for months
    must log every event, and a problem that repeats at every tick every time.
    """
    for logger in loggers:
        for found in list(logger.filters):
            if isinstance(found, LimitFilter):
                logger.removeFilter(found)


def publisher_loggers() -> list[logging.Logger]:
    """`publisher` and every `publisher.*` logger made so far."""
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] == "publisher"]
    return [logging.getLogger(name) for name in ["publisher", *names]]
