"""Pages Pelican makes only once, made per language: home, news list, search page.

Pelican writes its direct templates (index, archives) in the default language only, and its
i18n_subsites plugin is AGPL-3.0, which does not fit this MIT project. So this small
generator renders the English home (/en/), news list (/en/news/) and both search pages with
the same templates, passing `page_lang` so gettext and links switch language.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pelican import signals
from pelican.generators import Generator


def in_lang(item: Any, lang: str) -> Any | None:
    """The item itself if it is in `lang`, else its translation in `lang`, else None."""
    if item is None:
        return None
    if getattr(item, "lang", None) == lang:
        return item
    for translation in getattr(item, "translations", None) or []:
        if translation.lang == lang:
            return translation
    return None


def articles_in(context: dict[str, Any], lang: str) -> list[Any]:
    """Live articles and releases in `lang`: originals in it, plus translations into it."""
    found = []
    for article in context.get("articles", []):
        match = in_lang(article, lang)
        if match is not None:
            found.append(match)
    return sorted(found, key=lambda a: a.date, reverse=True)


class LanguagePagesGenerator(Generator):
    def generate_context(self) -> None:
        for lang in ("id", "en"):
            releases = [a for a in articles_in(self.context, lang) if a.meta.kind == "release"]
            self.context.setdefault("RELEASES", {})[lang] = releases

    def generate_output(self, writer: Any) -> None:
        settings = self.settings
        english = articles_in(self.context, "en")
        news_en = f"en/{settings['NEWS_EN_URL']}"
        index = self.get_template("index")
        archives = self.get_template("archives")
        search = self.get_template("search")
        home_id = SimpleNamespace(lang="id", url="")
        writer.write_file(
            "en/index.html", index, self.context, settings["RELATIVE_URLS"],
            page_lang="en", articles=english, dates=english, lang_twin=home_id,
            template_name="index", page_name="en/index", url="en/",
        )  # fmt: skip
        writer.write_file(
            f"{news_en}index.html", archives, self.context, settings["RELATIVE_URLS"],
            page_lang="en", articles=english, dates=english,
            lang_twin=SimpleNamespace(lang="id", url=settings["ARCHIVES_URL"]),
            template_name="archives", page_name=f"{news_en}index", url=news_en,
        )  # fmt: skip
        urls = settings["SEARCH_URLS"]
        for lang, twin in (("id", "en"), ("en", "id")):
            writer.write_file(
                f"{urls[lang]}index.html", search, self.context, settings["RELATIVE_URLS"],
                page_lang=lang, lang_twin=SimpleNamespace(lang=twin, url=urls[twin]),
                template_name="search", page_name=f"{urls[lang]}index", url=urls[lang],
            )  # fmt: skip


def _generators(pelican: Any) -> type:
    return LanguagePagesGenerator


def register() -> None:
    signals.get_generators.connect(_generators)
