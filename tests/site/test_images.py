"""Responsive pictures (issue 21, section 1): variants made, cached, referenced, lazy below
the fold, social cards, SVG untouched, and go-live for variants too."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from publisher.core.timeutil import parse_time
from publisher.site import image_variants, images
from publisher.site.build import build_site
from publisher.site.image_variants import VariantCache, variant_name
from publisher.site.images import Picture, rewrite
from tests.support import ROOT

CAMPAIGN = "kampanye/hari-dunia-anti-perdagangan-orang-2027/index.html"
CARD = "images/kampanye/hari-dunia-anti-perdagangan-orang-2027"


def png(width: int, height: int, colour: tuple[int, int, int] = (11, 61, 98)) -> bytes:
    image = Image.new("RGB", (width, height), colour)
    for x in range(0, width, 7):  # some detail, so the encoders have work to do
        image.putpixel((x, x * height // width), (255, 213, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def srcset_files(page: str) -> list[str]:
    """Every URL named by a srcset of the page."""
    found = []
    for value in re.findall(r'srcset="([^"]*)"', page):
        found += [part.strip().split(" ")[0] for part in value.split(",")]
    return found


# --- the variants ---


def test_variants_at_each_narrower_width_in_each_format(tmp_path: Path) -> None:
    made = image_variants.encode(png(1500, 750), "images/foto.png", tmp_path)
    assert made is not None and (made.width, made.height) == (1500, 750)
    widths = sorted({v.width for v in made.responsive})
    assert widths == [360, 720, 1200]
    assert {v.mime for v in made.responsive} == {"image/avif", "image/webp"}
    for variant in made.responsive:
        with Image.open(tmp_path / variant.name) as image:
            assert image.size == (variant.width, variant.height)
            assert image.format == {"image/avif": "AVIF", "image/webp": "WEBP"}[variant.mime]
        assert variant.height == round(750 * variant.width / 1500)
    # Wider than a social card: a 1200-wide copy in its own format, for every platform.
    assert made.social is not None and made.social.name == "foto-1200w.png"
    with Image.open(tmp_path / made.social.name) as card:
        assert card.format == "PNG" and card.size == (1200, 600)


def test_a_narrow_image_is_never_enlarged(tmp_path: Path) -> None:
    made = image_variants.encode(png(300, 200), "images/kecil.png", tmp_path)
    assert made is not None and made.social is None
    assert {v.width for v in made.responsive} == {300}


def test_a_photo_turned_by_exif_is_upright_and_loses_its_exif(tmp_path: Path) -> None:
    image = Image.new("RGB", (400, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to show
    exif[0x010F] = "KameraUji"  # the camera's make: must not travel with the variants
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    made = image_variants.encode(out.getvalue(), "images/foto.jpg", tmp_path)
    assert made is not None and (made.width, made.height) == (200, 400)
    for variant in made.responsive:
        data = (tmp_path / variant.name).read_bytes()
        assert b"KameraUji" not in data
        with Image.open(tmp_path / variant.name) as shown:
            assert shown.height > shown.width


def test_a_file_that_is_no_image_gets_no_variants(tmp_path: Path) -> None:
    assert image_variants.encode(b"not a picture", "images/rusak.png", tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_the_cache_encodes_once_per_content(tmp_path: Path) -> None:
    cache = VariantCache(tmp_path / "cache")
    first = cache.entry(png(800, 400), "images/a.png")
    again = VariantCache(tmp_path / "cache").entry(png(800, 400), "images/a.png")
    assert first is not None and again is not None and cache.encoded == 1
    assert again[0] == first[0] and again[1] == first[1] and not again[2]
    other = cache.entry(png(800, 400, (0, 0, 0)), "images/a.png")
    assert cache.encoded == 2 and other is not None and other[0] != first[0]
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".new-")]


# --- pages ---

PICTURES = {
    "images/foto.png": Picture(
        "images/foto.png",
        image_variants.Variants(
            1600,
            800,
            tuple(
                image_variants.Variant(variant_name("foto.png", w, ext), w, w // 2, mime)
                for w in (360, 720, 1200)
                for ext, mime in ((".avif", "image/avif"), (".webp", "image/webp"))
            ),
            image_variants.Variant("foto-1200w.png", 1200, 600, "image/png"),
        ),
    )
}


def test_every_img_of_a_picture_becomes_a_picture_first_eager_then_lazy() -> None:
    page = (
        '<html><head><meta property="og:image" content="https://situs.go.id/images/foto.png">'
        '</head><body><header><img src="../images/foto.png" alt="logo"></header><main>'
        '<figure><img src="../images/foto.png" alt="Foto &quot;satu&quot;" width="640" '
        'height="360" loading="lazy"></figure><p>Teks.</p>'
        '<img alt="Diagram" src="../images/diagram.svg">'
        '<img src="../images/foto.png" alt="Foto dua"></main></body></html>'
    )
    out = rewrite(page, PICTURES)
    # Outside the main content: left as it is.
    assert '<header><img src="../images/foto.png" alt="logo"></header>' in out
    pictures = re.findall(r"<picture>.*?</picture>", out)
    assert len(pictures) == 2
    first, second = pictures
    assert '<source type="image/avif" srcset="../images/foto-360w.avif 360w, ' in first
    assert "../images/foto-1200w.webp 1200w" in first
    assert 'sizes="(min-width: 42rem) 648px, calc(100vw - 1.5rem)"' in first
    # The original is the fallback, with its own size, its alt text, and no lazy loading.
    assert (
        '<img src="../images/foto.png" alt="Foto &quot;satu&quot;" width="1600" height="800" '
        'decoding="async" fetchpriority="high">'
    ) in first
    assert 'loading="lazy"' in second and "fetchpriority" not in second
    # SVG stays SVG, lazy as the second image of the page.
    assert '<img alt="Diagram" src="../images/diagram.svg" decoding="async" loading="lazy">' in out
    # The social card: the 1200-wide copy in the original's format, with its size.
    assert '<meta property="og:image" content="https://situs.go.id/images/foto-1200w.png">' in out
    assert '<meta property="og:image:width" content="1200">' in out


def test_the_project_site_serves_its_campaign_card_as_a_picture(output: Path) -> None:
    page = (output / CAMPAIGN).read_text(encoding="utf-8")
    picture = re.search(r"<picture>.*?</picture>", page)
    assert picture is not None
    for url in srcset_files(picture.group(0)):
        assert (output / CAMPAIGN).parent.joinpath(url).resolve().is_file(), url
    assert f"{CARD}-720w.avif 720w" in picture.group(0)
    assert f"{CARD}-720w.webp 720w" in picture.group(0)
    assert 'width="1200" height="630"' in picture.group(0)
    assert 'loading="lazy"' not in picture.group(0)  # the first picture: in the first screen
    # The social card stays the 1200-wide PNG, which every platform reads.
    assert f'content="http://127.0.0.1:8000/{CARD}.png">' in page


def test_svg_pictures_stay_svg_and_lower_ones_are_lazy(output: Path) -> None:
    page = (output / "siaran-pers/sp-2026-001/index.html").read_text(encoding="utf-8")
    tags = re.findall(r"<img\b[^>]*>", page)
    assert len(tags) >= 2 and all(".svg" in t for t in tags)
    assert "<picture>" not in page
    assert 'loading="lazy"' not in tags[0] and all('loading="lazy"' in t for t in tags[1:])


# --- builds: cache between builds, go-live ---

GO_LIVE = parse_time("2027-07-30 09:00")
NOT_LIVE = """---
id: foto-rahasia
title: Berita dengan foto yang belum tayang
date: 2027-07-30 09:00
summary: Berita dengan foto.
image:
  src: images/foto-rahasia-q8.png
  alt: Foto yang belum boleh tayang.
