"""The print set of the sample campaign, as the site's build publishes it (issue 20).

Each PDF is read back with poppler's tools and zxing-cpp: its paper, its fonts, its words,
every number on it (the hotline guard: published rows only), its QR code, its colours.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from publisher.content import hotlines
from publisher.content.campaign_reader import load_campaign
from publisher.content.press import Download
from tests import print_support as pdf
from tests.support import ROOT

SLUG = pdf.SLUG
A4, A3, A5 = (595.28, 841.89), (841.89, 1190.55), (419.53, 595.28)
LANDSCAPE_A4 = (A4[1], A4[0])
PAPER = {
    "poster-a4.pdf": [A4],
    "poster-a3.pdf": [A3],
    "selebaran-a5.pdf": [A5, A5],
    "leaflet-lipat-tiga.pdf": [LANDSCAPE_A4, LANDSCAPE_A4],
}
QR_PAGE = {
    "poster-a4.pdf": 1,
    "poster-a3.pdf": 1,
    "selebaran-a5.pdf": 2,
    "leaflet-lipat-tiga.pdf": 1,
}
# The headline's type size at least, in points: read from across a room, or in the hand.
HEADLINE_POINTS = {"poster-a4.pdf": 30, "poster-a3.pdf": 42, "selebaran-a5.pdf": 24,
                   "leaflet-lipat-tiga.pdf": 22}  # fmt: skip
SMALLEST_POINTS = 8.5


@pytest.fixture(scope="module")
def pieces(output: Path) -> dict[str, Path]:
    folder = output / "kampanye" / SLUG / "cetak"
    return {name: folder / name for name in PAPER}


@pytest.fixture(scope="module")
def section():  # the words the campaign file gives the pieces
    campaign = load_campaign(ROOT / "campaigns" / f"{SLUG}.md")
    assert campaign.print_section is not None
    return campaign.print_section


def words(path: Path) -> str:
    """The piece's words in the order they are drawn, one space between them."""
    return " ".join(pdf.text_of(path, raw=True).split())


def production_page() -> str:
    origin = runpy.run_path(str(ROOT / "publishconf.py"))["SITEURL"].rstrip("/")
    return f"{origin}/kampanye/{SLUG}/"


def test_the_build_publishes_the_four_pieces_under_the_campaign_page(
    output: Path, pieces: dict[str, Path]
) -> None:
    found = sorted(p.name for p in (output / "kampanye" / SLUG / "cetak").iterdir())
    assert found == sorted(PAPER)
    for path in pieces.values():
        assert path.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("name", list(PAPER))
def test_page_sizes_are_iso_paper_in_points(pieces: dict[str, Path], name: str) -> None:
    sizes = pdf.page_sizes(pieces[name])
    assert len(sizes) == len(PAPER[name])
    for (width, height), (want_w, want_h) in zip(sizes, PAPER[name], strict=True):
        assert width == pytest.approx(want_w, abs=0.5) and height == pytest.approx(want_h, abs=0.5)


@pytest.mark.parametrize("name", list(PAPER))
def test_only_debians_noto_sans_is_used_and_it_is_embedded(
    pieces: dict[str, Path], name: str
) -> None:
    fonts = pdf.fonts_of(pieces[name])
    assert {f.name for f in fonts} == {"Noto-Sans", "Noto-Sans-Bold"}, fonts
    assert all(f.embedded for f in fonts)


@pytest.mark.parametrize("name", list(PAPER))
def test_the_print_words_are_on_every_piece(pieces: dict[str, Path], section, name: str) -> None:
    text = words(pieces[name])
    for line in [section.words.headline, *section.words.messages, section.words.audience]:
        assert line in text
    assert section.en is not None  # the sample campaign has English: it is printed too
    for line in [section.en.headline, *section.en.messages]:
        assert line in text
    assert "Dalam bahaya sekarang? Telepon 110" in text
    assert "In danger now? Call 110" in text


