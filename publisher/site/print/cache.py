"""Print sets kept by content hash, so an unchanged campaign is not rendered again.

A set is rendered once into `<cache>/<slug>-<key>/` (key: PrintJob.key(), a digest of the
words, the hotline rows, the address, the templates, the fonts and the renderer) and copied
from there into every build. Rendering goes into a temporary folder that is renamed into
place, so a build that is stopped, or two builds at once, never leave half a set. The
newest few sets of each campaign are kept; older ones are removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from publisher.site.print.job import PrintJob
from publisher.site.print.pieces import PIECES, Piece
from publisher.site.print.render import render_set

KEEP = 3  # sets kept per campaign: the current one and the last few edits
KEY_LENGTH = 24


@dataclass(frozen=True)
class PrintedSet:
    folder: Path  # where the pieces are, as <piece>.pdf
    pieces: tuple[Piece, ...]
    rendered: bool  # False: copied from the cache
    seconds: float

    def sizes(self) -> dict[str, int]:
        return {p.name: (self.folder / p.file).stat().st_size for p in self.pieces}


def print_into(
    job: PrintJob, target: Path, cache: Path | None, pieces: tuple[Piece, ...] = PIECES
) -> PrintedSet:
    """Put the job's pieces into `target`: from `cache` when they are there, else rendered
    (into the cache first). Without a cache, rendered straight into `target`."""
    started = time.perf_counter()
    if cache is None:
        render_set(job, target, pieces)
        return PrintedSet(target, pieces, True, time.perf_counter() - started)
    entry = cache / f"{job.slug}-{job.key()[:KEY_LENGTH]}"
    rendered = not all((entry / piece.file).is_file() for piece in pieces)
    if rendered:
        _render_into_cache(job, cache, entry, pieces)
    else:
        os.utime(entry)  # used now: kept longest
    target.mkdir(parents=True, exist_ok=True)
    for piece in pieces:
        shutil.copyfile(entry / piece.file, target / piece.file)
    return PrintedSet(target, pieces, rendered, time.perf_counter() - started)


def _render_into_cache(job: PrintJob, cache: Path, entry: Path, pieces: tuple[Piece, ...]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{job.slug}-", dir=cache))
    try:
        render_set(job, staging, pieces)
        if entry.exists():  # left by a run that rendered fewer pieces
            shutil.rmtree(entry, ignore_errors=True)
        try:
            staging.rename(entry)
        except OSError:  # another build put the same set in place first: use that one
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(cache, job.slug)


def _prune(cache: Path, slug: str) -> None:
    sets = [p for p in cache.glob(f"{slug}-*") if p.is_dir() and _is_key(p.name, slug)]
    sets.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in sets[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _is_key(name: str, slug: str) -> bool:
    """`<slug>-<key>` of this campaign, not of another whose slug starts like it."""
    rest = name[len(slug) + 1 :]
    return len(rest) == KEY_LENGTH and all(c in "0123456789abcdef" for c in rest)