---
Isi berita.

![Foto di badan](/images/badan-rahasia-q8.jpg)
"""
LIVE = """---
id: foto-hidup
title: Berita dengan foto yang sudah tayang
date: 2026-10-01 09:00
summary: Berita dengan foto.
image:
  src: images/foto-hidup-q8.png
  alt: Foto yang sudah tayang.
---
Isi berita.
"""


def make_project(root: Path) -> Path:
    content = root / "content"
    (content / "berita").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "images", content / "images")
    shutil.copytree(ROOT / "content" / "files", content / "files")
    shutil.copytree(ROOT / "data", root / "data")
    (content / "berita" / "rahasia.md").write_text(NOT_LIVE, encoding="utf-8")
    (content / "berita" / "hidup.md").write_text(LIVE, encoding="utf-8")
    (content / "images" / "foto-rahasia-q8.png").write_bytes(png(900, 500, (1, 2, 3)))
    (content / "images" / "foto-hidup-q8.png").write_bytes(png(900, 500, (4, 5, 6)))
    jpeg = io.BytesIO()
    Image.new("RGB", (800, 600), (9, 9, 9)).save(jpeg, "JPEG")
    (content / "images" / "badan-rahasia-q8.jpg").write_bytes(jpeg.getvalue())
    settings = root / "siteconf.py"
    settings.write_text(
        f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\nexec(open(__file__).read())\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    return settings


def variants_of(output: Path, stem: str) -> list[str]:
    return sorted(
        p.relative_to(output).as_posix() for p in output.rglob(f"{stem}-*w.*") if p.is_file()
    )


def test_variants_of_an_item_not_live_yet_appear_only_at_go_live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(images.CACHE_VARIABLE, str(tmp_path / "cache"))
    settings = make_project(tmp_path)
    before = build_site(settings, tmp_path / "before", now=GO_LIVE - dt.timedelta(minutes=1))
    after = build_site(settings, tmp_path / "after", now=GO_LIVE)
    for stem in ("foto-rahasia-q8", "badan-rahasia-q8"):
        assert variants_of(before.output, stem) == []
        made = variants_of(after.output, stem)
        assert {Path(n).suffix for n in made} == {".avif", ".webp"}
    assert variants_of(before.output, "foto-hidup-q8")  # a live item's are there all along
    page = next(after.output.glob("berita/2027/*/index.html")).read_text(encoding="utf-8")
    named = srcset_files(page)
    assert any("foto-rahasia-q8-720w.avif" in url for url in named)
    assert any("badan-rahasia-q8-720w.avif" in url for url in named)  # the body's picture
    # The body picture is the second of the page: lazy.
    body = re.search(r"<picture>(?:(?!</picture>).)*badan-rahasia-q8.jpg[^>]*></picture>", page)
    assert body is not None and 'loading="lazy"' in body.group(0)


def test_the_sweep_removes_a_held_images_variants(tmp_path: Path) -> None:
    from publisher.site.golive_files import sweep

    for name in ("images/a.png", "images/a-360w.avif", "images/a-720w.webp", "images/b-360w.avif"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    removed = sweep(tmp_path, {"images/a.png"})
    assert removed == ["images/a-360w.avif", "images/a-720w.webp", "images/a.png"]
    assert (tmp_path / "images/b-360w.avif").exists()


def test_a_rebuild_does_not_encode_unchanged_images_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(images.CACHE_VARIABLE, str(tmp_path / "cache"))
    settings = make_project(tmp_path)
    encoded: list[str] = []
    real = image_variants.encode

    def counting(data: bytes, original: str, folder: Path):  # type: ignore[no-untyped-def]
        encoded.append(original)
        return real(data, original, folder)

    monkeypatch.setattr(image_variants, "encode", counting)
    build_site(settings, tmp_path / "one", now=GO_LIVE)
    assert "images/foto-hidup-q8.png" in encoded
    encoded.clear()
    second = build_site(settings, tmp_path / "two", now=GO_LIVE)
    assert encoded == []
    assert variants_of(second.output, "foto-hidup-q8")
    (settings.parent / "content/images/foto-hidup-q8.png").write_bytes(png(900, 500, (7, 7, 7)))
    build_site(settings, tmp_path / "three", now=GO_LIVE)
    assert encoded == ["images/foto-hidup-q8.png"]
