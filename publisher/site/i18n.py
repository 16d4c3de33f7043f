"""Theme strings through gettext: Indonesian in the templates, English from a Babel catalogue.

Pelican renders every page with one Jinja environment, while our pages are in two languages,
so the gettext callables read the page's language from the template context on each call
(`page_lang`, else the article's or page's `lang`, else DEFAULT_LANG). Catalogues are read
from the .po files directly (babel.messages.pofile), so there is no compiled file to forget.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2 import pass_context
from jinja2.runtime import Context
from pelican import signals

from publisher.site import run

LANGUAGES = ("id", "en")
DOMAIN = "messages"


def catalog_path(translations: Path, lang: str) -> Path:
    return translations / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_catalog(path: Path) -> Catalog | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return read_po(handle)


def context_lang(context: Context | dict[str, Any]) -> str:
    explicit = context.get("page_lang")
    if explicit:
        return str(explicit)
    item = context.get("article") or context.get("page")
    return str(getattr(item, "lang", None) or context.get("DEFAULT_LANG") or "id")


def messages(catalog: Catalog | None) -> dict[str, str]:
    """msgid -> translation, without empty or fuzzy entries: one dict lookup per string."""
    if catalog is None:
        return {}
    return {
        str(entry.id): str(entry.string)
        for entry in catalog
        if entry.id and isinstance(entry.string, str) and entry.string and not entry.fuzzy
    }


class Translations:
    """The theme's catalogues, read once per build (an edited .po shows at the next one)."""

    def __init__(self, folder: Path) -> None:
        self.catalogs = {lang: load_catalog(catalog_path(folder, lang)) for lang in LANGUAGES}
        self.strings = {lang: messages(c) for lang, c in self.catalogs.items()}

    def gettext(self, lang: str, message: str) -> str:
        return self.strings.get(lang, {}).get(message, message)

    def ngettext(self, lang: str, singular: str, plural: str, n: int) -> str:
        catalog = self.catalogs.get(lang)
        entry = catalog.get(singular) if catalog else None
        if entry is not None and isinstance(entry.string, tuple) and all(entry.string):
            return str(entry.string[0 if n == 1 else 1])
        return singular if n == 1 else plural


def install(generator: Any) -> None:
    """Give the generator's Jinja environment context-aware gettext callables."""
    data = run.of(generator.settings).data
    if "translations" not in data:
        data["translations"] = Translations(Path(generator.settings["THEME"]) / "translations")
    translations: Translations = data["translations"]

    @pass_context
    def gettext(context: Context, message: str) -> str:
        return translations.gettext(context_lang(context), message)

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, n: int) -> str:
        return translations.ngettext(context_lang(context), singular, plural, n)

    env = generator.env
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)


def register() -> None:
    signals.generator_init.connect(install)
