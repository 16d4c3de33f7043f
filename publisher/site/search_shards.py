"""The search index in shards of bounded size, merged in the browser (issue 21, section 2).

Pagefind holds every page it indexes in memory until it writes the index: about 300 bytes
per word of indexed text, so 144 MB for 1,000 of our articles and several GB for 20,000,
and it has no setting that bounds it (upstream issue Pagefind/pagefind#842). So the pages
are indexed in shards, one Pagefind run each, none with more than SEARCH_SHARD_WORDS words
(about 400,000: a run of about 130 MB): a shard per language and slice of a hash of the
page's path. The search page merges the shards of its language with Pagefind's own
`mergeIndex` (theme/static/js/search.js), and Pagefind ranks the merged results by score;
the hash spreads every kind of page evenly over the shards, so each shard's word
statistics, which its scores use, are those of the whole site.

Layout: `pagefind/<lang>-<n>/` per shard (the first shard of each language also holds
Pagefind's JavaScript and WebAssembly, which the browser loads once) and
`pagefind/shards.json`, the list the search page reads.

A page stays in its shard while the number of shards of its language stays the same, so a
rebuild after an edit changes one shard: `publisher serve` re-indexes only the shards whose
pages changed (their digests differ from those in the shards.json it replaces) and takes the
others as they are, and it remembers each page's digest while the page file is unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = "shards.json"
SETTING = "SEARCH_SHARD_WORDS"
# Pagefind runs at a time (default 1). Each run is bounded; two at once finish the index
# sooner on two cores but double its share of the build's peak memory.
WORKERS_SETTING = "SEARCH_WORKERS"
# Pagefind peaks at about 14 MB plus 300 bytes per indexed word (measured with 1.5.2 on our
# pages, docs/benchmarks.md): 400,000 words is a run of about 135 MB at most.
SHARD_WORDS = 400_000
FILL = 0.85  # shards are planned this full on average, so the hash's unevenness fits
MARKER = b"data-pagefind-body"  # Pagefind indexes only pages with it when any page has it
_LANG = re.compile(rb"<html[^>]*?\slang=\"([A-Za-z-]+)\"")
# Pagefind's files that only the first shard of a language needs (the others are merged
# into it and use its code), and the ready-made UIs, which our search page does not use.
CODE_FILES = ("pagefind.js", "pagefind-worker.js", "wasm.*.pagefind")
UNUSED_FILES = ("pagefind-*ui*", "pagefind-highlight.js", "pagefind-modular-ui*")
TWINS = (".gz", ".br")

Identity = tuple[int, int, int]


class IndexingFailed(Exception):
    """Pagefind is missing or failed; the message says which and why."""


@dataclass(frozen=True)
class PageInfo:
    path: str  # relative to the site, POSIX
    lang: str  # "" for a page Pagefind does not index (no data-pagefind-body)
    words: int
    digest: str


@dataclass
class SearchMemory:
    """What `publisher serve`'s builder keeps between refreshes: each page's info while
    its file is the same (inode, size, time), so unchanged pages are not read again."""

    pages: dict[str, dict[str, tuple[Identity, PageInfo]]] = field(default_factory=dict)


@dataclass
class IndexReport:
    shards: dict[str, int] = field(default_factory=dict)  # name -> pages
    indexed: list[str] = field(default_factory=list)  # shards Pagefind ran for
    reused: list[str] = field(default_factory=list)  # shards taken from the previous index


def _identity(stat: os.stat_result) -> Identity:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read(path: Path, relative: str, digests: bool) -> PageInfo:
    data = path.read_bytes()
    start = data.find(MARKER)
    digest = hashlib.blake2b(data, digest_size=16).hexdigest() if digests else ""
    if start == -1:
        return PageInfo(relative, "", 0, digest)
    found = _LANG.search(data, 0, 2048)
    lang = found.group(1).decode().lower() if found else "unknown"
    # Words from the first indexed element on: what Pagefind will hold (and a little more).
    return PageInfo(relative, lang, data.count(b" ", start) + 1, digest)


def scan(site: Path, memory: SearchMemory | None = None, digests: bool = True) -> list[PageInfo]:
    """Every HTML page of the site (the search bundle excepted), with what sharding needs;
    without `digests`, no page is hashed (no later build will compare its shards)."""
    known = memory.pages.get(str(site), {}) if memory is not None else {}
    seen: dict[str, tuple[Identity, PageInfo]] = {}
    for folder, dirs, files in os.walk(site):
        if folder == str(site):
            dirs[:] = [d for d in dirs if d != "pagefind" and not d.startswith(".")]
        for name in files:
            if not name.endswith(".html"):
                continue
            path = Path(folder, name)
            relative = path.relative_to(site).as_posix()
            identity = _identity(path.stat())
            remembered = known.get(relative)
            info = remembered[1] if remembered and remembered[0] == identity else None
            seen[relative] = (identity, info or _read(path, relative, digests))
    if memory is not None:
        memory.pages[str(site)] = seen
    return sorted((info for _, info in seen.values()), key=lambda i: i.path)


def _slot(path: str, count: int) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode(), digest_size=8).digest(), "big") % count


def plan(
    pages: list[PageInfo], budget: int, previous: dict[str, int] | None = None
) -> tuple[dict[str, list[PageInfo]], dict[str, int]]:
    """(shard name -> its pages, language -> its number of shards). A language keeps its
    number of shards from `previous` while they stay within the budget (and not far below
    it), so a page keeps its shard."""
    by_lang: dict[str, list[PageInfo]] = {}
    for page in pages:
        if page.lang:
            by_lang.setdefault(page.lang, []).append(page)
    shards: dict[str, list[PageInfo]] = {}
    counts: dict[str, int] = {}
    for lang, members in sorted(by_lang.items()):
        total = sum(p.words for p in members)
        least = max(1, math.ceil(total / budget))
        count = (previous or {}).get(lang, 0)
        if count < least or count > max(least, math.ceil(total / (budget * FILL))) * 2:
            count = max(1, math.ceil(total / (budget * FILL)))
        while True:
            slots: list[list[PageInfo]] = [[] for _ in range(count)]
            for page in members:
                slots[_slot(page.path, count)].append(page)
            fits = all(sum(p.words for p in s) <= budget for s in slots)
            if fits or count >= len(members):
                break
            count += 1
        counts[lang] = count
        for number, slot in enumerate(slots):
            if slot:
                shards[f"{lang}-{number}"] = slot
    return shards, counts


def shard_digest(pages: list[PageInfo], version: str) -> str:
    """ "" when a page was not hashed: such a shard is never taken for another's."""
    if any(not p.digest for p in pages):
        return ""
    text = "\n".join([version, *(f"{p.path} {p.digest}" for p in pages)])
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def read_manifest(bundle: Path) -> dict:
    try:
        data = json.loads((bundle / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _counts(manifest: dict) -> dict[str, int]:
    with contextlib.suppress(TypeError, ValueError, AttributeError):
        return {str(lang): int(n) for lang, n in (manifest.get("counts") or {}).items()}
    return {}


def index(
    site: Path,
    bundle: Path,
    pagefind: Callable[[Path, Path], None],
    version: str,
    budget: int = SHARD_WORDS,
    previous: Path | None = None,
    memory: SearchMemory | None = None,
    workers: int = 1,
) -> IndexReport:
    """Index `site` into `bundle` shard by shard; `pagefind(site, output)` runs one Pagefind.

    With `previous` (the bundle this one replaces), a shard whose pages are byte for byte
    those it was made of is taken from there (hard links) instead of indexed again."""
    # A build with nothing to compare with and no memory (`publisher build`) hashes nothing.
    pages = scan(site, memory, digests=previous is not None or memory is not None)
    old = read_manifest(previous) if previous is not None else {}
    if old.get("pagefind") != version:
        old = {}
    shards, counts = plan(pages, budget, _counts(old))
    report = IndexReport({name: len(members) for name, members in shards.items()})
    bundle.mkdir(parents=True, exist_ok=True)
    languages: dict[str, list[str]] = {}
    for name in shards:  # in order: the first shard of a language is its primary
        languages.setdefault(name.rsplit("-", 1)[0], []).append(name)
    primaries = {names[0] for names in languages.values()}
    digests = {}
    for name, members in shards.items():
        digest = shard_digest(members, version)
        digests[name] = digest
        primary = name in primaries
        if (
            previous is not None
            and digest
            and (old.get("shards") or {}).get(name) == digest
            and (not primary or (previous / name / "pagefind.js").is_file())
        ):
            with contextlib.suppress(OSError):
                _link_tree(previous / name, bundle / name)
                _prune(bundle / name, primary)
                report.reused.append(name)
                continue
        report.indexed.append(name)

    def one(name: str) -> None:
        shutil.rmtree(bundle / name, ignore_errors=True)
        _index_shard(site, shards[name], bundle / name, pagefind)
        _prune(bundle / name, name in primaries)

    if workers > 1 and len(report.indexed) > 1:
        with ThreadPoolExecutor(workers) as pool:  # threads that wait for Pagefind
            list(pool.map(one, report.indexed))
    else:
        for name in report.indexed:
            one(name)
    manifest = {
        "version": 1,
        "pagefind": version,
        # The search page of a language loads the first of its shards and merges the rest.
        "languages": languages,
        "counts": counts,  # shards per language: kept by the next build while they fit
        "shards": digests,
    }
    (bundle / MANIFEST).write_text(json.dumps(manifest, separators=(",", ":")), "utf-8")
    return report


def _index_shard(
    site: Path, pages: list[PageInfo], output: Path, pagefind: Callable[[Path, Path], None]
) -> None:
    """Pagefind over exactly these pages: a folder of hard links to them, beside the site
    (same disk), with the site's paths, so the result URLs are the site's own."""
    farm = Path(tempfile.mkdtemp(prefix=f".{site.name}-shard-", dir=site.parent))
    try:
        for page in pages:
            target = farm / page.path
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site / page.path, target)
            except OSError:
                shutil.copyfile(site / page.path, target)
        pagefind(farm, output)
    finally:
        shutil.rmtree(farm, ignore_errors=True)


def _prune(shard: Path, primary: bool) -> None:
    for pattern in UNUSED_FILES + (() if primary else CODE_FILES):
        for unused in shard.glob(pattern):
            unused.unlink()


def _link_tree(source: Path, target: Path) -> None:
    """A copy made of hard links, without the compressed twins (the build writes its own:
    writing one in place would change the previous site's file too)."""
    if not source.is_dir():
        raise OSError(f"{source} is missing")

    def link(src: str, dst: str) -> None:
        if not src.endswith(TWINS):
            os.link(src, dst)

    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, copy_function=link)


def run_pagefind(binary: str) -> Callable[[Path, Path], None]:
    """One Pagefind run over a folder, as a callable for index()."""

    def run(site: Path, output: Path) -> None:
        result = subprocess.run(
            [binary, "--site", str(site), "--output-path", str(output), "--quiet"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
            raise IndexingFailed(f"search indexing failed: {last[0]}")

    return run
