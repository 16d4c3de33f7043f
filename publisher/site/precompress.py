"""Pelican plugin: write `.br` and `.gz` twins of text files with pelican-precompress.

The web server then sends the twin as it is (nginx `brotli_static`/`gzip_static`), so no
request ever pays for compression and the best levels (brotli 11, gzip 9) are affordable.

We reuse pelican-precompress's compressors and per-file worker (skip tiny files, drop a twin
that is not smaller) but drive them here instead of registering that plugin directly:
- the plugin compresses in a `multiprocessing.Pool`, and our build plugins run no
  subprocesses (forking a threaded test or scheduler process can deadlock);
- Pelican keeps plugin signals connected for the life of the process, and that plugin
  compresses every later build; this one acts only when the build's own settings say
  `PRECOMPRESS_ENABLED = True` (publishconf.py), so a development build stays plain.
The plugin's own settings (PRECOMPRESS_BROTLI, PRECOMPRESS_GZIP, PRECOMPRESS_MIN_SIZE,
PRECOMPRESS_TEXT_EXTENSIONS) apply; zopfli and zstandard are off because nginx serves
neither as a static twin.
"""

from __future__ import annotations

from pathlib import Path

import blinker
from pelican.plugins import granular_signals
from pelican.plugins import precompress as upstream

SETTING = "PRECOMPRESS_ENABLED"


class _Instance:
    """The shape pelican-precompress reads its settings from."""

    def __init__(self, settings: dict) -> None:
        self.settings = settings


def precompress_output(settings: dict) -> list[Path]:
    """Write the twins for every text file under OUTPUT_PATH; returns the files considered."""
    options = upstream.get_settings(
        _Instance({**settings, "PRECOMPRESS_ZOPFLI": False, "PRECOMPRESS_ZSTANDARD": False})
    )
    formats = []
    if options["PRECOMPRESS_BROTLI"]:
        formats.append(
            ("brotli", ".br", upstream.compress_with_brotli, upstream.decompress_with_brotli)
        )
    if options["PRECOMPRESS_GZIP"]:
        formats.append(("gzip", ".gz", upstream.compress_with_gzip, upstream.decompress_with_gzip))
    # A list first: the walk must not see the twins it is writing.
    paths = sorted(upstream.get_paths_to_compress(options))
    minimum = options["PRECOMPRESS_MIN_SIZE"]
    for path in paths:
        data = path.read_bytes()
        if minimum and len(data) < minimum:
            continue
        for fmt in formats:
            upstream.worker(data, path, fmt, options)
    return paths


def _on_compress(pelican: object) -> None:
    settings = getattr(pelican, "settings", {})
    if settings.get(SETTING):
        precompress_output(settings)


def register() -> None:
    # "compress" is sent after every `finalized` receiver and after "minify" (fingerprinting).
    granular_signals.register()
    blinker.signal("compress").connect(_on_compress)
