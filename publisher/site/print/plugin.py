"""Pelican plugin part: each published campaign with a `print:` section gets its print set.

After every generator has read its content (so the campaigns are known) and before any page
is written (so the campaign page and the press room can show each file's size), the pieces
go to kampanye/<slug>/cetak/<piece>.pdf, from the print cache when nothing they are made of
has changed. The templates see them as PRINT_SETS: slug -> PrintSet. A campaign that cannot
be printed stops the build with a located problem, like any other content error. A project
without a production address (no publishconf.py) has nothing for the QR codes to open: its
builds leave the print sets out and say so (`publisher print` refuses).

Settings: PRINT_CACHE_PATH (default var/cache/print in the project; "" renders every build)
and PRINT_FONT_DIR (default Debian's /usr/share/fonts/truetype/noto).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pelican import signals

from publisher.content.press import Download
from publisher.core.errors import ContentError
from publisher.site import run
from publisher.site.campaign_pages import CampaignGenerator, CampaignView
from publisher.site.print.cache import print_into
from publisher.site.print.campaign_set import (
    cache_folder,
    job_for,
    no_origin_problem,
    site_origin,
)
from publisher.site.print.pieces import PIECES, site_path

CONTEXT_KEY = "PRINT_SETS"


@dataclass
class PrintSet:
    """One campaign's published pieces, as the campaign page and the press room list them."""

    title: str
    url: str  # the campaign page, relative to the site's root
    downloads: list[Download] = field(default_factory=list)
    rendered: bool = False  # False: every piece came from the cache
    seconds: float = 0.0


def print_campaign(view: CampaignView, settings: dict[str, Any], output: Path) -> PrintSet:
    """Put one campaign's pieces under `output`; raise ContentError if it cannot be printed."""
    project = run.of(settings).project
    slug = view.campaign.slug
    job = job_for(view.campaign, settings, project)
    folder = output / Path(site_path(slug, PIECES[0])).parent
    result = print_into(job, folder, cache_folder(settings, project))
    downloads = [
        replace(
            Download(site_path(slug, piece), piece.titles["id"], size, "application/pdf"),
            titles=dict(piece.titles),
        )
        for piece, size in zip(PIECES, result.sizes().values(), strict=True)
    ]
    return PrintSet(view.campaign.title, view.url, downloads, result.rendered, result.seconds)


def publish_print_sets(generators: list[Any]) -> None:
    campaigns = next((g for g in generators if isinstance(g, CampaignGenerator)), None)
    if campaigns is None:
        return
    settings = campaigns.settings
    output = Path(settings["OUTPUT_PATH"])
    sets: dict[str, PrintSet] = {}
    campaigns.context[CONTEXT_KEY] = sets
    wanted = [view for view in campaigns.views if view.campaign.print_section is not None]
    project = run.of(settings).project
    if wanted and not site_origin(settings, project):  # e.g. a project without publishconf.py
        logging.getLogger(__name__).warning(
            "%s; the campaigns' print sets are left out of this build",
            no_origin_problem(project),
        )
        return
    for view in wanted:
        try:
            sets[view.campaign.slug] = print_campaign(view, settings, output)
        except ContentError as exc:  # the build reports it and writes no site
            run.of(settings).problems.append(exc)


def register() -> None:
    signals.all_generators_finalized.connect(publish_print_sets)
