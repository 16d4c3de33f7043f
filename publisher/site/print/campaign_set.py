"""A project's print set of one campaign, outside a build (`publisher print`), and the
settings both ways share: where the cache is and which address the QR codes open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from publisher.content.campaign_reader import campaign_files, read_campaign
from publisher.content.campaigns import Campaign
from publisher.core.errors import ContentError, ProblemsError, ProjectError
from publisher.core.project import Project
from publisher.core.words import did_you_mean
from publisher.site.print.cache import PrintedSet, print_into
from publisher.site.print.job import FONT_DIR, PrintJob, make_job, production_url

# Addresses reserved for examples (RFC 2606): a QR code to one of them opens nothing.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True)
class CampaignPrint:
    campaign: Campaign
    job: PrintJob
    printed: PrintedSet

    @property
    def placeholder(self) -> bool:
        """The QR codes open a placeholder address (SITE_URL is not set)."""
        host = urlsplit(self.job.url).hostname or ""
        return any(host == h or host.endswith(f".{h}") for h in PLACEHOLDER_HOSTS)


def cache_folder(settings: dict[str, Any], project: Project) -> Path | None:
    """PRINT_CACHE_PATH of the settings; default var/cache/print; "" for no cache."""
    configured = settings.get("PRINT_CACHE_PATH")
    if configured == "":
        return None
    return project.path(configured) if configured else project.var / "cache" / "print"


def site_origin(settings: dict[str, Any], project: Project) -> str:
    """Where the QR codes point: the production site (publishconf.py's SITE_URL); "" when
    the project has no production address."""
    production = project.with_settings(project.production_settings_file).conf()
    origin = production_url(settings, production)
    return origin if origin.startswith(("https://", "http://")) else ""


def no_origin_problem(project: Project) -> ContentError:
    msg = "the production site's address is unknown, so no QR code can point to it; set SITEURL in publishconf.py (SITE_URL)"
    return ContentError(project.production_settings_file, 1, msg)


def job_for(campaign: Campaign, settings: dict[str, Any], project: Project) -> PrintJob:
    """The print job of `campaign` under `settings` (Pelican's, or the project's own)."""
    hotlines_file = Path(settings.get("HOTLINES_FILE") or project.layout.hotlines_file)
    name = str(settings.get("SITENAME") or "")
    names = (name, str(settings.get("SITE_ORG") or name))
    theme = project.path(str(settings.get("THEME") or project.layout.theme))
    content = project.path(str(settings.get("PATH") or project.layout.content))
    fonts = Path(settings.get("PRINT_FONT_DIR") or FONT_DIR)
    origin = site_origin(settings, project)
    if not origin:
        raise no_origin_problem(project)
    return make_job(campaign, hotlines_file, origin, names, content, theme / "templates", fonts)


def find_campaign(project: Project, slug: str) -> Campaign:
    """The campaign `slug` of the project; every problem of its file if it has any."""
    folder = project.layout.campaigns
    path = folder / f"{slug.removesuffix('.md')}.md"
    if not path.is_file():
        slugs = [p.stem for p in campaign_files(folder)]
        hint = did_you_mean(slug, slugs)
        known = f" (campaigns: {', '.join(slugs)})" if slugs else ""
        raise ProjectError(f"no campaign '{slug}' in {folder}{hint}{known}")
    campaign, problems = read_campaign(path)
    if problems or campaign is None:
        raise ProblemsError(problems)
    return campaign


def print_campaign_set(
    project: Project, slug: str, output: Path, use_cache: bool = True
) -> CampaignPrint:
    """Put the print set of campaign `slug` into `output`."""
    campaign = find_campaign(project, slug)
    settings = project.conf()
    job = job_for(campaign, settings, project)
    cache = cache_folder(settings, project) if use_cache else None
    return CampaignPrint(campaign, job, print_into(job, output, cache))
