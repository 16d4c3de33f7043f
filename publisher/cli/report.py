"""`publisher report CAMPAIGN`: what a campaign sent, where and when, what failed and why,
when its pages went live, and the engagement each platform gave back; as HTML, PDF or CSV,
on standard output or into a file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from publisher.cli.context import cli_settings, current_project, parse_now_option
from publisher.core.errors import PublisherError
from publisher.core.timeutil import parse_time, utc_now
from publisher.engine.campaign_report import Period
from publisher.ops.report import FORMATS, campaign_report, rendered


class ReportOutput(PublisherError):
    pass


def _moment(value: str | None, end: bool = False) -> object:
    if value is None:
        return None
    moment = parse_now_option(value)
    if end and moment is not None and len(value.strip()) == 10:  # a date: the whole day
        moment = parse_time(f"{value.strip()} 23:59:59")
    return moment


def _terminal(stream: BinaryIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@click.command("report")
@click.argument("campaign")
@click.option("--from", "start", metavar="WHEN", help="Only what happened from then (WIB).")
@click.option("--to", "end", metavar="WHEN", help="Only what happened until then (WIB).")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True,
    help="HTML (one page, charts inline), PDF (the same, for print) or CSV (one line per post).",
)  # fmt: skip
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report into this file (default: standard output).",
)
def report_command(
    campaign: str, start: str | None, end: str | None, fmt: str, output: Path | None
) -> None:
    """A report of CAMPAIGN for its funders and partners: what went out per platform and
    day, with links and times; what failed and why; when each page went live; and the
    reposts, likes, replies and views each platform gives for our posts (read 1 hour, 1 day
    and 7 days after sending). Times are WIB, e.g. --from 2027-07-20 --to 2027-07-31."""
    stdout = sys.stdout.buffer  # click.get_binary_stream is deprecated (Click 9)
    if output is None and fmt == "pdf" and _terminal(stdout):
        raise ReportOutput(
            "a PDF is not for the terminal: add --output report.pdf, or send it to a file "
            "(publisher report CAMPAIGN --format pdf > report.pdf)"
        )
    period = Period(_moment(start), _moment(end, end=True))  # type: ignore[arg-type]
    if period.start and period.end and period.start > period.end:
        raise click.BadParameter("--from must come before --to", param_hint="--from")
    settings = cli_settings()
    report = campaign_report(settings, campaign, utc_now(), period)
    data = rendered(report, current_project(), fmt)
    if output is None:
        stdout.write(data)
        stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_name(f".{output.name}.part")
        temporary.write_bytes(data)
        temporary.replace(output)
    except OSError as exc:
        raise ReportOutput(f"{output}: cannot be written ({exc.strerror})") from None
    click.echo(f"{output}: {fmt.upper()}, {len(data) / 1024:.1f} KB")


commands = [report_command]
