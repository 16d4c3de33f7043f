"""Run every benchmark of issues 8 and 9 and rewrite their sections of docs/benchmarks.md.

Run: .venv/bin/python bench/run_all.py            (about 30 minutes on 2 cores)
     .venv/bin/python bench/run_all.py --only search lighthouse
     .venv/bin/python bench/run_all.py --only tick   (the engine at archive scale, issue 21)
     .venv/bin/python bench/run_all.py --quick     (small sizes, one round: a smoke test)
     .venv/bin/python bench/run_all.py --sizes 1000 5000 20000 --runs 1

Raw figures go to --raw-dir (one JSON per benchmark, written as soon as it has run); with
--resume, benchmarks whose JSON is already there are not run again, only rendered. Each
section of docs/benchmarks.md sits between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`;
only those are replaced, so other sections (e.g. "Publisher tick") stay as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import curves  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
CHART = DOC.with_name("benchmarks-build-curves.svg")  # written beside the doc, linked from it
SECTIONS = ("machine", "build-speed", "search-index", "lighthouse", "tick-archive")
# What the builds use, copied once at the start (see bench/synthetic.py, CODE).
SNAPSHOT = ("publisher", "theme", "content", "campaigns", "data", "deploy", "pelicanconf.py",
            "publishconf.py")  # fmt: skip


def snapshot(target: Path) -> dict[str, Any]:
    """Copy the code and content under test to `target`; say which version it is."""
    for name in SNAPSHOT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / name)

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                              timeout=60).stdout.strip()  # fmt: skip

    return {
        "commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "changed": len(git("status", "--porcelain", "--", *SNAPSHOT).splitlines()),
        "taken": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


# --- the machine ---


def _command_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "not found"
    return out.strip().splitlines()[0] if out.strip() else "not found"


def machine() -> dict[str, str]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or platform.machine(),
    )  # fmt: skip
    kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
    os_release = Path("/etc/os-release").read_text()
    pretty = re.search(r'PRETTY_NAME="([^"]+)"', os_release)
    return {
        "date": dt.date.today().isoformat(),
        "cpu": f"{cpu}, {os.cpu_count()} cores ({platform.machine()})",
        "memory": f"{kib / 1024 / 1024:.1f} GiB",
        "os": f"{pretty.group(1) if pretty else platform.system()}, Linux {platform.release()}",
        "python": platform.python_version(),
        "pelican": importlib.metadata.version("pelican"),
        "markdown": importlib.metadata.version("markdown"),
        "pyyaml": importlib.metadata.version("pyyaml"),
        "pagefind": importlib.metadata.version("pagefind"),
        "hugo": _command_version(["/usr/bin/hugo", "version"]),
        "chromium": _command_version(["/usr/bin/chromium", "--version"]),
        "node": _command_version(["node", "--version"]),
    }


def render_machine(info: dict[str, str], code: dict[str, Any]) -> str:
    changed = (
        f" plus uncommitted changes to {code['changed']} files (copied at {code['taken']}, "
        "and every build of the run used that copy)"
        if code.get("changed")
        else ""
    )
    return "\n".join(
        [
            "## The machine",
            "",
            f"The figures of the sections below were measured on {info['date']} with "
            "`.venv/bin/python bench/run_all.py`, on a machine **shared with other engineers "
            "running test suites at the same time**: the variants were run in turn "
            "(A, B, C, A, B, C...) so that load hits them alike, and medians are reported. "
            "Compare figures within one table rather than with another machine. Code and "
            f"content measured: commit {code.get('commit', '?')}{changed}.",
            "",
            "| | |",
            "| --- | --- |",
            f"| CPU | {info['cpu']} |",
            f"| memory | {info['memory']} |",
            f"| OS | {info['os']} |",
            f"| Python | {info['python']} (Pelican {info['pelican']}, Python-Markdown "
            f"{info['markdown']}, PyYAML {info['pyyaml']}, Pagefind {info['pagefind']}) |",
            f"| Hugo | {info['hugo']} |",
            f"| Chromium | {info['chromium']} |",
            f"| Node | {info['node']} |",
            "",
        ]
    )


# --- build speed ---


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} MB"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}"


COLD_LABELS = {
    "ours+search": "ours, with search index (what `publisher build` does)",
    "ours": "ours, SEARCH_INDEX off",
    "ours one process": "ours in one process (no helper, no renderer), SEARCH_INDEX off",
    "stock": "stock Pelican (default theme, no plugins)",
    "hugo": "Hugo (minimal theme)",
}
REBUILD_LABELS = {
    "ours serve": "ours, `publisher serve` (preview build in its builder), SEARCH_INDEX off",
    "ours serve+search": "ours, `publisher serve` with search: until the edited page is served",
    "stock cache": "stock Pelican, new process, its content cache",
}


def aims(row: Callable[[int, str], dict[str, Any]], sizes: list[int]) -> list[str]:
    """The aims of issues 9 and 21, each with the figure that decides it."""
    lines = ["### The aims (issues 9 and 21)", ""]
    for size in sizes:
        stock, hugo = row(size, "stock").get("seconds"), row(size, "hugo").get("seconds")
        with_search, plain = row(size, "ours+search"), row(size, "ours")
        alone = row(size, "ours one process")
        if not (stock and hugo and with_search and plain and alone):
            continue
        ratio = with_search["seconds"] / stock
        lines.append(
            f"- {size:,} articles. **`publisher build` with search at most 0.8 × stock Pelican "
            f"without search** (issue 21): {_verdict(ratio <= 0.8)}, {ratio:.2f} "
            f"({with_search['seconds']:.2f} s against {stock:.2f} s). **The whole build's peak "
            f"RSS, search included, at most 150 MB**: "
            f"{_verdict(with_search['maxrss_mb'] <= 150)}, {with_search['maxrss_mb']:.0f} MB "
            f"(stock Pelican {row(size, 'stock')['maxrss_mb']:.0f} MB)."
        )
        lines.append(
            f"- {size:,} articles. **Cold build no slower than stock Pelican** (ratio at most "
            f"1.0): {_verdict(plain['seconds'] / stock <= 1)} for the site, "
            f"{plain['seconds'] / stock:.2f}; with the search index, which stock Pelican does "
            f"not build, {with_search['seconds'] / stock:.2f} "
            f"({_verdict(with_search['seconds'] / stock <= 1)}). In one process (no helper, no "
            f"renderer: what a single-core machine gets) {alone['seconds'] / stock:.2f}."
        )
        if size == 1000:
            python_mb = with_search["python_maxrss_mb"]
            largest = plain["maxrss_mb"]
            pagefind_mb = with_search["pagefind_maxrss_mb"]
            # Since issue 21 Pagefind runs once per shard (site/search_shards.py): its runs
            # count in the build's largest process, not apart.
            pagefind = (
                f"Pagefind, a separate binary run after Pelican, peaks at {pagefind_mb:.0f} MB "
                f"({_verdict(pagefind_mb < 100)})."
                if pagefind_mb
                else "Pagefind runs once per shard of bounded size; with search on, the "
                f"build's largest process peaks at {with_search['maxrss_mb']:.0f} MB."
            )
            lines.append(
                f"- {size:,} articles. **Under 100 MB**: {_verdict(largest < 100)} for our own "
                f"processes — the largest peaks at {largest:.0f} MB (the main Python process "
                f"{python_mb:.0f} MB; the helper and renderer are forks of it). {pagefind}"
            )
        serve = row(size, "ours serve").get("inner_seconds")
        serve_search = row(size, "ours serve+search")
        if serve and serve_search:
            lines.append(
                f"- {size:,} articles. **Edit-one-article rebuild faster than Hugo's cold "
                f"build** ({hugo:.2f} s): {_verdict(serve < hugo)} — `publisher serve` has the "
                f"edited site in place in {serve:.2f} s "
                f"({serve_search['inner_seconds']:.2f} s with search on, whose index is then "
                f"refreshed in {serve_search['search_seconds']:.2f} s more, the old index "
                "answering meanwhile)."
            )
    return [*lines, ""]


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def build_rows(fig: dict[str, Any]) -> tuple[Callable[[int, str], dict[str, Any]], list[int]]:
    """(row(size, variant) -> that build's medians, the sizes measured)."""
    summary = fig["summary"]

    def row(size: int, variant: str) -> dict[str, Any]:
        return summary.get(f"{size}|{variant}", {})

    return row, sorted({r["articles"] for r in summary.values()})


def render_build(fig: dict[str, Any]) -> str:
    from bench import build_speed

    row, sizes = build_rows(fig)
    lines = [
        "## Build speed",
        "",
        "`bench/build_speed.py`: synthetic sites of Indonesian-like articles (fixed word list and "
        "seed, ~400 words each with a subheading, a list and bold text, 2–4 tags, a lead image; "
        "`bench/synthetic.py`) built by our theme and plugins (`publisher.site.build.build_site`, "
        "which also runs `publisher check`), by stock Pelican and by Hugo. Every build is its "
        "own process; *time* is that process's wall time, interpreter start and imports "
        "included; *peak RSS* is the largest process of the build (GNU time: for ours the main "
        "Python process, its forked helper and renderer, and Pagefind). The sites and outputs "
        f"were on {fig.get('work_dir', 'the temporary folder')}"
        + (" (a RAM disk)" if str(fig.get("work_dir", "")).startswith("/dev/shm") else "")
        + ": on this shared virtual machine the disk's write times varied threefold between "
        "consecutive runs of one build (at 1,000 articles stock Pelican 2.76–2.84 s, ours "
        "1.90–2.94 s, ours with search 3.24–4.17 s in three alternating runs), which would "
        "decide the comparison more than the tools do. Rounds: "
        + ", ".join(f"{int(size):,} articles × {n}" for size, n in fig["runs"].items())
        + "; medians. *Articles/s* is articles divided by time; the HTML page counts differ "
        "because the three write different page sets (stock Pelican: tag, category and author "
        "pages; ours: English home and news list, search pages, campaigns).",
        "",
        *aims(row, sizes),
        "### Cold build",
        "",
        "| articles | build | time | runs (min–max) | articles/s | HTML pages | HTML pages/s | "
        "peak RSS | time / stock | RSS / stock |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        stock = row(size, "stock")
        for variant in build_speed.COLD:
            r = row(size, variant)
            if not r:
                continue
            lines.append(
                f"| {size:,} | {COLD_LABELS[variant]} | {_s(r['seconds'])} | "
                f"{min(r['seconds_all']):.2f}–{max(r['seconds_all']):.2f} s | "
                f"{size / r['seconds']:.0f} | {r['html']:,} | {r['html'] / r['seconds']:.0f} | "
                f"{_mb(r['maxrss_mb'])} | "
                f"{_ratio(r['seconds'], stock.get('seconds'))} | "
                f"{_ratio(r['maxrss_mb'], stock.get('maxrss_mb'))} |"
            )
    lines += ["", *curves.render_curves(row, sizes, CHART.name)]
    lines += [
        "Where our build's time goes (medians, seconds): `pelican` is Pelican's run with our "
        "plugins (reading, and writing all but the article pages when the renderer runs); "
        "`check` is `publisher check` when the main process runs it (in one process only; "
        "otherwise the helper runs it beside Pelican); `helper wait` and `renderer wait` are "
        "what the main process still waited for the helper's checks and the renderer's pages; "
        "`pagefind` the search index. The rest is interpreter start, imports and the swap.",
        "",
        "| articles | build | pelican | check | helper wait | renderer wait | pagefind | "
        "main process peak RSS | Pagefind peak RSS |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        for variant in build_speed.COLD:
            r = row(size, variant)
            if not r or not variant.startswith("ours"):
                continue
            phases = r["phases"]
            lines.append(
                f"| {size:,} | {COLD_LABELS[variant]} | {_s(phases.get('pelican'))} | "
                f"{_s(phases.get('check'))} | {_s(phases.get('helper wait'))} | "
                f"{_s(phases.get('renderer wait'))} | {_s(phases.get('pagefind'))} | "
                f"{_mb(r['python_maxrss_mb'])} | {_mb(r['pagefind_maxrss_mb'])} |"
            )
    lines += [
        "",
        "### Rebuild after editing one article",
        "",
        "What `publisher serve` does on every save: its builder process (single-threaded, "
        "warm) made one preview build; one article gets a sentence more; the preview rebuild is "
        "timed until the new site is in place (`build_site` alone, no interpreter start). "
        "With search on, the search index is refreshed after that (the old index answers "
        "meanwhile): that refresh is the last column. Stock Pelican's rebuild is a new process "
        "reading the content cache its previous build wrote. The comparison is Hugo's cold "
        "build of the same site.",
        "",
        "| articles | rebuild | time | peak RSS | time / Hugo cold | then search refresh |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        hugo = row(size, "hugo").get("seconds")
        for variant in build_speed.REBUILD:
            r = row(size, variant)
            if not r:
                continue
            seconds = r["inner_seconds"] if "serve" in variant else r["seconds"]
            lines.append(
                f"| {size:,} | {REBUILD_LABELS[variant]} | {_s(seconds)} | "
                f"{_mb(r['maxrss_mb'])} | {_ratio(seconds, hugo)} | "
                f"{_s(r.get('search_seconds'))} |"
            )
        lines.append(f"| {size:,} | Hugo, cold build | {_s(hugo)} | "
                     f"{_mb(row(size, 'hugo').get('maxrss_mb'))} | 1.00 | – |")  # fmt: skip
    lines += ["", "### Where the time goes", ""]
    areas = dict(fig.get("profile", {}).get("one process", []))
    if areas:
        total = sum(areas.values())
        lines += [
            f"cProfile of one build of {min(sizes):,} articles without search, in one process "
            "(cProfile sees one process; `build_site` only; profiling slows Python down, so "
            "only the shares matter), by area (own time of the functions in it):",
            "",
            "| area | time | share |",
            "| --- | ---: | ---: |",
        ]
        for area in sorted(areas, key=lambda a: -areas[a]):
            lines.append(f"| {area} | {areas[area]:.2f} s | {100 * areas[area] / total:.0f} % |")
        lines.append(f"| total | {total:.2f} s | |")
    lines += ["", *FINDINGS, ""]
    return "\n".join(lines)


FINDINGS = [
    "### What made it fast, and what is left",
    "",
    "Measured at 1,000 articles before these changes (2026-11-28, same machine): ours 8.82 s "
    "with search, stock Pelican 3.12 s, Hugo 2.33 s (a busier machine than now). Changes, in "
    "the order they were made (each in its own commit, each with tests):",
    "",
    "1. **YAML and Markdown** (`publisher/content/frontmatter.py`, `publisher/site/reader.py`): libyaml's "
    "parser where it is safe (the hardened pure-Python loader keeps anchors, aliases and deep "
    "nesting, so every refusal and message is unchanged), front matter parsed once per file "
    "and build, one `Markdown` per reader. PyYAML's pure-Python parser had been half the "
    "build.",
    "2. **`publisher check`** (`publisher/platforms/counters.py`, `check_rules.py`, `errors.py`): social "
    "texts in ASCII counted by length (the grapheme walk gives the same answer, a "
    "hypothesis test holds them equal), the phone-number patterns skipped for text without a "
    "digit, display paths cached: 0.98 s → 0.40 s at 1,000 articles.",
    "3. **A helper process** (`publisher/site/fast/build_helper.py`): Pelican is single-threaded; "
    "forked at the start of `publisher build`, the helper converts two of every three "
    "articles (front matter and Markdown) in Pelican's reading order while Pelican reads the "
    "rest, then runs `publisher check` while Pelican writes. The check's problems still stop "
    "the build before anything is swapped in.",
    "4. **A renderer process** (`publisher/site/fast/parallel_render.py`): the site's writer defers the "
    "article pages and forks one process to render them while Pelican writes the lists, "
    "feeds and pages; the build waits for it before anything reads the files. Both forks "
    "happen only in a single-threaded process; if one dies the main process does its work "
    "(tested), and the site is byte-identical with and without them (tested).",
    "5. **Pelican's bookkeeping** (`publisher/site/plugin.py`, `reader.py`): each item's "
    "URL fixed once it is read (`override_url`, as Pelican does for a `url` in the metadata; "
    "it formatted the URL from the settings about nine times per article); one Tag or "
    "Category object per name and build instead of one per article, each working out its "
    "slug; and Pelican's preparation of tag, category and author pages skipped, since their "
    "`*_SAVE_AS` are empty: it compared every article with every list, a fifth of a "
    "5,000-article build.",
    "6. **Feeds** hold the newest `FEED_MAX_ITEMS` (100) entries, as the docs already said "
    "(every live item stays in `syndication.json` for the publisher), and the JSON files are "
    "written compact: with `indent`, Python's json module uses its pure-Python encoder.",
    "7. **Rebuilds in `publisher serve`** (`publisher/site/fast/build_worker.py`, `page_reuse.py`): "
    "builds run in a single-threaded builder process that keeps the conversions of unchanged "
    "files (keyed by their text) and Jinja's compiled templates between builds; an article "
    "page whose text, images, translations, theme, data, settings and every URL of the site "
    "are unchanged is left in place instead of rendered (releases always render; each "
    "preview build is tested byte-identical to a full build); only new files are moved into "
    "`output/` (each whole at any moment); the search index is refreshed right after; and "
    "while waiting for the next save the builder runs the checks once, so the next build's "
    "helper inherits the parsed files and counts. Pelican's own content cache was not used: it "
    "pickles to disk on every build (slowing the cold build) and it remembers an embargoed "
    "item's `skip` past its go-live time (measured in the previous version of this page).",
    "",
    "Left as it is: Pagefind's memory. It grows with the number of pages (14 MB for 10 "
    "pages, about 145 MB for 1,000, 711 MB for 5,000) and has no setting to bound it: users "
    "of large sites report it running out of memory and ask for one in an open upstream "
    "issue (Pagefind/pagefind#842). One thread (`RAYON_NUM_THREADS=1`) changes nothing, jemalloc "
    "decay settings (`_RJEM_MALLOC_CONF=dirty_decay_ms:0,muzzy_decay_ms:0`) bring it to "
    "122 MB at the cost of half a second, and pages cut to their article text change "
    "nothing (144 MB). The release we use trades memory for speed: on the same 1,000 pages "
    "Pagefind 1.4.0 peaks at 85 MB but takes 1.60 s, 1.5.2 147 MB and 0.69 s (one run "
    "each, 2026-11-28); we keep 1.5.2: the older one would add about 0.9 s to every build "
    "with search, more than the margin to stock Pelican. Pagefind has no incremental "
    "indexing, so a rebuild cannot skip it; "
    "`publisher serve` shows the edit first and refreshes the index after.",
]


# --- search ---


def render_search(fig: dict[str, Any]) -> str:
    lines = [
        "## Search index (Pagefind)",
        "",
        "`bench/search_index.py`: Pagefind run as `publisher build` runs it "
        "(Pagefind's binary, own process, GNU time), "
        f"median of {len(next(v for k, v in fig.items() if isinstance(v, dict) and 'index' in v)['index']['seconds_all'])} "
        "runs; the index as the build leaves it (Pagefind's UI bundles deleted). The search "
        "bytes are counted in headless Chromium on the real search page (`/cari/`), a fresh "
        f"browser profile per search, served by {fig.get('server', '?')}: every /pagefind/ "
        "response, headers and body as transferred.",
        "",
        "*One run* is Pagefind over the whole site at once (before issue 21); *in shards* is "
        "the index as `publisher build` makes it (site/search_shards.py: shards of at most "
        "SEARCH_SHARD_WORDS words, one Pagefind run each), timed in a process of its own "
        "whose peak RSS is its largest process.",
        "",
        "| site | pages indexed | one run: time | one run: peak RSS | shards | in shards: time "
        "| in shards: peak RSS | index size | per page |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    sites = {k: v for k, v in fig.items() if isinstance(v, dict) and "index" in v}
    for label, site in sites.items():
        size = site["size"]
        lines.append(
            f"| {label} | {size['pages']:,} | {_s(site['index']['seconds'])} | "
            f"{_mb(site['index']['maxrss_mb'])} | {size.get('shards', 1)} | "
            f"{_s(site['index'].get('sharded_seconds', site['index']['seconds']))} | "
            f"{_mb(site['index'].get('sharded_maxrss_mb', site['index']['maxrss_mb']))} | "
            f"{size['total_bytes'] / 1e6:.2f} MB "
            f"({size['files']:,} files) | {size['bytes_per_page'] / 1e3:.1f} kB |"
        )
    lines += [
        "",
        "What one one-word search downloads (first search on the page, nothing cached):",
        "",
        "| site | word | first result after | requests | bytes | of which: JS + WebAssembly "
        "| metadata + entry | index chunks | result fragments |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    runs = [(label, site["searches"]) for label, site in sites.items()]
    runs += [
        (f"{label}, one index (no shards, for comparison)", site["searches_one_index"])
        for label, site in sites.items()
        if site.get("searches_one_index")
    ]
    for label, found in runs:
        for search in found:
            kinds = search["by_kind"]

            def kb(*names: str, kinds: dict[str, Any] = kinds) -> str:
                return f"{sum(kinds.get(n, {}).get('bytes', 0) for n in names) / 1e3:.1f} kB"

            lines.append(
                f"| {label} | {search['word']} | "
                f"{search.get('seconds_to_first_result', float('nan')):.2f} s | "
                f"{search['requests']} | "
                f"{search['bytes'] / 1e3:.1f} kB | {kb('JavaScript', 'WebAssembly')} | "
                f"{kb('metadata', 'entry JSON')} | {kb('index chunks')} | "
                f"{kb('fragments of the results shown')} |"
            )
    lines += [
        "",
        "Only the search page loads any of this (tests/site/test_browser.py checks that no other "
        "page requests Pagefind); the JavaScript and WebAssembly are the same for any site "
        "size, the index chunk grows with the vocabulary, and each result shown costs one "
        "fragment.",
        "",
    ]
    return "\n".join(lines)


# --- Lighthouse ---


def render_lighthouse(fig: dict[str, Any]) -> str:
    lines = [
        "## Lighthouse performance",
        "",
        f"`bench/lighthouse_perf.py`: Lighthouse {fig['lighthouse']} with Debian's Chromium "
        "(headless, the flags of tests/support.py), mobile profile with Lighthouse's simulated "
        f"throttling (slow 4G, 4× CPU slowdown), performance category only; {fig['runs']} "
        "rounds over the page types of tests/test_quality.py in turn, medians. The site is the "
        f"project's own content as of the tests' build time, a {fig['server']}. *Bytes* is "
        "Lighthouse's total byte weight (everything transferred, compressed as sent).",
        "",
        "*Image audits failed* counts the performance category's image audits (responsive "
        "images, modern formats, optimised, offscreen, unsized, LCP image priority and lazy "
        "loading) that any run failed. Goals (issue 21): 0 image audits failed, LCP at most "
        "1.0 s, at most 20 kB.",
        "",
        "| page | path | score | LCP | FCP | TBT | CLS | bytes | image audits failed "
        "| scores of the runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for name, page in fig["pages"].items():
        lines.append(
            f"| {name} | `{page['path']}` | {page['score']:.0f} | {page['lcp_ms']:.0f} ms | "
            f"{page['fcp_ms']:.0f} ms | {page['tbt_ms']:.0f} ms | {page['cls']:.3f} | "
            f"{page['bytes'] / 1e3:.1f} kB | {image_failures(page)} | "
            f"{', '.join(str(s) for s in page['scores'])} |"
        )
    search = fig["pages"].get("search", {})
    if search.get("score", 100) < 100 and search.get("cls", 0) > 0:
        lines += ["", *SEARCH_SHIFT]
    lines.append("")
    return "\n".join(lines)


def image_failures(page: dict[str, Any]) -> str:
    if "image_failures" not in page:  # figures from before the audits were counted
        return "not measured"
    failed = page.get("image_failed") or []
    return f"{page['image_failures']}" + (f" ({', '.join(failed)})" if failed else "")


SEARCH_SHIFT = [
    "**The search page loses points to layout shift, and the fix is known.** The form is "
    "`hidden` in the HTML and the no-JavaScript hint shown; `search.js` (deferred) swaps them "
    "after the first paint, which moves the content below. Proposed, measured with a copy of "
    "the theme (3 Lighthouse runs: score 97 → 100, CLS 0.107 → 0; with JavaScript off the hint "
    "still shows and the form stays hidden in Chromium; home and help grow by 100 gzipped "
    "bytes, far inside the 14,336-byte budget):",
    "",
    "- `theme/static/css/site.css`, at the end: "
    "`@media (scripting:enabled){form[data-search][hidden]{display:block}"
    "[data-no-js]:not([data-shown]){display:none}}` — when scripts run, the page is painted "
    "as `search.js` will leave it;",
    "- `theme/static/js/search.js`, in the `.catch` of `run()`: "
    '`if (hint) { hint.hidden = false; hint.setAttribute("data-shown", ""); }` instead of '
    "`if (hint) hint.hidden = false;`, so the hint still appears when the index cannot load.",
]


# --- the document ---


def write_sections(path: Path, sections: dict[str, str]) -> None:
    """Replace each <!-- bench:NAME --> ... <!-- /bench:NAME --> block; append missing ones."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    for name in SECTIONS:
        if name not in sections:
            continue
        block = f"<!-- bench:{name} -->\n{sections[name].rstrip()}\n<!-- /bench:{name} -->"
        pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.S)
        if pattern.search(text):
            text = pattern.sub(lambda _m, b=block: b, text)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def _run_build(args: argparse.Namespace) -> dict[str, Any]:
    from bench import build_speed

    if args.quick:
        return build_speed.run([200, 400], 1)
    return build_speed.run(args.sizes or [1000, 5000, 20000], args.runs)


def _run_search(args: argparse.Namespace) -> dict[str, Any]:
    from bench import search_index

    if args.quick:
        return search_index.run([200], 1)
    # The one-run index of 20,000 articles (several GB) is measured once: it is the problem
    # the shards solve, not a figure of the build.
    return search_index.run([1000, 20000], args.runs or 3)


def _run_lighthouse(args: argparse.Namespace) -> dict[str, Any]:
    from bench import lighthouse_perf

    return lighthouse_perf.run(1) if args.quick else lighthouse_perf.run(args.runs or 5)


def _run_tick(args: argparse.Namespace) -> dict[str, Any]:
    """The engine at archive scale (issue 21): 20,000 items, 20,000 older rows (bench_tick)."""
    # A process of its own: its peak RSS must not include what the benchmarks before it
    # held in this one (the search benchmark builds a 20,000-article site in-process).
    sizes = "2000, 2000, cli=True" if args.quick else "20000, 20000"
    with tempfile.TemporaryDirectory(prefix="bench-tick-") as temp:
        result = Path(temp) / "tick.json"
        code = (
            "import json, sys; from bench import bench_tick; "
            f"open(sys.argv[1], 'w').write(json.dumps(bench_tick.run({sizes})))"
        )
        subprocess.run([sys.executable, "-c", code, str(result)], cwd=ROOT, check=True)
        return json.loads(result.read_text(encoding="utf-8"))


def render_tick(figures: dict[str, Any]) -> str:
    from bench import bench_tick

    return bench_tick.render(figures)


Runner = Callable[[argparse.Namespace], dict[str, Any]]
BENCHMARKS: dict[str, tuple[str, Runner, Callable[[dict], str]]] = {
    # name: (section, run(quick) -> figures, render); imported late: after the snapshot
    "build": ("build-speed", _run_build, render_build),
    "search": ("search-index", _run_search, render_search),
    "lighthouse": ("lighthouse", _run_lighthouse, render_lighthouse),
    "tick": ("tick-archive", _run_tick, render_tick),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="Small sizes, one round.")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help="Build sizes (default 1000 5000 20000)."
    )
    parser.add_argument("--runs", type=int, help="Rounds of each benchmark (default: its own).")
    parser.add_argument(
        "--raw-dir", type=Path, help="Where the raw JSON goes (default: a temp dir)."
    )
    parser.add_argument("--resume", action="store_true", help="Reuse raw JSON found in --raw-dir.")
    parser.add_argument("--doc", type=Path, default=DOC)
    args = parser.parse_args()
    raw = args.raw_dir or Path(tempfile.mkdtemp(prefix="bench-raw-"))
    raw.mkdir(parents=True, exist_ok=True)
    code_dir = Path(tempfile.mkdtemp(prefix="bench-code-"))
    try:
        # Always a snapshot: a resumed run still needs the code for what it has left to run.
        code = snapshot(code_dir)
        (raw / "code.json").write_text(json.dumps(code), encoding="utf-8")
        os.environ["BENCH_CODE"] = str(code_dir)  # read by the bench modules when imported
        sections = {"machine": render_machine(machine(), code)}
        for name in args.only:
            section, runner, render = BENCHMARKS[name]
            stored = raw / f"{name}.json"
            if args.resume and stored.exists():
                figures = json.loads(stored.read_text(encoding="utf-8"))
            else:
                print(f"== {name}", flush=True)
                figures = runner(args)
                stored.write_text(json.dumps(figures, indent=1), encoding="utf-8")
            sections[section] = render(figures)
            if name == "build":
                curves.write_chart(*build_rows(figures), args.doc.with_name(CHART.name))
        write_sections(args.doc, sections)
    finally:
        shutil.rmtree(code_dir, ignore_errors=True)
    print(f"Raw figures in {raw}; wrote {args.doc}")


if __name__ == "__main__":
    main()
