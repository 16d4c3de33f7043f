"""Run every benchmark of issues 8 and 9 and rewrite their sections of docs/benchmarks.md.

Run: .venv/bin/python bench/run_all.py            (about 40 minutes on 2 cores)
     .venv/bin/python bench/run_all.py --only search lighthouse
     .venv/bin/python bench/run_all.py --quick     (small sizes, one round: a smoke test)

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

DOC = ROOT / "docs" / "benchmarks.md"
SECTIONS = ("machine", "build-speed", "search-index", "lighthouse")
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
    "ours fixed+search": "ours + proposed fixes, with search index",
    "ours fixed": "ours + proposed fixes, SEARCH_INDEX off",
    "stock": "stock Pelican (default theme, no plugins)",
    "hugo": "Hugo (minimal theme)",
}
REBUILD_LABELS = {
    "ours cache": "ours, new process, content cache (safe), no search",
    "ours cache fixed": "ours + fixes, new process, content cache, no search",
    "ours serve fixed": "ours + fixes, warm process (`publisher serve`), content cache, no search",
    "ours serve fixed+search": "ours + fixes, warm process, content cache, with search",
    "stock cache": "stock Pelican, new process, its content cache",
}


def aims(row: Callable[[int, str], dict[str, Any]], sizes: list[int]) -> list[str]:
    """Issue 9's three aims, each with the figure that decides it."""
    lines = ["### The aims of issue 9", ""]
    for size in sizes:
        stock = row(size, "stock").get("seconds")
        hugo = row(size, "hugo").get("seconds")
        as_is, fixed = row(size, "ours+search"), row(size, "ours fixed+search")
        plain, plain_fixed = row(size, "ours"), row(size, "ours fixed")
        if not (stock and hugo and as_is and fixed):
            continue
        serve = row(size, "ours serve fixed").get("inner_seconds")
        serve_search = row(size, "ours serve fixed+search").get("inner_seconds")
        lines.append(
            f"- {size:,} articles. **Cold build no slower than stock Pelican** (ratio at most "
            f"1.0): {_verdict(as_is['seconds'] / stock <= 1)} — "
            f"{as_is['seconds'] / stock:.2f} as `publisher build` runs it "
            f"({plain['seconds'] / stock:.2f} without the search index), "
            f"{fixed['seconds'] / stock:.2f} with the proposed fixes "
            f"({plain_fixed['seconds'] / stock:.2f} without the search index)."
        )
        if size == 1000:
            python_mb = max(as_is["python_maxrss_mb"], fixed["python_maxrss_mb"])
            pagefind_mb = as_is["pagefind_maxrss_mb"] or 0
            lines.append(
                f"- {size:,} articles. **Under 100 MB**: the build's Python process peaks at "
                f"{python_mb:.0f} MB ({_verdict(python_mb < 100)}); Pagefind, run after Pelican "
                f"in its own process while the Python process still holds its memory, peaks at "
                f"{pagefind_mb:.0f} MB ({_verdict(pagefind_mb < 100)}; together "
                f"{python_mb + pagefind_mb:.0f} MB)."
            )
        if serve and serve_search:
            lines.append(
                f"- {size:,} articles. **Edit-one-article rebuild faster than Hugo's cold "
                f"build** ({hugo:.2f} s): {_verdict(serve_search < hugo)} — {serve_search:.2f} s "
                "in a warm `publisher serve` with the cache and the fixes, search index "
                f"included; {serve:.2f} s without the search index "
                f"({_verdict(serve < hugo)}); a new `publisher build` process with the cache "
                f"and the fixes, no search index: "
                f"{row(size, 'ours cache fixed')['seconds']:.2f} s."
            )
    return [*lines, ""]


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def render_build(fig: dict[str, Any]) -> str:
    from bench import build_speed

    summary = fig["summary"]
    sizes = sorted({row["articles"] for row in summary.values()})

    def row(size: int, variant: str) -> dict[str, Any]:
        return summary.get(f"{size}|{variant}", {})

    lines = [
        "## Build speed",
        "",
        "`bench/build_speed.py`: synthetic sites of Indonesian-like articles (fixed word list and "
        "seed, ~400 words each with a subheading, a list and bold text, 2–4 tags, a lead image; "
        "`bench/synthetic.py`) built by our theme and plugins (`publisher.build.build_site`, "
        "which also runs `publisher check`), by stock Pelican and by Hugo. Every build is its "
        "own process; *time* is that process's wall time, interpreter start and imports "
        "included; *peak RSS* is its maximum resident memory (GNU time; for our build, the Python "
        "process's, Pagefind's own process is in the phase table). Rounds: "
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
            rss = r["python_maxrss_mb"] or r["maxrss_mb"]
            lines.append(
                f"| {size:,} | {COLD_LABELS[variant]} | {_s(r['seconds'])} | "
                f"{min(r['seconds_all']):.2f}–{max(r['seconds_all']):.2f} s | "
                f"{size / r['seconds']:.0f} | {r['html']:,} | {r['html'] / r['seconds']:.0f} | "
                f"{_mb(rss)} | "
                f"{_ratio(r['seconds'], stock.get('seconds'))} | "
                f"{_ratio(rss, stock.get('maxrss_mb'))} |"
            )
    lines += [
        "",
        "Where our build's time goes (medians, seconds): `check` is `publisher check` over every "
        "file, `pelican` is Pelican's run with our plugins, `pagefind` the search index; the "
        "rest is interpreter start, imports and the atomic swap. Pagefind runs in its own "
        "process while the build's Python process still holds its memory.",
        "",
        "| articles | build | check | pelican | pagefind | Pagefind peak RSS |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for size in sizes:
        for variant in build_speed.COLD:
            r = row(size, variant)
            if not r or not variant.startswith("ours"):
                continue
            phases = r["phases"]
            lines.append(
                f"| {size:,} | {COLD_LABELS[variant]} | {_s(phases.get('check'))} | "
                f"{_s(phases.get('pelican'))} | {_s(phases.get('pagefind'))} | "
                f"{_mb(r['pagefind_maxrss_mb'])} |"
            )
    lines += [
        "",
        "### Rebuild after editing one article",
        "",
        "One build fills Pelican's content cache (`CACHE_CONTENT`, `LOAD_CONTENT_CACHE`, reader "
        "level, made safe for embargoes as described under *Proposed changes*), one article gets "
        "a sentence more, and the next build is timed. *New process* is a fresh "
        "`publisher build`; *warm process* is what `publisher serve` does on every save "
        "(build, edit, rebuild in one process; the time is the rebuild's `build_site` alone). "
        "The comparison is Hugo's cold build of the same site.",
        "",
        "| articles | rebuild | time | peak RSS | time / Hugo cold |",
        "| ---: | --- | ---: | ---: | ---: |",
    ]
    for size in sizes:
        hugo = row(size, "hugo").get("seconds")
        for variant in ("ours+search", "ours"):
            r = row(size, variant)
            if r:
                label = "ours, no cache (= cold build), " + (
                    "with search" if "search" in variant else "no search"
                )
                lines.append(
                    f"| {size:,} | {label} | {_s(r['seconds'])} | "
                    f"{_mb(r['python_maxrss_mb'])} | {_ratio(r['seconds'], hugo)} |"
                )
        for variant in build_speed.REBUILD:
            r = row(size, variant)
            if not r:
                continue
            seconds = r["inner_seconds"] if "serve" in variant else r["seconds"]
            rss = r["python_maxrss_mb"] or r["maxrss_mb"]
            lines.append(
                f"| {size:,} | {REBUILD_LABELS[variant]} | {_s(seconds)} | {_mb(rss)} | "
                f"{_ratio(seconds, hugo)} |"
            )
        lines.append(f"| {size:,} | Hugo, cold build | {_s(hugo)} | "
                     f"{_mb(row(size, 'hugo').get('maxrss_mb'))} | 1.00 |")  # fmt: skip
    safety = fig.get("cache_safety", {})
    lines += [
        "",
        "Embargo check of the cache (a future-dated article, built before its time and then "
        "after it, the second build reading the cache the first one wrote): with Pelican's "
        "plain content cache the article "
        + ("appears on time" if safety.get("plain") else "**stays hidden** after its time")
        + "; with the safe cache it "
        + ("appears on time." if safety.get("safe") else "**does not appear** (a bug to fix)."),
    ]
    lines += ["", "### Where the time goes", ""]
    profile = fig.get("profile", {})
    if profile:
        before = dict(profile.get("as is", []))
        after = dict(profile.get("fixed", []))
        total_before, total_after = sum(before.values()), sum(after.values())
        lines += [
            f"cProfile of one build of {min(sizes):,} articles without search (`build_site` "
            "only; profiling slows Python down, so the seconds are larger than above and only "
            "the shares matter), by area (own time of the functions in it):",
            "",
            "| area | as is | share | with the fixes | share |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for area in sorted(before, key=lambda a: -before[a]):
            lines.append(
                f"| {area} | {before[area]:.2f} s | {100 * before[area] / total_before:.0f} % | "
                f"{after.get(area, 0.0):.2f} s | {100 * after.get(area, 0.0) / total_after:.0f} % |"
            )
        lines.append(f"| total | {total_before:.2f} s | | {total_after:.2f} s | |")
    lines += ["", *FINDINGS, ""]
    return "\n".join(lines)


FINDINGS = [
    "### Findings and proposed changes",
    "",
    "The bottleneck is not Pelican's Markdown: it is **YAML**. Every article's front matter "
    "was parsed five times per build with PyYAML's pure-Python loader: `frontmatter.parse` "
    "composes the block and then loads it again (twice), it runs once for `publisher check` "
    "and once in the reader (four), and the social-text check composes it a fifth time for "
    "line numbers (`campaign_reader.yaml_lines`). Second, a Pelican habit our reader copied: "
    "a new `Markdown()` per file, whose construction (loading the extensions, building the "
    "pattern tables) costs about as much as converting a 400-word article. Third, "
    "`publisher check` counts every title as the fallback social text on five platforms with "
    "the pure-Python `grapheme` library. Fourth, the theme's gettext looks each string up "
    "through a `Path` and an LRU cache, some 30 times a page. Pelican does not convert our "
    "Markdown twice (the summary comes from the front matter and is only escaped). It does "
    "write every page on every build; with the atomic staging-and-swap of `publisher build` "
    "that cannot change without tracking which pages depend on which article, so it is not "
    "proposed here.",
    "",
    'The fixes are measured above as "ours + proposed fixes": the benchmark applies exactly '
    "these edits to the functions' source inside the build process (`PROPOSED` in "
    "`bench/build_speed.py`). When this benchmark was written, the project's own site built "
    "with them byte-identical (apart from wall-clock timestamps in the sitemap and campaign "
    "feed); `pytest -m 'not browser'` over test_build, test_check, test_i18n, "
    "test_campaigns, test_press, test_site_html, test_new, test_counters, test_compose and "
    "test_scheduler passed (221 tests); and `frontmatter.parse` and "
    "`campaign_reader.yaml_lines` gave identical results or errors, fixed or not, on 16 "
    "edge cases (anchors, aliases, a billion-laughs block, nesting 30 and 40 deep in lists "
    "and in fields, duplicate and list keys, broken YAML, unquoted colons, dates, `R&D` in "
    "text, an empty block).",
    "",
    "1. `publisher/frontmatter.py`: libyaml's parser wherever it is safe. Add "
    "`_StrictCLoader` (`yaml.CSafeLoader` with `_StrictLoader`'s implicit resolvers, so dates "
    "stay text) and `_fast_compose(block)`, which leaves the block to `_StrictLoader` when it "
    "contains `&` or `*` (a possible anchor or alias), when libyaml cannot parse it, or when it "
    "nests deeper than `MAX_DEPTH` (counted without recursion); so every refusal of the "
    "hardened loader and every error message stay exactly as they are. `compose()` calls it "
    "first, and `parse()` builds the data from the composed nodes with `_StrictLoader`'s "
    'constructors (`_StrictLoader("").construct_document(node)`: the duplicate-key and '
    "field-name checks included) instead of parsing the block a second time with "
    "`yaml.load`. The helpers are written out in `bench/build_speed.py` (`_fast_compose`, "
    "`_depth`, `_construct`).",
    "2. `publisher/campaign_reader.py`, `yaml_lines`: nothing to do; it goes through "
    "`frontmatter.compose` and is fast with it.",
    "3. `publisher/reader.py`: one `Markdown` per reader instance, "
    "`self._md.reset().convert(fm.body)` per file.",
    "4. `publisher/counters.py`: `@functools.lru_cache(maxsize=65536)` on `count` (a pure "
    "function of platform, text and the frozen limits); a cold build gains little, a warm "
    "`publisher serve` recounts only what changed.",
    "5. `publisher/i18n.py`, `install()`: build `{lang: {msgid: msgstr}}` once (same rules "
    "as `translate()`: no empty or fuzzy entries) and look strings up in it.",
    "6. The content cache, made safe for embargoes: in `publisher/pelican_plugin.py`, "
    "(a) wrap `cache_data` of the `Readers` passed to `readers_init` so a `skip` result "
    "(embargoed or future item) and any release (its metadata holds contacts and attachment "
    "sizes read from other files) are never cached, so they are read afresh every build; "
    "(b) connect `article_generator_context` and `page_generator_context`, which Pelican "
    "sends after its cache lookup, to decide liveness again from the cached `meta` with the "
    'build\'s `now` (`status = "skip"` when not live) and fill `reader.LIVE_FILES` / '
    "`HELD_FILES` there, since a cached read never runs the reader. Then in pelicanconf.py "
    "`CACHE_CONTENT = True`, `LOAD_CONTENT_CACHE = True`, `CONTENT_CACHING_LAYER = "
    '"reader"` (the generator layer caches whole articles and bypasses those signals), '
    "and a `CACHE_PATH` under `var/` that names a hash of pelicanconf.py, data/ and the "
    "publisher version, because Pelican never invalidates its cache when settings or data "
    "change. Checked when this benchmark was written: the non-browser tests of test_build, "
    "test_press, test_site_html, test_i18n, test_campaigns and test_engine_e2e, with the fixes "
    "and one cache shared by every build of the session, all passed (75); with Pelican's plain "
    "cache instead, 6 failed (an embargoed release stays hidden after its time: in the pages, "
    "in the search index, and for the scheduler's go-live).",
    "",
    "What remains after these: Markdown itself, Jinja rendering of every page, Pelican's URL "
    "bookkeeping and `publisher check` (the *check* column above; the title-as-social-text "
    "counts could take a length-bound fast path). A rebuild faster than Hugo's cold build "
    "would also need incremental writing (Pelican's `WRITE_SELECTED` over a copy of the "
    "previous output, with a map of which lists show which article) and an incremental "
    "search index, which Pagefind does not offer; not proposed.",
]


# --- search ---


def render_search(fig: dict[str, Any]) -> str:
    lines = [
        "## Search index (Pagefind)",
        "",
        "`bench/search_index.py`: Pagefind run as `publisher build` runs it "
        "(`python -m pagefind`, own process, GNU time), "
        f"median of {len(next(v for k, v in fig.items() if isinstance(v, dict) and 'index' in v)['index']['seconds_all'])} "
        "runs; the index as the build leaves it (Pagefind's UI bundles deleted). The search "
        "bytes are counted in headless Chromium on the real search page (`/cari/`), a fresh "
        f"browser profile per search, served by {fig.get('server', '?')}: every /pagefind/ "
        "response, headers and body as transferred.",
        "",
        "| site | pages indexed | index time | Pagefind peak RSS | index size | per page |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    sites = {k: v for k, v in fig.items() if isinstance(v, dict) and "index" in v}
    for label, site in sites.items():
        size = site["size"]
        lines.append(
            f"| {label} | {size['pages']:,} | {_s(site['index']['seconds'])} | "
            f"{_mb(site['index']['maxrss_mb'])} | {size['total_bytes'] / 1e6:.2f} MB "
            f"({size['files']:,} files) | {size['bytes_per_page'] / 1e3:.1f} kB |"
        )
    lines += [
        "",
        "What one one-word search downloads (first search on the page, nothing cached):",
        "",
        "| site | word | requests | bytes | of which: JS + WebAssembly | metadata + entry | "
        "index chunks | result fragments |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, site in sites.items():
        for search in site["searches"]:
            kinds = search["by_kind"]

            def kb(*names: str, kinds: dict[str, Any] = kinds) -> str:
                return f"{sum(kinds.get(n, {}).get('bytes', 0) for n in names) / 1e3:.1f} kB"

            lines.append(
                f"| {label} | {search['word']} | {search['requests']} | "
                f"{search['bytes'] / 1e3:.1f} kB | {kb('JavaScript', 'WebAssembly')} | "
                f"{kb('metadata', 'entry JSON')} | {kb('index chunks')} | "
                f"{kb('fragments of the results shown')} |"
            )
    lines += [
        "",
        "Only the search page loads any of this (tests/test_browser.py checks that no other "
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
        "| page | path | score | LCP | FCP | TBT | CLS | bytes | scores of the runs |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, page in fig["pages"].items():
        lines.append(
            f"| {name} | `{page['path']}` | {page['score']:.0f} | {page['lcp_ms']:.0f} ms | "
            f"{page['fcp_ms']:.0f} ms | {page['tbt_ms']:.0f} ms | {page['cls']:.3f} | "
            f"{page['bytes'] / 1e3:.1f} kB | {', '.join(str(s) for s in page['scores'])} |"
        )
    search = fig["pages"].get("search", {})
    if search.get("score", 100) < 100 and search.get("cls", 0) > 0:
        lines += ["", *SEARCH_SHIFT]
    lines.append("")
    return "\n".join(lines)


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


def _run_build(quick: bool) -> dict[str, Any]:
    from bench import build_speed

    return build_speed.run([200, 400], 1) if quick else build_speed.run([1000, 5000])


def _run_search(quick: bool) -> dict[str, Any]:
    from bench import search_index

    return search_index.run(200, 1) if quick else search_index.run(1000, 5)


def _run_lighthouse(quick: bool) -> dict[str, Any]:
    from bench import lighthouse_perf

    return lighthouse_perf.run(1) if quick else lighthouse_perf.run(5)


BENCHMARKS: dict[str, tuple[str, Callable[[bool], dict[str, Any]], Callable[[dict], str]]] = {
    # name: (section, run(quick) -> figures, render); imported late: after the snapshot
    "build": ("build-speed", _run_build, render_build),
    "search": ("search-index", _run_search, render_search),
    "lighthouse": ("lighthouse", _run_lighthouse, render_lighthouse),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(BENCHMARKS), default=list(BENCHMARKS))
    parser.add_argument("--quick", action="store_true", help="Small sizes, one round.")
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
        stored = raw / "code.json"
        if args.resume and stored.exists():
            code = json.loads(stored.read_text(encoding="utf-8"))
        else:
            code = snapshot(code_dir)
            stored.write_text(json.dumps(code), encoding="utf-8")
        os.environ["BENCH_CODE"] = str(code_dir)  # read by the bench modules when imported
        sections = {"machine": render_machine(machine(), code)}
        for name in args.only:
            section, runner, render = BENCHMARKS[name]
            stored = raw / f"{name}.json"
            if args.resume and stored.exists():
                figures = json.loads(stored.read_text(encoding="utf-8"))
            else:
                print(f"== {name}", flush=True)
                figures = runner(args.quick)
                stored.write_text(json.dumps(figures, indent=1), encoding="utf-8")
            sections[section] = render(figures)
        write_sections(args.doc, sections)
    finally:
        shutil.rmtree(code_dir, ignore_errors=True)
    print(f"Raw figures in {raw}; wrote {args.doc}")


if __name__ == "__main__":
    main()
