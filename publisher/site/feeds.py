"""Full-content feeds: Atom, RSS 2.0 and JSON Feed 1.1, for all posts and for press releases.

Pelican's own feeds use tag URIs built from SITEURL and the date, which change when either
does; ours use each item's stable id (publisher.syndication_feed.feed_entry_id), carry the
full HTML with absolute URLs, the lead image and the attachments as enclosures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from markupsafe import escape
from pelican import signals

from publisher.content.fields import ContentMeta
from publisher.content.golive import feed_times
from publisher.content.press import static_path
from publisher.core.timeutil import to_wib
from publisher.site import run
from publisher.site.i18n import Translations
from publisher.site.lang_pages import articles_in
from publisher.site.syndication_feed import feed_entry_id

FEEDS = {
    # name: (title suffix, which items)
    "all": ("semua berita dan siaran pers", ("article", "release")),
    "siaran-pers": ("siaran pers", ("release",)),
}
FEED_TITLES_EN = {"all": "all news and press releases", "siaran-pers": "press releases"}
MEDIA_NS = "http://search.yahoo.com/mrss/"


class _MediaMixin:
    """Adds <media:thumbnail> for the lead image (feedgenerator has no field for it)."""

    def root_attributes(self) -> dict[str, str]:
        attrs = super().root_attributes()  # type: ignore[misc]
        attrs["xmlns:media"] = MEDIA_NS
        return attrs

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)  # type: ignore[misc]
        if item.get("image"):
            handler.addQuickElement("media:thumbnail", "", {"url": item["image"]})


class AtomFeed(_MediaMixin, Atom1Feed):
    pass


class RssFeed(_MediaMixin, Rss201rev2Feed):
    pass


def _abs(base: str, path: str) -> str:
    return urljoin(base.rstrip("/") + "/", path)


def entry(article: Any, base: str) -> dict[str, Any]:
    """Everything one feed entry carries, in one dict shared by the three formats."""
    meta: ContentMeta = article.meta
    url = _abs(base, article.url)
    image = meta.image or (meta.images[0] if meta.images else None)
    image_url = _abs(base, static_path(image.src)) if image else None
    html = article.get_content(base)
    if image:
        html = f'<p><img src="{image_url}" alt="{escape(image.alt)}"></p>\n{html}'
    label = "Correction" if meta.lang == "en" else "Koreksi"
    notes = [
        f"<p><strong>{label} ({to_wib(c.date).date().isoformat()}):</strong> {escape(c.text)}</p>"
        for c in meta.corrections
    ]
    if notes:
        html = "\n".join([*notes, html])
    attachments = [
        {
            "url": _abs(base, d.path),
            "mime_type": d.mime_type,
            "title": d.title,
            "size_in_bytes": d.size,
        }
        for d in getattr(article, "downloads", [])
    ]
    # Dated at go-live (an embargoed release sorts where journalists expect it); `updated`
    # only for a later edit.
    published, updated = feed_times(meta, getattr(article, "golive", None))
    return {
        # A translation gets its own id: it is a different entry for a feed reader.
        "id": feed_entry_id(meta.uid if meta.lang == "id" else f"{meta.uid}@{meta.lang}"),
        "url": url,
        "title": meta.title,
        "summary": meta.summary,
        "html": html,
        "published": published,
        "updated": updated,
        "tags": [article.category.name, *[t.name for t in getattr(article, "tags", [])]],
        "image": image_url,
        "image_alt": image.alt if image else None,
        "attachments": attachments,
        "correction": meta.corrections[-1].text if meta.corrections else None,
        "corrections": [{"date": c.date.isoformat(), "text": c.text} for c in meta.corrections],
        "lang": meta.lang,
    }


def write_xml(
    feed_class: type,
    settings: dict[str, Any],
    entries: list[dict[str, Any]],
    name: str,
    title: str,
    out: Path,
) -> None:
    base = settings["FEED_DOMAIN"]
    feed = feed_class(
        title=f"{settings['SITENAME']}: {title}",
        link=_abs(base, ""),
        feed_url=_abs(base, out.relative_to(Path(settings["OUTPUT_PATH"])).as_posix()),
        description=settings.get("SITESUBTITLE", ""),
        language=settings.get("DEFAULT_LANG", "id"),
        feed_guid=f"urn:tppo-bengkulu-tengah:feed:{settings['DEFAULT_LANG']}:{name}",
    )
    author = settings.get("SITE_ORG", settings["SITENAME"])
    rss = feed_class is RssFeed
    for item in entries:
        feed.add_item(
            title=item["title"],
            link=item["url"],
            # RSS readers show <description>: it carries the full content, not a summary.
            description=item["html"] if rss else item["summary"],
            content=None if rss else item["html"],
            author_name=author,
            pubdate=item["published"],
            updateddate=item["updated"],
            unique_id=item["id"],
            unique_id_is_permalink=False,
            categories=item["tags"],
            enclosures=[
                Enclosure(a["url"], str(a["size_in_bytes"]), a["mime_type"])
                for a in item["attachments"]
            ][: 1 if rss else None],
            image=item["image"],
        )
    # As Pelican's writer does before writing a feed: plugins may adjust it (ours dates an
    # empty feed with the build's time, not the clock's).
    signals.feed_generated.send(settings, feed=feed)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        feed.write(handle, "utf-8")


def json_feed(
    settings: dict[str, Any], entries: list[dict[str, Any]], title: str, out: Path
) -> dict[str, Any]:
    base = settings["FEED_DOMAIN"]
    author = {"name": settings.get("SITE_ORG", settings["SITENAME"]), "url": _abs(base, "")}
    doc: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{settings['SITENAME']}: {title}",
        "home_page_url": _abs(base, ""),
        "feed_url": _abs(base, out.relative_to(Path(settings["OUTPUT_PATH"])).as_posix()),
        "description": settings.get("SITESUBTITLE", ""),
        "language": settings.get("DEFAULT_LANG", "id"),
        "authors": [author],
        "items": [],
    }
    for item in entries:
        record: dict[str, Any] = {
            "id": item["id"],
            "url": item["url"],
            "title": item["title"],
            "summary": item["summary"],
            "content_html": item["html"],
            "date_published": item["published"].isoformat(),
            "date_modified": item["updated"].isoformat(),
            "authors": [author],
            "tags": item["tags"],
            "language": item["lang"],
        }
        if item["image"]:
            record["image"] = item["image"]
        if item["attachments"]:
            record["attachments"] = item["attachments"]
        if item["correction"]:
            record["_tppo"] = {"correction": item["correction"], "corrections": item["corrections"]}
        doc["items"].append(record)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Compact: with `indent` the json module falls back to its pure-Python encoder.
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return doc


def english(settings: dict[str, Any], translations: Translations) -> dict[str, Any]:
    """The settings an English feed is written with: the site's name and description in
    English, from the theme's English catalogue (theme/translations/en)."""
    return {
        **settings,
        "SITENAME": translations.gettext("en", str(settings.get("SITENAME") or "")),
        "SITESUBTITLE": translations.gettext("en", str(settings.get("SITESUBTITLE") or "")),
    }


