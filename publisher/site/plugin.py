"""Our Pelican plugin: registers the reader, gives the theme the hotlines and helper filters.

Signals only; no network and no subprocess inside the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from publisher.content import press
from publisher.core.timeutil import format_wib
from publisher.site import golive_files, i18n, images, lang_pages, run, trusted
from publisher.site.fast import build_helper, page_reuse
from publisher.site.reader import FrontMatterMarkdownReader

ID_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]


def date_id(moment: Any, lang: str = "id") -> str:
    """`30 Juli 2027` in Indonesian, `30 July 2027` in English, without relying on OS locales."""
    if lang == "en":
        return f"{moment.day} {moment.strftime('%B')} {moment.year}"
    return f"{moment.day} {ID_MONTHS[moment.month - 1]} {moment.year}"


def organization_ld(settings: dict[str, Any]) -> dict[str, Any]:
    """schema.org GovernmentOrganization with a ContactPoint per published phone line."""
    points = []
    for row in settings["HOTLINES"]:
        for link in row.links:
            if link.kind in ("tel", "whatsapp"):
                number = link.href.removeprefix("tel:").removeprefix("https://wa.me/")
                points.append(
                    {
                        "@type": "ContactPoint",
                        "telephone": number if link.kind == "tel" else f"+{number}",
                        "contactType": row.text("service", "id"),
                        "areaServed": "ID",
                        "availableLanguage": ["id"],
                    }
                )
    return {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": settings.get("SITE_ORG", settings["SITENAME"]),
        "url": settings.get("SITE_ORIGIN", "") + "/",
        "contactPoint": points,
    }


def _add_readers(readers: Any) -> None:
    readers.reader_classes["md"] = FrontMatterMarkdownReader


def _add_theme_data(pelican: Any) -> None:
    settings = pelican.settings
    settings["HOTLINES"] = run.published_hotlines(settings)
    settings["ORG_JSONLD"] = organization_ld(settings)
    data = run.press_data(settings)
    settings["PRESS"] = data
    press_file = Path(settings.get("PRESS_FILE") or run.of(settings).project.layout.press_file)
    settings["PRESS_KIT"] = press.kit_downloads(data, Path(settings["PATH"]), press_file)
    filters = settings.setdefault("JINJA_FILTERS", {})
    filters.update({"date_id": date_id, "wib": format_wib, "in_lang": lang_pages.in_lang})


def _keep_compiled_templates(pelican: Any) -> None:
    environment = pelican.settings.setdefault("JINJA_ENVIRONMENT", {})
    build = run.of(pelican.settings)
    if build.memory.templates.folder is None:
        build.memory.templates.folder = build.project.var / "cache" / "templates"
    environment.setdefault("bytecode_cache", build.memory.templates)


def _sitemap_uses_build_time(pelican: Any) -> None:
    """The sitemap plugin dates undated pages with the clock at its import; use the build's
    time (--now) instead, so the same content and time give the same bytes."""
    try:
        from pelican.plugins.sitemap import sitemap
    except ImportError:  # the plugin is not installed, so not in use
        return
    sitemap.generator.now = run.build_now(pelican.settings)
    # Its queue lives for the process: a build that failed mid-way would leave its pages
    # queued (for the next sitemap) and itself as the build to wait for (so no sitemap).
    sitemap.generator.page_queue = []
    sitemap.generator._main_pelican = None


def _empty_feed_uses_build_time(context: dict[str, Any], feed: Any) -> None:
    """A feed with no entries is `updated` now: the build's now, not the clock's."""
    if not feed.items:
        feed.latest_post_date = lambda: run.build_now(context)


_CONTENT_LISTS = ("articles", "translations", "hidden_articles", "hidden_translations",
                  "drafts", "drafts_translations", "pages", "hidden_pages", "draft_pages",
                  "draft_translations")  # fmt: skip


def _fix_urls(generator: Any) -> None:
    """Once the items are read their URLs are fixed, but Pelican formats a URL from the
    settings at every use (about nine per article in a build). `override_url` is what Pelican
    itself sets for a `url` given in an item's metadata."""
    for name in _CONTENT_LISTS:
        for item in getattr(generator, name, []):
            if not hasattr(item, "override_url"):
                item.override_url = item.url


def _skip_unwritten_taxonomies(generator: Any) -> None:
    """Our site has no tag, category or author pages (their *_SAVE_AS are empty), but
    Pelican still prepares each one, comparing every article with every list: a fifth of a
    5,000-article build. The context keeps its own copies for the templates."""
    for attribute, setting, empty in (("tags", "TAG_SAVE_AS", {}),
                                      ("categories", "CATEGORY_SAVE_AS", []),
                                      ("authors", "AUTHOR_SAVE_AS", [])):  # fmt: skip
        if not generator.settings.get(setting) and hasattr(generator, attribute):
            setattr(generator, attribute, empty)


def register() -> None:
    signals.readers_init.connect(_add_readers)
    trusted.register()  # autoescape on, and the few HTML fragments marked safe
    signals.initialized.connect(_add_theme_data)
    signals.initialized.connect(_sitemap_uses_build_time)
    signals.initialized.connect(_keep_compiled_templates)
    signals.feed_generated.connect(_empty_feed_uses_build_time)
    signals.article_generator_finalized.connect(_fix_urls)
    signals.article_generator_finalized.connect(_skip_unwritten_taxonomies)
    signals.page_generator_finalized.connect(_fix_urls)
    signals.article_generator_preread.connect(build_helper.share_reading)
    # The theme cannot render without these: gettext, and the per-language pages and lists.
    i18n.register()
    lang_pages.register()
    page_reuse.register()
    golive_files.register()  # static files of items not live yet, and private files, stay out
    images.register()  # responsive variants of the published pictures, <picture> in pages
