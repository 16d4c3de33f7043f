"""Reading printed pieces back as a person or a phone would: poppler's tools and zxing-cpp.

pdftotext gives the words, pdfinfo the page sizes, pdffonts the fonts, pdftoppm the page as
a picture, from which zxing-cpp reads the QR code. Debian's poppler-utils provides the tools
(`make test` installs it: SYSTEM_PACKAGES in the Makefile).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image, ImageChops

from publisher.content import hotlines
from tests.support import ROOT

HOTLINES = ROOT / "data" / "hotlines.yaml"
SLUG = "hari-dunia-anti-perdagangan-orang-2027"
# A word's box is about 1.36 times its type size in Noto Sans (ascent plus descent).
BOX_PER_POINT = 1.36


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


def text_of(pdf: Path, raw: bool = False) -> str:
    """The words; `raw`: in the order they are drawn (the HTML's order), else laid out."""
    return _run("pdftotext", "-raw" if raw else "-layout", str(pdf), "-")


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Every page's (width, height) in points."""
    pages = int(re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", str(pdf)), re.M).group(1))
    info = _run("pdfinfo", "-f", "1", "-l", str(pages), str(pdf))
    sizes = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    return [(float(w), float(h)) for w, h in sizes]


@dataclass(frozen=True)
class Font:
    name: str  # without the subset prefix, e.g. Noto-Sans-Bold
    embedded: bool


def fonts_of(pdf: Path) -> list[Font]:
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    fonts = []
    for row in rows:
        parts = row.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, id
        fonts.append(Font(parts[0].split("+", 1)[-1], parts[-5] == "yes"))
    return fonts


def word_heights(pdf: Path) -> list[float]:
    """The height of every word's box, in points: the type size times BOX_PER_POINT."""
    boxes = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', _run("pdftotext", "-bbox", str(pdf), "-"))  # fmt: skip
    return [float(bottom) - float(top) for top, bottom in boxes]


def picture(pdf: Path, page: int, folder: Path, dpi: int = 150) -> Image.Image:
    """One page as pdftoppm draws it (the way a printer's driver would)."""
    prefix = folder / f"{pdf.stem}-{page}"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page),
         str(pdf), str(prefix)],
        check=True, timeout=120,
    )  # fmt: skip
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def qr_codes(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format.name == "QRCode"]


def only_greys(image: Image.Image) -> bool:
    """True when no pixel has a colour: red, green and blue are equal everywhere."""
    red, green, blue = image.split()
    return not ImageChops.difference(red, green).getbbox() and not ImageChops.difference(green, blue).getbbox()  # fmt: skip


# An oracle of its own, apart from the site's guard (publisher/content/phones.py): an
# Indonesian number (0…, +62…, 62…) of at least 7 digits, or 3-5 digits after a word that
# announces a number ("telepon 110").
_LONG_NUMBER = re.compile(r"(?<![\w+])(?:\+62|62|\(0|0)[\d().\- ]{4,}\d")
_SHORT_NUMBER = re.compile(
    r"\b(?:telepon|telp|tel|hubungi|panggil|call|phone|sms|wa|whatsapp|hotline|nomor|no|sapa)"
    r"[\s.:*_]*(\d{3,5})\b",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"^\d{1,4}[-./ ]\d{1,2}[-./ ]\d{1,4}$")


def find_phone_numbers(text: str) -> list[tuple[int, str]]:
    """Phone-looking strings in `text`: (index, as written)."""
    found: list[tuple[int, str]] = []
    for match in _LONG_NUMBER.finditer(text):
        raw = match.group(0).strip(" .-(")
        if sum(ch.isdigit() for ch in raw) >= 7 and not _DATE_LIKE.match(raw):
            found.append((match.start(), raw))
    covered = [(i, i + len(r)) for i, r in found]
    for match in _SHORT_NUMBER.finditer(text):
        start = match.start(1)
        if not any(a <= start < b for a, b in covered):
            found.append((start, match.group(1)))
    return sorted(found)


def phone_numbers(text: str) -> set[str]:
    """Digits of everything in `text` that looks like a phone number (the check's rule)."""
    return {hotlines.digits(raw) for _, raw in find_phone_numbers(text)}


def short_numbers(text: str) -> set[str]:
    """Every other standalone number of 3 to 5 digits, wherever it stands (110, a year)."""
    for index, raw in reversed(find_phone_numbers(text)):
        text = text[:index] + " " + text[index + len(raw) :]
    return set(re.findall(r"(?<![\d./-])\d{3,5}(?![\d./-])", text))


# --- a project of its own, for the commands and the cache ---

SAMPLE = ROOT / "campaigns" / f"{SLUG}.md"


def sample_text(print_yaml: str | None = None) -> str:
    """The sample campaign's file, with another `print:` section (None: without one)."""
    text = SAMPLE.read_text(encoding="utf-8")
    start, end = text.index("print:\n"), text.index("\nposts:")
    return text[:start] + (print_yaml.rstrip("\n") + "\n" if print_yaml else "") + text[end:]


def print_block() -> str:
    """The sample's `print:` section as it is written."""
    text = SAMPLE.read_text(encoding="utf-8")
    return text[text.index("print:\n") : text.index("\nposts:")]


def make_project(tmp: Path, campaign: str | None = None) -> Path:
    """A project beside the real one: its settings, theme and content, a copy of its data,
    and one campaign (the sample unless `campaign` is given)."""
    tmp.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        (tmp / name).write_bytes((ROOT / name).read_bytes())
    for name in ("theme", "content"):
        (tmp / name).symlink_to(ROOT / name)
    (tmp / "data").mkdir()
    for path in (ROOT / "data").iterdir():
        (tmp / "data" / path.name).write_bytes(path.read_bytes())
    (tmp / "campaigns").mkdir()
    (tmp / "campaigns" / f"{SLUG}.md").write_text(campaign or sample_text(print_block()))
    return tmp
