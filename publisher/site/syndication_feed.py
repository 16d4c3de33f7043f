"""Pelican plugin part: feeds/syndication.json, what the publisher needs that Atom cannot carry.

The Atom feed says what is live; this file, written beside it by the same build, carries each
live article's and release's social wording, platforms, syndication time, campaign, image
alt text and stable uid. Only live items are in it: the reader gives embargoed and
future-dated items Pelican's `skip` status, so they never reach the article list. Translations
are left out: they share their original's uid and are not syndicated on their own.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from pelican import signals

from publisher.content.fields import ContentMeta
from publisher.content.golive import iso_utc
from publisher.content.press import static_path

FILE_NAME = "syndication.json"
FORMAT_VERSION = 1


def feed_entry_id(uid: str) -> str:
    """The Atom entry id of an item: stable across SITEURL, slug and date changes."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'tppo:' + uid)}"


def _absolute(siteurl: str, path: str) -> str:
    if not siteurl or path.startswith(("http://", "https://")):
        return path
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}"


def social_image(image: Any, fallback: dict[str, str] | None) -> tuple[str, str] | None:
    """(src, alt) of the image to post. No platform takes SVG, so an SVG illustration is
    replaced by the site's default social card, as the page's og:image is."""
    if image is not None and not image.src.lower().endswith(".svg"):
        return image.src, image.alt
    if image is not None and fallback:
        return fallback["src"], fallback["alt"]
    return None


def record(
    article: Any, siteurl: str, fallback_image: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """The syndication record of one Pelican article, or None if it is not ours to syndicate."""
    meta: ContentMeta | None = getattr(article, "meta", None)
    if not isinstance(meta, ContentMeta) or meta.kind not in ("article", "release") or not meta.uid:
        return None
    image = meta.image or (meta.images[0] if meta.images else None)
    return {
        "feed_id": feed_entry_id(meta.uid),
        "uid": meta.uid,
        "kind": meta.kind,
        "slug": getattr(article, "slug", meta.slug),
        "url": _absolute(siteurl, article.url),
        "title": meta.title,
        "summary": meta.summary,
        "published": meta.date.isoformat() if meta.date else None,
        # The scheduler posts nothing before this, by its own clock (content/golive.py).
        "golive": iso_utc(at) if (at := getattr(article, "golive", None) or meta.date) else None,
        "social": {name or "default": text for name, text in meta.social.items()},
        "platforms": list(meta.platforms),
        "syndicate_at": meta.syndicate_at.isoformat() if meta.syndicate_at else None,
        "campaign": meta.campaign,
        "image": (
            {"url": _absolute(siteurl, static_path(picked[0])), "alt": picked[1]}
            if (picked := social_image(image, fallback_image))
            else None
        ),
        "lang": meta.lang,
        # The corrections the page shows: the engine mails each one once it is live.
        "corrections": [iso_utc(c.date) for c in meta.corrections],
    }


def build_document(
    articles: list[Any], siteurl: str, fallback_image: dict[str, str] | None = None
) -> dict[str, Any]:
    items = [r for r in (record(a, siteurl, fallback_image) for a in articles) if r is not None]
    items.sort(key=lambda r: (r["published"] or "", r["uid"]))
    return {"version": FORMAT_VERSION, "site": siteurl, "items": items}


def _write(generators: list[Any]) -> None:
    for generator in generators:
        if not hasattr(generator, "articles") or not hasattr(generator, "translations"):
            continue
        settings = generator.settings
        feed = settings.get("FEED_ALL_ATOM") or "feeds/all.atom.xml"
        target = Path(generator.output_path) / Path(feed).parent / FILE_NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        document = build_document(
            list(generator.articles),
            settings.get("SITEURL") or "",
            settings.get("OG_DEFAULT_IMAGE"),
        )
        target.write_text(
            # Compact: with `indent` the json module falls back to its pure-Python encoder.
            json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )


def register() -> None:
    signals.all_generators_finalized.connect(_write)
