"""`publisher print CAMPAIGN`: a campaign's posters, flyer and folded leaflet as PDF files."""

from __future__ import annotations

from pathlib import Path

import click

from publisher.cli.context import current_project
from publisher.core.errors import display_path
from publisher.site.print.campaign_set import print_campaign_set


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024**2 else f"{size / 1024**2:.1f} MB"


@click.command("print")
@click.argument("campaign")
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for the PDF files (default: print/CAMPAIGN/ in the project).",
)
@click.option("--no-cache", is_flag=True, help="Render again even if nothing has changed.")
def print_command(campaign: str, output: Path | None, no_cache: bool) -> None:
    """Make CAMPAIGN's posters (A4, A3), A5 flyer and tri-fold leaflet as PDF.

    The words come from the campaign's `print:` section (docs/writing.md), the numbers from
    the published rows of data/hotlines.yaml, and the QR code opens the campaign's page on
    the production site (SITE_URL, see publishconf.py).
    """
    project = current_project()
    slug = campaign.removesuffix(".md").rsplit("/", 1)[-1]
    folder = output if output is not None else project.root / "print" / slug
    result = print_campaign_set(project, slug, folder, use_cache=not no_cache)
    for piece, size in result.printed.sizes().items():
        click.echo(f"{display_path(folder / f'{piece}.pdf')}  {_size(size)}")
    how = "rendered" if result.printed.rendered else "unchanged, taken from the cache"
    click.echo(f"{len(result.printed.pieces)} files, {how}, in {result.printed.seconds:.1f}s")
    click.echo(f"The QR codes open {result.job.url}")
    if result.campaign.status == "draft":
        click.echo("note: the campaign is a draft, so its page is not on the site yet", err=True)
    if result.placeholder:
        click.echo(
            "warning: that is a placeholder address; set SITE_URL to the site's real address "
            "(docs/operations.md) before printing these",
            err=True,
        )


commands = [print_command]
