"""The build's social image variants: the shapes platforms ask for (Instagram's square and
4:5), the whole picture kept, made once per image content, listed in syndication.json."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image

from publisher.engine.sources import shaped_on_site
from publisher.platforms.media import variant_path
from publisher.site import social_variants


def picture(path: Path, size: tuple[int, int] = (400, 200)) -> Path:
    """Red, with a green band at the left edge and a blue one at the right."""
    image = Image.new("RGB", size, (200, 0, 0))
    for x in range(10):
        for y in range(size[1]):
            image.putpixel((x, y), (0, 200, 0))
            image.putpixel((size[0] - 1 - x, y), (0, 0, 200))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path


def close(pixel: tuple[int, ...], color: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(pixel, color, strict=False))


def test_every_shape_keeps_the_whole_picture(tmp_path: Path) -> None:
    picture(tmp_path / "content/images/poster.png")
    made = social_variants.make(["images/poster.png"], tmp_path / "content", tmp_path / "out", None)

    assert made == {
        "images/poster.png": {
            "1:1": "social/1x1/images/poster.png.jpg",
            "4:5": "social/4x5/images/poster.png.jpg",
        }
    }
    for aspect, size in (("1:1", (1080, 1080)), ("4:5", (1080, 1350))):
        file = tmp_path / "out" / made["images/poster.png"][aspect]
        with Image.open(file) as shaped:
            assert (shaped.format, shaped.size) == ("JPEG", size)
            middle = size[1] // 2
            # Both edges of the picture are there (fitted, not cropped), in the middle.
            assert close(shaped.getpixel((5, middle)), (0, 200, 0))
            assert close(shaped.getpixel((size[0] - 6, middle)), (0, 0, 200))
            assert close(shaped.getpixel((size[0] // 2, middle)), (200, 0, 0))
            # Above and below it, the picture's own average colour.
            top = shaped.getpixel((size[0] // 2, 5))
            assert close(top, (180, 10, 10)) and not close(top, (255, 255, 255))


def test_each_image_is_drawn_once_per_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = picture(tmp_path / "content/images/poster.png")
    cache = tmp_path / "cache"
    social_variants.make(["images/poster.png"], tmp_path / "content", tmp_path / "one", cache)
    drawn: list[Path] = []
    real = social_variants._draw
    monkeypatch.setattr(social_variants, "_draw", lambda f, a, t: drawn.append(f) or real(f, a, t))

    social_variants.make(["images/poster.png"], tmp_path / "content", tmp_path / "two", cache)
    assert drawn == [] and (tmp_path / "two/social/1x1/images/poster.png.jpg").is_file()
    picture(source, (300, 300))  # edited: drawn again
    social_variants.make(["images/poster.png"], tmp_path / "content", tmp_path / "three", cache)
    assert len(drawn) == 2
    with Image.open(tmp_path / "three/social/1x1/images/poster.png.jpg") as shaped:
        assert close(shaped.getpixel((540, 5)), (200, 0, 0))  # a square picture fills it


def test_an_unreadable_image_gets_no_variant(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = tmp_path / "content/images/broken.png"
    broken.parent.mkdir(parents=True)
    broken.write_text("<html>not a picture</html>")
    with caplog.at_level(logging.WARNING):
        made = social_variants.make(["images/broken.png"], tmp_path / "content", tmp_path, None)
    assert made == {} and "no social image variants made" in caplog.text
    assert not (tmp_path / "social/1x1/images/broken.png.jpg").exists()


def test_the_names_are_fixed_so_calendar_images_are_found_too() -> None:
    assert variant_path("/images/kampanye/a.png", "4:5") == "social/4x5/images/kampanye/a.png.jpg"
    assert dict(shaped_on_site("{static}/images/a.png", "https://tppo.example.go.id")) == {
        "1:1": "https://tppo.example.go.id/social/1x1/images/a.png.jpg",
        "4:5": "https://tppo.example.go.id/social/4x5/images/a.png.jpg",
    }
    assert shaped_on_site("images/a.png", "") == ()


def test_the_built_site_lists_and_holds_every_variant(output: Path) -> None:
    doc = json.loads((output / "feeds/syndication.json").read_text())
    for record in doc["items"]:
        variants = record["image"]["variants"]
        assert set(variants) == {"1:1", "4:5"}, record["uid"]
        for aspect, url in variants.items():
            file = output / urlsplit(url).path.lstrip("/")
            with Image.open(file) as shaped:
                assert shaped.size == social_variants.size_of(aspect), url
    # A calendar post's picture, found by name (tests/fixtures campaigns have posts with one).
    calendar = list((output / "social/1x1/images/kampanye").glob("*.png.jpg"))
    assert calendar