def test_the_leaflet_panels_follow_signs_safe_migration_and_help(
    pieces: dict[str, Path], section
) -> None:
    outside, inside = pdf.text_of(pieces["leaflet-lipat-tiga.pdf"], raw=True).split("\f")[:2]
    text = " ".join(inside.split())
    positions = []
    for panel in (section.signs, section.safe_migration, section.help):
        assert panel.title in text
        positions.append(text.index(panel.title))
        for point in panel.points:
            assert point in text
    assert positions == sorted(positions)  # inside, left to right
    cover = " ".join(outside.split())
    assert "Hari Dunia Anti Perdagangan Orang 2027" in cover  # the cover names the campaign
    for message in section.words.messages:  # the flap that folds in
        assert message in cover


@pytest.mark.parametrize("name", list(PAPER))
def test_every_published_number_is_printed_and_no_other(pieces: dict[str, Path], name: str) -> None:
    text = pdf.text_of(pieces[name], raw=True)
    published = hotlines.published_numbers(pdf.HOTLINES)
    held = hotlines.held_numbers(pdf.HOTLINES)
    assert held, "the data file must keep its held rows"
    phones = pdf.phone_numbers(text)
    assert phones <= published, phones - published
    assert not (phones | pdf.short_numbers(text)) & held
    years = {"2026", "2027"}  # in the date of the check and the campaign's name
    assert pdf.short_numbers(text) <= published | years, pdf.short_numbers(text)
    assert not re.search(r"(?<![\d/-])112(?![\d/-])", text)  # on hold, and short
    flat = re.sub(r"\s+", "", text)  # an address may break over two lines
    for row in hotlines.published(pdf.HOTLINES):
        shown = row.number or next(link.label["id"] for link in row.links if link.kind == "web")
        assert re.sub(r"\s+", "", shown) in flat, (name, row.id)


@pytest.mark.parametrize("name", list(PAPER))
def test_the_qr_code_opens_the_campaign_page_on_the_production_site(
    pieces: dict[str, Path], name: str, tmp_path: Path
) -> None:
    image = pdf.picture(pieces[name], QR_PAGE[name], tmp_path)
    codes = pdf.qr_codes(image)
    assert codes == [production_page()]
    assert "?" not in codes[0] and "#" not in codes[0]  # no tracking parameters
    url_text = production_page().split("://", 1)[1].rstrip("/")
    assert url_text in re.sub(r"\s+", "", pdf.text_of(pieces[name], raw=True))


@pytest.mark.parametrize("name", list(PAPER))
def test_pieces_are_black_and_white(pieces: dict[str, Path], name: str, tmp_path: Path) -> None:
    for page in range(1, len(PAPER[name]) + 1):
        assert pdf.only_greys(pdf.picture(pieces[name], page, tmp_path, dpi=40)), page


@pytest.mark.parametrize("name", list(PAPER))
def test_type_is_large(pieces: dict[str, Path], name: str) -> None:
    heights = pdf.word_heights(pieces[name])
    assert min(heights) >= SMALLEST_POINTS * pdf.BOX_PER_POINT
    assert max(heights) >= HEADLINE_POINTS[name] * pdf.BOX_PER_POINT


def _downloads(soup: BeautifulSoup) -> dict[str, str]:
    return {a["href"].rsplit("/", 1)[-1]: a.parent.get_text(" ", strip=True) for a in soup.select("ul.downloads a[href$='.pdf']")}  # fmt: skip


def test_the_campaign_page_offers_each_piece_with_its_size(
    output: Path, pieces: dict[str, Path]
) -> None:
    page = output / "kampanye" / SLUG / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    listed = _downloads(soup)
    assert sorted(listed) == sorted(PAPER)
    for name, line in listed.items():
        size = Download(name, name, pieces[name].stat().st_size, "application/pdf").size_text("id")
        assert f"(PDF, {size})" in line, line
    for link in soup.select("ul.downloads a[href$='.pdf']"):
        assert link["type"] == "application/pdf"
        assert (page.parent / link["href"]).resolve() == pieces[link["href"].rsplit("/", 1)[-1]]


@pytest.mark.parametrize("press", ["ruang-media", "en/ruang-media"])
def test_the_press_room_links_every_piece(
    output: Path, pieces: dict[str, Path], press: str
) -> None:
    page = output / press / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    links = soup.select("ul.downloads a[href$='.pdf'][href*='/cetak/']")
    assert sorted(a["href"].rsplit("/", 1)[-1] for a in links) == sorted(PAPER)
    for link in links:
        assert (page.parent / link["href"]).resolve() == pieces[link["href"].rsplit("/", 1)[-1]]
