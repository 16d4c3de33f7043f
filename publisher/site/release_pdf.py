"""The printable PDF of a media release: letterhead, date, embargo line, body, contacts,
help lines and page numbers, from the release's document (publisher/content/release_doc.py)
with theme/templates/print/release.html and WeasyPrint, Debian's Noto Sans embedded.

Two callers: the site's build publishes it beside the release's page once the release is
live (publisher/site/release_pages.py), and the e-mail channel attaches it, the embargoed
copy included (publisher/engine/press/planner.py, through publisher/ops/runner.py). The
second runs inside a tick, which must never import Pelican: this module imports nothing
that does (tests/test_release_pdf.py holds it to that), and WeasyPrint only when a PDF is
made. Before rendering, every text of the document passes the hotline guard's rule (held
numbers and near misses of a published hotline are never printed); a PDF over SIZE_BUDGET
is refused.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.content import phones
from publisher.content.release_doc import ReleaseDoc
from publisher.content.trusted import body_html
from publisher.core.errors import ContentError
from publisher.core.timeutil import format_wib, to_wib
from publisher.site.print.job import FONT_DIR, FONT_FILES

# The sample releases, two A4 pages with the fonts embedded (subset), weigh 16-19 KB
# (docs/press.md); a PDF past this has something in it that does not belong there.
SIZE_BUDGET = 100 * 1024
TEMPLATE = "print/release.html"

WORDS = {
    "id": {"label": "SIARAN PERS", "page": "Halaman", "of": "dari", "corrections": "Koreksi",
           "images": "Foto untuk media", "credit": "Foto", "files": "Unduhan",
           "contacts": "Kontak media", "phone": "Telepon", "whatsapp": "WhatsApp",
           "email": "Surel", "about": "Tentang program", "hotlines": "Saluran bantuan resmi",
           "online": "Siaran pers ini di situs"},
    "en": {"label": "PRESS RELEASE", "page": "Page", "of": "of", "corrections": "Corrections",
           "images": "Photos for the media", "credit": "Photo", "files": "Downloads",
           "contacts": "Media contacts", "phone": "Phone", "whatsapp": "WhatsApp",
           "email": "E-mail", "about": "About the programme", "hotlines": "Official help lines",
           "online": "This release on the site"},
}  # fmt: skip


class ReleasePrinter:
    """Renders release PDFs with one Jinja environment (and one font configuration)."""

    def __init__(
        self,
        templates: Path,
        hotlines_file: Path,
        logo: Path | None = None,
        fonts: Path = FONT_DIR,
        budget: int = SIZE_BUDGET,
    ) -> None:
        self.env = Environment(
            loader=FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.hotlines_file = hotlines_file
        self.logo = logo if logo is not None and logo.is_file() else None
        self.fonts = fonts
        self.budget = budget
        self._font_config: Any = None

    def html(self, doc: ReleaseDoc) -> str:
        local = to_wib(doc.date)
        context = {
            "doc": doc,
            "words": WORDS.get(doc.lang, WORDS["id"]),
            "date": format_date(local.date(), "d MMMM y", locale=doc.lang),
            "time": format_wib(doc.date, with_date=False),
            "embargo": f"EMBARGO: not for publication before {format_wib(doc.embargo)}"
            if doc.embargo
            else "",
            "body": body_html(doc.body_html),
            "fonts": self.fonts.as_uri(),
            "logo": self.logo.as_uri() if self.logo else "",
            "wib": format_wib,
        }
        return self.env.get_template(TEMPLATE).render(context)

    def guard(self, doc: ReleaseDoc) -> None:
        """Held numbers and near misses of a published hotline are never printed."""
        book = (
            phones.Phonebook.load(self.hotlines_file)
            if self.hotlines_file.is_file()
            else phones.Phonebook()
        )
        for text in doc.texts():
            for match in phones.scan(text, book):
                raise ContentError(doc.source, 1, f"{match.message()}; it is never printed")

    def __call__(self, doc: ReleaseDoc, target: Path) -> None:
        """Render `doc` into `target` (written beside it, then renamed: never half a PDF)."""
        missing = [self.fonts / name for name in FONT_FILES if not (self.fonts / name).is_file()]
        if missing:
            raise ContentError(doc.source, 1, f"the Noto fonts for the release PDF are missing "
                               f"({missing[0]}); install Debian's fonts-noto-core")  # fmt: skip
        self.guard(doc)
        from weasyprint import HTML  # heavy: imported when the first PDF is made
        from weasyprint.text.fonts import FontConfiguration

        if self._font_config is None:
            self._font_config = FontConfiguration()
        document = HTML(string=self.html(doc), base_url=str(target.parent)).render(
            font_config=self._font_config
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                document.write_pdf(out, pdf_tags=True)
            size = Path(name).stat().st_size
            if size > self.budget:
                raise ContentError(doc.source, 1, f"its PDF weighs {size // 1024} KB, over the budget of "
                                   f"{self.budget // 1024} KB; check what the body holds")  # fmt: skip
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise


def printer_for(templates: Path, hotlines_file: Path, content: Path) -> ReleasePrinter:
    """The project's printer: its theme, hotlines, and the site's logo as letterhead."""
    return ReleasePrinter(templates, hotlines_file, content / "images" / "logo-situs.svg")
