"""Network cards: each platform's post as that network shows it, from exactly what its adapter
would send (engine.actions.preview: the composer, then the adapter's preview path).

A post already attempted shows what the ledger froze; one not sent yet is composed now.
The link card is read from the built page's Open Graph tags (platforms.opengraph, as the
Bluesky adapter does); a page not built yet shows its title, summary and image instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from publisher.engine import actions
from publisher.platforms import registry
from publisher.platforms.opengraph import LinkCard, OpenGraphReader, without_utm
from publisher.studio.items import Library
from publisher.studio.security import inside
from publisher.studio.state import Studio


@dataclass(frozen=True)
class Picture:
    src: str  # a studio URL ("" when the image is elsewhere)
    alt: str


@dataclass
class CardPart:
    number: int
    total: int
    text: str
    count: int
    limit: int
    pictures: list[Picture] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.count <= self.limit


@dataclass
class Card:
    platform: str
    label: str
    state: str
    error: str = ""
    parts: list[CardPart] = field(default_factory=list)
    link: LinkCard | None = None
    link_picture: str = ""
    domain: str = ""


def cards(studio: Studio, library: Library, key: str, ledger: object) -> list[Card]:
    settings = library.settings
    adapters = registry.build_adapters(
        settings, registry.environment(settings.root, studio.environ)
    )
    previews = actions.preview(key, library.planned(), ledger, adapters)  # type: ignore[arg-type]
    out = []
    seen: dict[str, LinkCard | None] = {}  # one reading per page linked, whatever its UTM
    for found in previews:
        card = Card(found.platform, registry.label(found.platform), found.state, found.error)
        for part in found.parts:
            pictures = [
                Picture(media_url(studio, m["path_or_url"]), m["alt"])
                for m in part.request.get("media", [])
            ]
            card.parts.append(
                CardPart(part.number, part.total, part.text, part.count, part.limit, pictures)
            )
        first = found.parts[0] if found.parts else None
        link = _link_of(first.request if first else {}, first.text if first else "")
        if link and first is not None and _shows_card(found.platform, first.request):
            page = without_utm(link)
            if page not in seen:
                seen[page] = link_card(library, link)
            card.link = seen[page]
            card.domain = urlsplit(link).netloc
            if card.link is not None and card.link.image_url:
                card.link_picture = media_url(studio, card.link.image_url)
        out.append(card)
    return out


def _link_of(request: Mapping[str, Any], text: str) -> str:
    data = request.get("data") or {}
    return str(request.get("link") or data.get("link") or _first_url(text))


def _first_url(text: str) -> str:
    return next((w for w in text.split() if w.startswith(("http://", "https://"))), "")


def _shows_card(platform: str, request: Mapping[str, Any]) -> bool:
    """Does the network show a link card under this post? Never beside a photo; on Bluesky
    when its adapter makes one (the outbox, standing in for it, says nothing of cards)."""
    if request.get("media"):
        return False
    return bool(request["card"]) if "card" in request else True


def link_card(library: Library, link: str) -> LinkCard | None:
    """The card of the page a post links to: its Open Graph tags in the built site, else
    (a page not built yet) the title, summary and image of the item at that address."""
    settings = library.settings
    folder = None if settings.feed_is_url else Path(settings.feed)
    found = OpenGraphReader(settings.site_url, folder, timeout=(2, 5))(link, with_thumb=False)
    if found is not None:
        return found
    path = urlsplit(without_utm(link)).path.strip("/")
    target = next((i for i in library.items if i.url.strip("/") == path and i.meta), None)
    if target is None or target.meta is None:
        return None
    image = target.meta.image
    picture = f"{settings.site_url}/{image.src.lstrip('/')}" if image else ""
    return LinkCard(link, target.title, target.summary, picture)


def media_url(studio: Studio, where: str) -> str:
    """A studio address that shows this image: from the built site, else from content/."""
    site = studio.settings.site_url
    layout = studio.project.layout
    if site and where.startswith(site + "/"):
        rel = urlsplit(where[len(site) :]).path.lstrip("/")
        built = inside(layout.output, rel)
        if built is not None and built.is_file():
            return f"/site/{rel}"
        where = str(layout.content / rel)
    path = Path(where)
    if path.is_absolute() and path.is_file():
        try:
            rel = path.resolve().relative_to(layout.content.resolve()).as_posix()
        except ValueError:
            return ""
        return f"/files/{rel}"
    return ""
