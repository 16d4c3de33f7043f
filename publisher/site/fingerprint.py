"""Pelican plugin: fingerprint the theme's CSS and JS in a production build.

`theme/css/site.css` becomes `theme/css/site.<10 hex of sha256>.css` and every HTML page is
rewritten to name the new file. Why: a fingerprinted file never changes under its name, so
browsers may keep it for a year (`immutable`) while HTML stays short-lived, and a page always
names the exact CSS and JS it was built with, so no page is ever styled by another release.

The list of fingerprinted files goes to `theme/fingerprinted.txt`; `publisher deploy` reads
it to keep the assets of earlier releases reachable while a switch is in flight.

Enabled only by `FINGERPRINT_ASSETS = True` (publishconf.py). Pelican connects plugin
signals for the life of the process, so the handler checks the setting of the build it is
called for: a development build in the same process is left alone.

Limits: only `.css` and `.js` files under `theme/` are renamed, and references are rewritten
in `.html` files only; a CSS file that `@import`s another CSS file would break.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import blinker
from pelican.plugins import granular_signals

SETTING = "FINGERPRINT_ASSETS"
EXTENSIONS = (".css", ".js")
MANIFEST = "theme/fingerprinted.txt"
HASH_LENGTH = 10
# What a fingerprinted name looks like (the web server config matches the same shape).
FINGERPRINTED = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}\.(?:css|js)$")


def fingerprint_output(output: Path) -> dict[str, str]:
    """Rename the theme's CSS and JS by content hash and rewrite the pages that name them.

    Returns {old path: new path}, both relative to `output`, in POSIX form.
    """
    theme = output / "theme"
    renames: dict[str, str] = {}
    if theme.is_dir():
        for path in sorted(theme.rglob("*")):
            if (
                not path.is_file()
                or path.suffix not in EXTENSIONS
                or FINGERPRINTED.search(path.name)
            ):
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
            new = path.with_name(f"{path.stem}.{digest}{path.suffix}")
            path.rename(new)
            renames[path.relative_to(output).as_posix()] = new.relative_to(output).as_posix()
    if renames:
        _rewrite_pages(output, renames)
    manifest = output / MANIFEST
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text("".join(f"{new}\n" for new in sorted(renames.values())), "utf-8")
    return renames


def _rewrite_pages(output: Path, renames: dict[str, str]) -> None:
    # A reference is the old path right after a "/" (absolute SITEURL, "/" or "./" prefix)
    # and right before the end of the URL; "site.css" inside "mysite.css" is left alone.
    names = "|".join(re.escape(old) for old in sorted(renames, key=len, reverse=True))
    pattern = re.compile(rf"(?<=/)({names})(?=[\"'?#)\s>])")
    for page in output.rglob("*.html"):
        text = page.read_text("utf-8")
        rewritten = pattern.sub(lambda match: renames[match.group(1)], text)
        if rewritten != text:
            page.write_text(rewritten, "utf-8")


def _on_minify(pelican: object) -> None:
    settings = getattr(pelican, "settings", {})
    if settings.get(SETTING):
        fingerprint_output(Path(settings["OUTPUT_PATH"]))


def register() -> None:
    # The granular "minify" signal is sent after every `finalized` receiver (so every page is
    # written, whichever plugin wrote it) and before "compress" (so the .gz/.br twins are made
    # of the renamed, rewritten files).
    granular_signals.register()
    blinker.signal("minify").connect(_on_minify)
