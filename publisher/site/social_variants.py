"""Each social image in the shapes some platforms ask for (Instagram: square or 4:5).

A platform that takes only certain shapes declares them (`image_aspects` in its SPEC). For
every image the publisher may post (an article's or release's social image, a calendar
post's image) the build writes one JPEG per shape at social/<w>x<h>/<path>.jpg (the names
are fixed by publisher.platforms.media.variant_path) and syndication.json records their
addresses (publisher.site.syndication_feed).

The whole picture is kept: it is fitted inside the shape on a background of its own average
colour, never cropped, so no word or hotline number on a poster is cut off. 1,080 pixels
wide (Instagram's feed width), sRGB JPEG (the one format Instagram takes). Each is made
once per image content and kept in var/cache/social/, so an unchanged image costs a copy.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

from publisher.platforms.catalog import SPECS
from publisher.platforms.media import variant_path

WIDTH = 1080
QUALITY = 88
VERSION = "1"  # part of the cache key: change it when the drawing changes
log = logging.getLogger(__name__)


def aspects() -> tuple[str, ...]:
    """Every shape some platform asks for, in the order the platforms are listed."""
    return tuple(dict.fromkeys(a for spec in SPECS.values() for a in spec.image_aspects))


def size_of(aspect: str) -> tuple[int, int]:
    across, down = (int(n) for n in aspect.split(":"))
    return WIDTH, round(WIDTH * down / across)


def make(
    sources: Iterable[str], content: Path, output: Path, cache: Path | None
) -> dict[str, dict[str, str]]:
    """Write the variants of each site path in `sources` (its file under `content`) into
    `output`; returns {path: {aspect: variant's site path}} for those made. An image that
    cannot be read is left out (and logged): no variant is promised that does not exist."""
    shapes = aspects()
    made: dict[str, dict[str, str]] = {}
    if not shapes:
        return made
    for src in dict.fromkeys(sources):
        file = content / src
        try:
            data = file.read_bytes()
            digest = hashlib.sha256(data + VERSION.encode()).hexdigest()[:24]
            for aspect in shapes:
                target = output / variant_path(src, aspect)
                target.parent.mkdir(parents=True, exist_ok=True)
                _one(file, aspect, target, cache, digest)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
            log.warning("%s: no social image variants made (%s)", file, exc)
            continue
        made[src] = {aspect: variant_path(src, aspect) for aspect in shapes}
    return made


def _one(file: Path, aspect: str, target: Path, cache: Path | None, digest: str) -> None:
    if cache is None:
        _draw(file, aspect, target)
        return
    kept = cache / f"{digest}-{aspect.replace(':', 'x')}.jpg"
    if not kept.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".variant-", suffix=".jpg", dir=cache)
        os.close(handle)
        try:
            _draw(file, aspect, Path(temp))
            os.replace(temp, kept)  # two builds at once never see half a file
        finally:
            Path(temp).unlink(missing_ok=True)
    shutil.copyfile(kept, target)


def _draw(file: Path, aspect: str, target: Path) -> None:
    size = size_of(aspect)
    with Image.open(file) as opened:
        picture = ImageOps.exif_transpose(opened)
        if picture.mode in ("RGBA", "LA", "P", "PA"):  # transparency: over white
            rgba = picture.convert("RGBA")
            picture = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        picture = picture.convert("RGB")
        background = tuple(int(c) for c in ImageStat.Stat(picture).mean[:3])
        canvas = Image.new("RGB", size, background)
        fitted = ImageOps.contain(picture, size, Image.Resampling.LANCZOS)
        canvas.paste(fitted, ((size[0] - fitted.width) // 2, (size[1] - fitted.height) // 2))
        canvas.save(target, "JPEG", quality=QUALITY, optimize=True)
