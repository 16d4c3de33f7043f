"""The pieces of a campaign's print set: file, template, paper and number of pages."""

from __future__ import annotations

from dataclasses import dataclass

# Paper in PostScript points (1/72 inch), portrait: what the PDF's pages measure.
PAPER_POINTS = {"A3": (841.89, 1190.55), "A4": (595.28, 841.89), "A5": (419.53, 595.28)}
PAPER_MM = {"A3": (297, 420), "A4": (210, 297), "A5": (148, 210)}
FOLDER = "cetak"  # kampanye/<slug>/cetak/<piece>.pdf


@dataclass(frozen=True)
class Piece:
    name: str  # the file name without .pdf
    template: str  # under theme/templates/print/
    paper: str  # A3, A4 or A5
    landscape: bool
    pages: int  # a piece with more pages has spilled: render.py refuses it
    titles: dict[str, str]  # id, en: how the site names the download
    # Printed from another piece's layout, enlarged: the A3 poster is the A4 poster at 297/210
    # (A3 is A4 with each side times about 1.414), so it needs no layout of its own.
    enlarges: str = ""
    panels: bool = False  # folded: its template lays out each panel alone when `measure`

    @property
    def file(self) -> str:
        return f"{self.name}.pdf"

    @property
    def size_points(self) -> tuple[float, float]:
        width, height = PAPER_POINTS[self.paper]
        return (height, width) if self.landscape else (width, height)


PIECES = (
    Piece("poster-a4", "poster.html", "A4", False, 1, {"id": "Poster A4", "en": "A4 poster"}),
    Piece("poster-a3", "poster.html", "A3", False, 1, {"id": "Poster A3", "en": "A3 poster"},
          enlarges="poster-a4"),
    Piece("selebaran-a5", "flyer.html", "A5", False, 2,
          {"id": "Selebaran A5, dua sisi", "en": "A5 flyer, two sides"}),
    Piece("leaflet-lipat-tiga", "leaflet.html", "A4", True, 2,
          {"id": "Leaflet lipat tiga, A4 dua sisi", "en": "Tri-fold leaflet, A4 two sides"},
          panels=True),
)  # fmt: skip


def base_of(piece: Piece) -> tuple[Piece, float]:
    """The piece whose layout `piece` prints, and how much larger it prints it."""
    base = next((p for p in PIECES if p.name == piece.enlarges), piece)
    return base, PAPER_MM[piece.paper][0] / PAPER_MM[base.paper][0]


def site_path(slug: str, piece: Piece) -> str:
    """Where the build publishes a piece, relative to the site's root."""
    return f"kampanye/{slug}/{FOLDER}/{piece.file}"