def translations_of(settings: dict[str, Any]) -> Translations:
    found = run.of(settings).data.get("translations")
    return found if found is not None else Translations(Path(settings["THEME"]) / "translations")


def _live_since(article: Any) -> Any:
    return getattr(article, "golive", None) or article.date


def write_feeds(generator: Any, writer: Any = None) -> None:
    """One set of feeds per language: feeds/ for Indonesian, en/feeds/ for English."""
    base_settings = generator.settings
    base = base_settings["FEED_DOMAIN"]
    for lang, folder in (("id", "feeds"), ("en", "en/feeds")):
        settings = {**base_settings, "DEFAULT_LANG": lang}
        if lang == "en":  # English titles and description for English feeds
            settings = english(settings, translations_of(base_settings))
        output = Path(settings["OUTPUT_PATH"]) / folder
        items = [
            a
            for a in articles_in(generator.context, lang)  # newest first
            if isinstance(getattr(a, "meta", None), ContentMeta)
        ]
        # Readers and the publisher want what is new; every live item is in syndication.json.
        newest = settings.get("FEED_MAX_ITEMS") or None
        for name, (title, kinds) in FEEDS.items():
            chosen = sorted(
                (a for a in items if a.meta.kind in kinds), key=_live_since, reverse=True
            )
            entries = [entry(a, base) for a in chosen[:newest]]
            title = title if lang == "id" else FEED_TITLES_EN[name]
            write_xml(AtomFeed, settings, entries, name, title, output / f"{name}.atom.xml")
            if name == "siaran-pers":
                write_xml(RssFeed, settings, entries, name, title, output / f"{name}.rss.xml")
            json_feed(settings, entries, title, output / f"{name}.json")


def register() -> None:
    signals.article_writer_finalized.connect(write_feeds)
