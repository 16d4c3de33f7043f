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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pelican import signals

from publisher.content.fields import ContentMeta
from publisher.content.golive import iso_utc
from publisher.content.press import static_path
from publisher.site import run, social_variants
from publisher.site.campaign_pages import CampaignGenerator

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


def _image(
    picked: tuple[str, str] | None, siteurl: str, shapes: Mapping[str, Mapping[str, str]]
) -> dict[str, Any] | None:
    if picked is None:
        return None
    src = static_path(picked[0])
    out: dict[str, Any] = {"url": _absolute(siteurl, src), "alt": picked[1]}
    if shapes.get(src):  # the shapes some platforms need (publisher.site.social_variants)
        out["variants"] = {a: _absolute(siteurl, p) for a, p in shapes[src].items()}
    return out


def record(
    article: Any,
    siteurl: str,
    fallback_image: dict[str, str] | None = None,
    shapes: Mapping[str, Mapping[str, str]] | None = None,
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
        "image": _image(social_image(image, fallback_image), siteurl, shapes or {}),
        "lang": meta.lang,
        # The corrections the page shows: the engine mails each one once it is live.
        "corrections": [iso_utc(c.date) for c in meta.corrections],
    }


def build_document(
    articles: list[Any],
    siteurl: str,
    fallback_image: dict[str, str] | None = None,
    shapes: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    items = [
        r for r in (record(a, siteurl, fallback_image, shapes) for a in articles) if r is not None
    ]
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
        articles = list(generator.articles)
        shapes = _make_shapes(generators, articles, settings, Path(generator.output_path))
        document = build_document(
            articles, settings.get("SITEURL") or "", settings.get("OG_DEFAULT_IMAGE"), shapes
        )
        target.write_text(
            # Compact: with `indent` the json module falls back to its pure-Python encoder.
            json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n",
            encoding="utf-8",
        )


def _make_shapes(
    generators: list[Any], articles: list[Any], settings: dict[str, Any], output: Path
) -> dict[str, dict[str, str]]:
    """The images the publisher may post, made in the shapes platforms ask for: each live
    item's social image and each published calendar post's image."""
    fallback = settings.get("OG_DEFAULT_IMAGE")
    sources = []
    for article in articles:
        meta = getattr(article, "meta", None)
        if isinstance(meta, ContentMeta) and meta.kind in ("article", "release"):
            image = meta.image or (meta.images[0] if meta.images else None)
            picked = social_image(image, fallback)
            if picked:
                sources.append(static_path(picked[0]))
    for generator in generators:  # the campaign pages' generator: its live campaigns
        if isinstance(generator, CampaignGenerator):
            for view in generator.views:
                posts = view.campaign.posts
                sources += [static_path(p.image.src) for p in posts if p.image is not None]
    cache = run.of(settings).project.var / "cache" / "social"
    return social_variants.make(sources, Path(settings["PATH"]), output, cache)


def register() -> None:
    signals.all_generators_finalized.connect(_write)
