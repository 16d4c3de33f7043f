"""What one campaign's print set shows, gathered and checked before anything is rendered.

A PrintJob holds only what the pieces show: the campaign's `print:` words, the published
hotline rows (never a held one: they come from hotlines.published), the address the QR code
opens, and the files the look is made of (templates, fonts, the picture). Its `key` is a
digest of all of it, so an unchanged campaign is not rendered again (cache.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from publisher.content import hotlines, phones
from publisher.content.campaigns import Campaign
from publisher.content.print_section import PrintSection
from publisher.core.errors import ContentError

# The fonts every piece embeds, in Debian's fonts-noto-core.
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONT_FILES = ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")
# Part of every set's key, with the templates and this package's code; bump it to render
# every campaign again.
RENDERER_VERSION = "1"


@dataclass(frozen=True)
class Channel:
    """A published hotline row as a printed piece shows it."""

    id: str
    number: str  # as published, e.g. "08111-129-129"; "" for an app or portal
    addresses: tuple[str, ...]  # web addresses, e.g. "lapor.go.id"
    service: dict[str, str]
    notes: dict[str, str]
    report: dict[str, str]
    emergency: bool  # the line for danger now
    strip: bool  # one of the few lines the site shows on every page

    @property
    def shown(self) -> str:
        """The number, or for a row without one its web address."""
        return self.number or (self.addresses[0] if self.addresses else "")


@dataclass(frozen=True)
class PrintJob:
    slug: str
    title: str
    source: Path  # the campaign file, for located errors
    section: PrintSection
    channels: tuple[Channel, ...]
    checked: dt.date  # the oldest `checked` of the rows shown: the date the pieces may claim
    url: str  # the campaign page on the production site, no tracking parameters
    site_name: str
    org: str
    templates: Path  # theme/templates
    fonts: Path
    image: Path | None = None  # print.image's file

    def key(self) -> str:
        """Digest of everything a piece is made of: words, rows, address, look, renderer."""
        digest = hashlib.sha256()
        data = {
            "renderer": RENDERER_VERSION,
            "libraries": [_version("weasyprint"), _version("segno")],
            "job": [self.slug, self.title, asdict(self.section), [asdict(c) for c in self.channels],
                    self.checked.isoformat(), self.url, self.site_name, self.org],
        }  # fmt: skip
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
        folder = self.templates / "print"
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(f"\0{path.relative_to(folder)}\0".encode())
            digest.update(path.read_bytes())
        # This package's own code: a change to how pieces are made renders them again.
        for module in sorted(resources.files(__package__).iterdir(), key=lambda m: m.name):
            if module.name.endswith(".py"):
                digest.update(f"\0{module.name}\0".encode())
                digest.update(module.read_bytes())
        if self.image is not None:
            digest.update(self.image.read_bytes())
        for name in FONT_FILES:  # a font upgrade changes the type: render again
            stat = (self.fonts / name).stat()
            digest.update(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


def channels(rows: tuple[hotlines.Hotline, ...]) -> tuple[Channel, ...]:
    out = []
    for row in rows:
        if not row.published:  # hotlines.published gives only these; never print another
            continue
        web = tuple(link.label.get("id") or link.href for link in row.links if link.kind == "web")
        out.append(Channel(row.id, row.number, web, dict(row.service), dict(row.notes),
                           dict(row.report), row.emergency, row.strip))  # fmt: skip
    return tuple(out)


def make_job(
    campaign: Campaign,
    hotlines_file: Path,
    site_url: str,
    names: tuple[str, str],
    content: Path,
    templates: Path,
    fonts: Path = FONT_DIR,
) -> PrintJob:
    """The print job of a campaign; ContentError (located) when it cannot be printed.

    `site_url` is the production site's origin, `names` the site's name and its owner.
    """
    section = campaign.print_section
    if section is None:
        msg = "this campaign has no 'print:' section; add one (docs/writing.md, 'Print') to make posters and leaflets"
        raise ContentError(campaign.path, 1, msg)
    rows = hotlines.published(hotlines_file)
    # The hotline guard's own rule (held numbers and near misses): nothing of it is printed.
    book = phones.Phonebook.load(hotlines_file)
    for line, text in section.texts:
        for match in phones.scan(text, book):
            raise ContentError(campaign.path, line, f"{match.message()}; it is never printed")
    image = None
    if section.image is not None:
        image = content / section.image.src.lstrip("/")
        if not image.is_file():
            msg = f"print.image '{section.image.src}' does not exist under {content.name}/; check the file name"
            raise ContentError(campaign.path, section.image.line, msg)
    missing = [fonts / name for name in FONT_FILES if not (fonts / name).is_file()]
    if missing:
        msg = f"the Noto fonts for print are missing ({missing[0]}); install Debian's fonts-noto-core: apt-get install fonts-noto-core"
        raise ContentError(campaign.path, section.line, msg)
    shown = channels(rows)
    if not shown:
        msg = "data/hotlines.yaml has no published row; a printed piece without a hotline is not printed"
        raise ContentError(hotlines_file, 1, msg)
    checked = min(row.checked for row in rows)
    url = f"{site_url.rstrip('/')}/kampanye/{campaign.slug}/"
    return PrintJob(campaign.slug, campaign.title, campaign.path, section, shown, checked, url,
                    names[0], names[1], templates, fonts, image)  # fmt: skip


def production_url(settings: dict[str, Any], production: dict[str, Any]) -> str:
    """The site's public origin: this build's own when it is a production build (absolute
    URLs), else the production settings' (publishconf.py's SITEURL, from SITE_URL)."""
    own = str(settings.get("SITEURL") or "")
    if own.startswith(("https://", "http://")) and not settings.get("RELATIVE_URLS"):
        return own.rstrip("/")
    return str(production.get("SITEURL") or production.get("SITE_URL") or "").rstrip("/")
