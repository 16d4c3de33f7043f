"""Pictures sized for the phone that asks for them (Pelican plugin part).

Every PNG and JPEG the build publishes (images of live items, campaigns, the default social
card) gets variants (site/image_variants.py): a few widths in AVIF and WebP, written beside
the original. Then every page's `<img>` of such a file, whichever template or Markdown body
wrote it, is rendered as a `<picture>`: a `<source>` per format with `srcset` and `sizes`,
and the original `<img>` as the fallback, with the original's real width and height, its
alt text, `decoding="async"`, and `loading="lazy"` for every image but the first one of the
page's main content (the one most likely in the first screen, and often the largest paint).
The Open Graph card names a SOCIAL_WIDTH copy in the original's format when the original
is wider, with its size. SVG stays SVG.

Go-live: variants are made only of the static files Pelican publishes, after the go-live
rule removed those of items not live yet (site/golive_files.py), and the build's sweep
removes a held file's variants like its compressed twins.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pelican import signals

from publisher.site import run
from publisher.site.image_variants import RASTER, Variant, VariantCache, Variants

DATA_KEY = "pictures"  # BuildRun.data[DATA_KEY]: {site path of the original: Picture}
SETTING = "RESPONSIVE_IMAGES"  # False: pictures are published as they are
# Where the variants are kept between builds: var/cache/images/ of the project, unless this
# variable names another folder (the tests share one cache between their many projects).
CACHE_VARIABLE = "PUBLISHER_IMAGE_CACHE"
# The content column (site.css: main max-width 42rem with .75rem padding each side): the
# widest an image is shown, so the browser picks the smallest variant that fills it.
COLUMN_PX = 648
VARIANT_NAME = re.compile(r"^(?P<stem>.+)-(?P<width>\d+)w\.(?:avif|webp|png|jpe?g)$")
_IMG = re.compile(r"<img\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_OG_IMAGE = re.compile(r'<meta property="og:image" content="([^"]*)">')


@dataclass(frozen=True)
class Picture:
    path: str  # the original's path in the site, e.g. images/kampanye/card.png
    variants: Variants

    def sizes(self) -> str:
        """How wide it is shown: the column, or less if the original is narrower."""
        if self.variants.width >= COLUMN_PX:
            return f"(min-width: 42rem) {COLUMN_PX}px, calc(100vw - 1.5rem)"
        return f"min({self.variants.width}px, calc(100vw - 1.5rem))"


def original_of(name: str) -> list[str]:
    """The originals a file name could be a variant of (`x-640w.avif` -> x.png, x.jpg...)."""
    folder, base = posixpath.split(name)
    found = VARIANT_NAME.match(base)
    if not found:
        return []
    return [posixpath.join(folder, found["stem"] + ext) for ext in RASTER]


# --- making the variants --------------------------------------------------------------


def _make_variants(generators: list[Any]) -> None:
    """After every generator has its context (so the go-live rule has removed the static
    files of items not live), before any page is written."""
    statics = [g for g in generators if hasattr(g, "staticfiles")]
    if not statics:
        return
    settings = statics[0].settings
    build = run.of(settings)
    pictures: dict[str, Picture] = {}
    build.data[DATA_KEY] = pictures
    if not settings.get(SETTING, True):
        return
    cache = VariantCache(
        Path(os.environ.get(CACHE_VARIABLE) or build.project.var / "cache" / "images")
    )
    for generator in statics:
        output = Path(generator.output_path)
        for static in generator.staticfiles:
            name = static.save_as
            if Path(name).suffix.lower() not in RASTER or name in pictures:
                continue
            try:
                data = Path(static.source_path).read_bytes()
            except OSError:
                continue  # Pelican reports a missing file itself
            entry = cache.entry(data, name)
            if entry is None:
                continue  # not an image Pillow can read: shown as it is
            folder, variants, temporary = entry
            target = output / posixpath.dirname(name)
            target.mkdir(parents=True, exist_ok=True)
            social = (variants.social,) if variants.social else ()
            for variant in (*variants.responsive, *social):
                _place(folder / variant.name, target / variant.name)
            if temporary:
                shutil.rmtree(folder, ignore_errors=True)
            pictures[name] = Picture(name, variants)


def _place(source: Path, target: Path) -> None:
    """A hard link where the cache and the output share a disk (no copy), else a copy."""
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# --- rendering pages with them ----------------------------------------------------------


class _Rewriting:
    """A template whose every page comes out with its pictures (the writer's render)."""

    def __init__(self, template: Any, pictures: dict[str, Picture]) -> None:
        self.template = template
        self.pictures = pictures

    def render(self, *args: Any, **kwargs: Any) -> str:
        return rewrite(self.template.render(*args, **kwargs), self.pictures)


def rewriting(template: Any, settings: dict[str, Any]) -> Any:
    """`template`, or one that renders pictures, when the build has any."""
    pictures = run.of(settings).data.get(DATA_KEY)
    return _Rewriting(template, pictures) if pictures else template


def _find(url: str, pictures: dict[str, Picture]) -> Picture | None:
    """The picture a src names, whatever the prefix (absolute SITEURL, `../..`, `/`)."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    parts = path.split("/")
    for start in range(len(parts) - 1, -1, -1):
        found = pictures.get("/".join(parts[start:]))
        if found is not None:
            return found
    return None


def _attributes(tag: str) -> list[tuple[str, str | None]]:
    inner = tag[4:].rstrip(">").rstrip().rstrip("/")
    found = []
    for match in _ATTR.finditer(inner):
        value = next((v for v in match.groups()[1:] if v is not None), None)
        found.append((match.group(1).lower(), value))
    return found


def _tag(name: str, attributes: list[tuple[str, str | None]]) -> str:
    text = "".join(
        f" {key}" if value is None else f' {key}="{value.replace(chr(34), "&quot;")}"'
        for key, value in attributes
    )
    return f"<{name}{text}>"


def _srcset(url: str, variants: tuple[Variant, ...]) -> str:
    folder = url.rsplit("/", 1)[0] + "/" if "/" in url else ""
    return ", ".join(f"{folder}{v.name} {v.width}w" for v in variants)


def _picture(attributes: list[tuple[str, str | None]], picture: Picture, eager: bool) -> str:
    src = html.unescape(dict(attributes).get("src") or "")
    replaced = ("width", "height", "loading", "decoding", "fetchpriority")
    keep = [(k, v) for k, v in attributes if k not in replaced]
    size = [("width", str(picture.variants.width)), ("height", str(picture.variants.height))]
    # The first picture of the page is often its largest paint: fetched first, not lazily.
    timing = [("decoding", "async")] + (
        [("fetchpriority", "high")] if eager else [("loading", "lazy")]
    )
    img = _tag("img", keep + size + timing)
    by_type: dict[str, list[Variant]] = {}
    for variant in picture.variants.responsive:
        by_type.setdefault(variant.mime, []).append(variant)
    sizes = picture.sizes()
    sources = []
    for mime, found in by_type.items():
        srcset = html.escape(_srcset(src, tuple(found)))
        sources.append(_tag("source", [("type", mime), ("srcset", srcset), ("sizes", sizes)]))
    return f"<picture>{''.join(sources)}{img}</picture>"


def rewrite(page: str, pictures: dict[str, Picture]) -> str:
    """Every `<img>` of a published raster image as a `<picture>`; the first image of the
    main content eager, the others lazy; the social card at SOCIAL_WIDTH with its size."""
    if "<img" not in page and 'property="og:image"' not in page:
        return page
    main = page.find("<main")
    first = [True]

    def one(match: re.Match[str]) -> str:
        tag = match.group(0)
        if main == -1 or match.start() < main:
            return tag
        eager, first[0] = first[0], False
        attributes = _attributes(tag)
        opened = page.rfind("<picture", 0, match.start())
        picture = _find(html.unescape(dict(attributes).get("src") or ""), pictures)
        if picture is None or opened > page.rfind("</picture>", 0, match.start()):
            # Not one of ours (SVG, another site), or already a <picture>: timing only.
            keep = [(k, v) for k, v in attributes if k not in ("loading", "decoding")]
            timing = [("decoding", "async")] + ([] if eager else [("loading", "lazy")])
            return _tag("img", keep + timing)
        return _picture(attributes, picture, eager)

    page = _IMG.sub(one, page)
    return _OG_IMAGE.sub(lambda m: _social(m.group(1), pictures), page, count=1)


def _social(url: str, pictures: dict[str, Picture]) -> str:
    picture = _find(html.unescape(url), pictures)
    card = None if picture is None else picture.variants.social
    width = height = None
    if card is not None:
        url = html.escape(url.rsplit("/", 1)[0] + "/" + card.name)
        width, height = card.width, card.height
    elif picture is not None:
        width, height = picture.variants.width, picture.variants.height
    tag = f'<meta property="og:image" content="{url}">'
    if width is None:
        return tag
    return (
        f'{tag}\n<meta property="og:image:width" content="{width}">'
        f'\n<meta property="og:image:height" content="{height}">'
    )


def register() -> None:
    signals.all_generators_finalized.connect(_make_variants)
