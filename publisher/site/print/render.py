"""Render a print job's pieces: Jinja templates of the theme to HTML, WeasyPrint to PDF.

WeasyPrint is imported on first use: a build without print sections never pays for it.
Words that do not fit are a located error, never a page too many nor words hidden under a
pinned foot: each piece is first laid out with its boxes free to grow (`measure`), where
such words make a page too many (each leaflet panel alone on a page of the panel's size, so
the error names the panel to shorten); only then is it laid out for real.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publisher.core.errors import ContentError
from publisher.site.plugin import date_id
from publisher.site.print.job import PrintJob
from publisher.site.print.pieces import PIECES, Piece, base_of
from publisher.site.trusted import breakable, qr_svg

# The leaflet's six panels, as its template names them (id="panel-<name>"), and the field
# that fills each one: what an overflowing panel asks to shorten.
PANELS = {
    "flap": "messages",
    "back": "hotlines",
    "cover": "headline",
    "signs": "leaflet.signs",
    "safe_migration": "leaflet.safe_migration",
    "help": "leaflet.help",
}


@dataclass(frozen=True)
class Rendered:
    piece: Piece
    path: Path
    size: int  # bytes


class Renderer:
    """Renders pieces with one Jinja environment and one WeasyPrint font configuration."""

    def __init__(self, job: PrintJob) -> None:
        from weasyprint.text.fonts import FontConfiguration  # heavy: imported on first use

        self.job = job
        self.env = Environment(
            loader=FileSystemLoader(str(job.templates)),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["breakable"] = breakable
        self.fonts = FontConfiguration()
        self.qr = qr_svg(job.url)
        self.laid_out: dict[str, Any] = {}  # piece name -> its checked layout

    def context(self, piece: Piece, measure: bool = False) -> dict[str, Any]:
        job, section = self.job, self.job.section
        image = None
        if section.image is not None and job.image is not None:
            image = {"uri": job.image.as_uri(), "alt": section.image.alt,
                     "credit": section.image.credit}  # fmt: skip
        return {
            "piece": piece,
            "measure": measure,
            "campaign": {"title": job.title, "slug": job.slug},
            "words": section.words,
            "en": section.en,
            "panels": [
                ("signs", section.signs),
                ("safe_migration", section.safe_migration),
                ("help", section.help),
            ],
            "channels": job.channels,
            "emergency": [c for c in job.channels if c.emergency],
            "others": [c for c in job.channels if not c.emergency],
            "checked": {"id": date_id(job.checked, "id"), "en": date_id(job.checked, "en")},
            "site": {"name": job.site_name, "org": job.org},
            "url": job.url,
            "url_text": job.url.split("://", 1)[-1].rstrip("/"),
            "qr": self.qr,
            "image": image,
            "fonts": job.fonts.as_uri(),
        }

    def html(self, piece: Piece, measure: bool = False) -> str:
        template = self.env.get_template(f"print/{piece.template}")
        return template.render(self.context(piece, measure))

    def document(self, piece: Piece, measure: bool = False) -> Any:
        from weasyprint import HTML

        html = HTML(string=self.html(piece, measure), base_url=str(self.job.templates))
        return html.render(font_config=self.fonts)

    def check_fits(self, piece: Piece) -> None:
        """Lay the piece out with its text free to grow; refuse it if the text runs over."""
        pages = self.document(piece, measure=True).pages
        if piece.panels:
            self.check_panels(pages)
        elif len(pages) != piece.pages:
            sides = "one page" if piece.pages == 1 else f"{piece.pages} pages"
            msg = (f"the {piece.titles['en']} does not fit on {sides}: shorten "
                   f"print.headline and print.messages")  # fmt: skip
            raise ContentError(self.job.source, self.line("headline"), msg)

    def check_panels(self, pages: list[Any]) -> None:
        """Each leaflet panel is alone on a page of its size: name the one that spills."""
        if len(pages) == len(PANELS):
            return
        starts = []
        for name in PANELS:
            first = next((i for i, p in enumerate(pages) if f"panel-{name}" in p.anchors), None)
            starts.append((name, first))
        ends = [start for _, start in starts[1:]] + [len(pages)]
        for (name, start), end in zip(starts, ends, strict=True):
            if start is not None and end is not None and end - start > 1:
                field = PANELS[name]
                if field == "hotlines":
                    msg = "the leaflet's back panel cannot hold the published hotlines; make their notes shorter in data/hotlines.yaml or the panel's type smaller (theme/templates/print/)"
                    raise ContentError(self.job.source, self.job.section.line, msg)
                also = " (it also lists every published hotline)" if name == "help" else ""
                msg = f"the leaflet's '{name}' panel spills over its fold{also}: shorten print.{field}"
                raise ContentError(self.job.source, self.line(field), msg)

    def layout(self, piece: Piece) -> Any:
        """The piece laid out, once its words are known to fit."""
        self.check_fits(piece)
        document = self.document(piece)
        if len(document.pages) != piece.pages:  # a template changed: say which
            msg = f"theme/templates/print/{piece.template} made {len(document.pages)} page(s) for the {piece.titles['en']}, not {piece.pages}; check the template's page size and heights"
            raise ContentError(self.job.source, self.job.section.line, msg)
        return document

    def line(self, field: str) -> int:
        return self.job.section.lines.get(field, self.job.section.line)

    def render(self, piece: Piece, target: Path) -> Rendered:
        base, zoom = base_of(piece)
        document = self.laid_out.get(base.name)
        if document is None:
            document = self.layout(base)
            self.laid_out[base.name] = document
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target, then renamed: a reader never sees half a PDF.
        handle, name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                # Tagged: screen readers follow the text. Zoom: the A3 poster is the A4 one.
                document.write_pdf(out, zoom=zoom, pdf_tags=True)
            os.replace(name, target)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return Rendered(piece, target, target.stat().st_size)


def render_set(job: PrintJob, folder: Path, pieces: tuple[Piece, ...] = PIECES) -> list[Rendered]:
    """Render every piece of `job` into `folder` as <piece>.pdf."""
    renderer = Renderer(job)
    return [renderer.render(piece, folder / piece.file) for piece in pieces]
