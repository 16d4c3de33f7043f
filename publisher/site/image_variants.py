"""Responsive variants of one raster image: a few widths in AVIF and WebP, made with Pillow.

A picture on a cheap phone should cost what the phone shows, not the 1200-pixel original:
each PNG or JPEG the site publishes is made at the widths of WIDTHS that are narrower than
the original (and at the original's own width), in AVIF and in WebP; the original stays as
the fallback. An original wider than SOCIAL_WIDTH also gets a SOCIAL_WIDTH copy in its own
format, for the social cards (every platform reads PNG and JPEG, not all read AVIF).

Encoding costs far more than the rest of a build, so the variants are kept in a cache
folder (var/cache/images/) by the original's content hash and the encoder settings: a
rebuild copies them instead of encoding again. Nothing is read from the network; a file
Pillow cannot read gets no variants (the original is shown as it is).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError, features

RASTER = (".png", ".jpg", ".jpeg")
# What phones ask for: a 360-px phone at 1x, most phones at 1.75-2x (a column of 336-388
# CSS px), 3x phones and desktops (the 648-px column at 2x). Never wider than the original.
WIDTHS = (360, 720, 1200)
SOCIAL_WIDTH = 1200  # Open Graph cards: 1200 wide, the size every platform recommends
# (format, file extension, MIME type, Pillow save options). AVIF first: the browser takes
# the first <source> whose type it supports. Speed 8 keeps a cold build of many photos short.
FORMATS = (
    ("AVIF", ".avif", "image/avif", {"quality": 55, "speed": 8}),
    ("WEBP", ".webp", "image/webp", {"quality": 78, "method": 4}),
)
CACHE_VERSION = "1"  # bump when the variants made from the same bytes change


@dataclass(frozen=True)
class Variant:
    name: str  # file name, beside the original (`<stem>-<width>w.<ext>`)
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Variants:
    """What was made of one original (names only: the files are in the cache folder)."""

    width: int  # the original's size, for the <img> width and height
    height: int
    responsive: tuple[Variant, ...]  # AVIF and WebP, narrow to wide
    social: Variant | None = None  # SOCIAL_WIDTH wide in the original's format, if narrower


def formats() -> tuple[tuple[str, str, str, dict], ...]:
    """The modern formats this Pillow can write (a build without AVIF support keeps WebP)."""
    return tuple(f for f in FORMATS if features.check(f[0].lower()))


def variant_name(original: str, width: int, extension: str) -> str:
    """`photo.png` at 640 in AVIF -> `photo-640w.avif` (same folder)."""
    stem = original.rsplit(".", 1)[0]
    return f"{stem}-{width}w{extension}"


def settings_key() -> str:
    """Everything besides the original's bytes that decides the variants' bytes."""
    used = [(name, ext, opts) for name, ext, _mime, opts in formats()]
    return json.dumps([CACHE_VERSION, Image.__version__, WIDTHS, SOCIAL_WIDTH, used])


def _widths(original_width: int) -> list[int]:
    widths = [w for w in WIDTHS if w < original_width]
    return [*widths, original_width] if original_width <= WIDTHS[-1] else widths


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    # A phone photo stored sideways with an EXIF turn: the variants are the right way up
    # (and carry no EXIF: neither the camera's data nor a location leaves in them).
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert(
            "RGBA" if "transparency" in image.info or "A" in image.mode else "RGB"
        )
    return image


def _resized(image: Image.Image, width: int) -> Image.Image:
    if width == image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def encode(data: bytes, original: str, folder: Path) -> Variants | None:
    """Write every variant of `original` (its bytes `data`) into `folder`, named as
    variant_name() says; None when Pillow cannot read it."""
    try:
        image = _open(data)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    icc = image.info.get("icc_profile")
    made = []
    for width in _widths(image.width):
        resized = _resized(image, width)
        for name, extension, mime, options in formats():
            file = variant_name(Path(original).name, width, extension)
            extra = {"icc_profile": icc} if icc else {}
            resized.save(folder / file, name, **options, **extra)
            made.append(Variant(file, width, resized.height, mime))
    social = None
    if image.width > SOCIAL_WIDTH:
        suffix = Path(original).suffix.lower()
        kind = "PNG" if suffix == ".png" else "JPEG"
        card = _resized(image, SOCIAL_WIDTH)
        if kind == "JPEG":
            card = card.convert("RGB")
        file = variant_name(Path(original).name, SOCIAL_WIDTH, suffix)
        options = {"optimize": True} if kind == "PNG" else {"quality": 85, "optimize": True}
        card.save(folder / file, kind, **options)
        mime = "image/png" if kind == "PNG" else "image/jpeg"
        social = Variant(file, SOCIAL_WIDTH, card.height, mime)
    return Variants(image.width, image.height, tuple(made), social)


def _to_json(found: Variants) -> str:
    def one(v: Variant | None) -> list | None:
        return None if v is None else [v.name, v.width, v.height, v.mime]

    return json.dumps(
        {"width": found.width, "height": found.height,
         "responsive": [one(v) for v in found.responsive], "social": one(found.social)}
    )  # fmt: skip


def _from_json(text: str) -> Variants:
    data = json.loads(text)

    def one(v: list | None) -> Variant | None:
        return None if v is None else Variant(str(v[0]), int(v[1]), int(v[2]), str(v[3]))

    responsive = tuple(v for v in (one(x) for x in data["responsive"]) if v is not None)
    return Variants(int(data["width"]), int(data["height"]), responsive, one(data["social"]))


class VariantCache:
    """Variants by the original's content hash, in `folder` (var/cache/images/ of the
    project). Entries are written to a temporary folder and renamed, so a build that was
    killed never leaves half an entry; an unwritable cache folder just means no cache."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.key = settings_key()
        self.encoded = 0  # originals encoded by this cache (a rebuild of unchanged ones: 0)

    def entry(self, data: bytes, original: str) -> tuple[Path, Variants, bool] | None:
        """(the folder holding the variants, what they are, is that folder temporary: the
        caller removes it once copied), encoding only on a miss."""
        digest = hashlib.blake2b(data + self.key.encode(), digest_size=16).hexdigest()
        # The name is part of the key: the variants are named after the original's stem.
        name = hashlib.blake2b(Path(original).name.encode(), digest_size=4).hexdigest()
        if self.folder is not None:
            home = self.folder / digest[:2] / f"{digest}-{name}"
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                return home, _from_json((home / "variants.json").read_text("utf-8")), False
        fresh = self._fresh_folder()
        found = encode(data, original, fresh)
        self.encoded += 1
        if found is None:
            shutil.rmtree(fresh, ignore_errors=True)
            return None
        (fresh / "variants.json").write_text(_to_json(found), "utf-8")
        if self.folder is None:
            return fresh, found, True
        try:
            home.parent.mkdir(parents=True, exist_ok=True)
            os.rename(fresh, home)
        except OSError:  # another build stored it first, or the cache is not writable
            if (home / "variants.json").is_file():
                shutil.rmtree(fresh, ignore_errors=True)
                return home, found, False
            return fresh, found, True
        return home, found, False

    def _fresh_folder(self) -> Path:
        if self.folder is not None:
            with contextlib.suppress(OSError):
                self.folder.mkdir(parents=True, exist_ok=True)
                return Path(tempfile.mkdtemp(prefix=".new-", dir=self.folder))
        return Path(tempfile.mkdtemp(prefix="publisher-images-"))
