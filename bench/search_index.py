"""Search (Pagefind): index time and size for 1,000 synthetic articles, and what one search costs.

Run: .venv/bin/python bench/search_index.py [--articles 1000 20000] [--runs 3]
(bench/run_all.py runs it and writes docs/benchmarks.md.)

- Index time: the very command `publisher build` runs (publisher.site.build.index_for_search:
  Pagefind's binary), on a site built with our theme, timed `runs` times in its own
  process under GNU time (wall time and peak RSS), median reported.
- Index size: what the build keeps under pagefind/ (it deletes Pagefind's UI bundles), in
  total and per indexed page, by kind of file.
- One search: the real search page (/cari/) in headless Debian Chromium through Playwright,
  a fresh browser context (empty cache) per search; every /pagefind/ response is counted with
  its transferred size (headers + body as sent). Served by nginx with deploy/nginx.conf when
  it is installed (gzip on the fly for Pagefind's JavaScript, as on the live site), else by
  Python's http.server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODE = Path(os.environ.get("BENCH_CODE") or ROOT)  # see bench/synthetic.py
sys.path.insert(0, str(CODE))

from pagefind.service import get_executable  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench import synthetic  # noqa: E402
from bench.lighthouse_perf import nginx_serving, nginx_usable  # noqa: E402
from publisher.core.timeutil import parse_time  # noqa: E402
from publisher.site.build import build_site  # noqa: E402
from tests.conftest import BUILD_NOW  # noqa: E402
from tests.ops.test_nginx import free_port  # noqa: E402
from tests.support import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402

TIME = "/usr/bin/time"
WORDS = ("paspor", "lowongan")  # one-word searches: a common word and a rarer one
SEARCH_PAGE = "/cari/"
ONE_INDEX = "one-index"  # the whole-site index, kept beside the shards for comparison
ONE_RUN_ONCE = 5000  # above this many articles the whole-site Pagefind run is timed once
WORK_DIR = os.environ.get("BENCH_TMPDIR") or (  # a RAM disk when there is one: as build_speed
    "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
)


def build_synthetic(work: Path, articles: int) -> Path:
    """Our theme over `articles` synthetic articles, without the search index."""
    sites = synthetic.write_sites(work / "site", articles)
    output = work / "synthetic-output"
    build_site(
        CODE / "pelicanconf.py",
        output=output,
        now=parse_time(synthetic.BUILD_NOW.strftime("%Y-%m-%d %H:%M")),
        overrides={
            "PATH": str(sites.ours_content),
            "SEARCH_INDEX": False,
            "CACHE_PATH": str(work / "cache"),
        },
    )
    return output


def time_index(site: Path, runs: int, work: Path, one_run: int) -> dict[str, Any]:
    """Median wall time and peak RSS of Pagefind over the whole site (`one_run` times) and
    of the index in shards as the build makes it (`runs` times)."""
    seconds, rss = [], []
    for _ in range(one_run):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        rss_file = work / "pagefind.rss"
        cmd = [str(get_executable()), "--site", str(site), "--output-subdir", "pagefind"]
        started = time.perf_counter()
        subprocess.run(
            [TIME, "-f", "%M", "-o", str(rss_file), *cmd],
            check=True,
            capture_output=True,
            timeout=600,
        )
        seconds.append(time.perf_counter() - started)
        rss.append(int(rss_file.read_text().split()[-1]) / 1024)
    # Kept for one_index_searches(): what a search costs without shards.
    shutil.rmtree(work / ONE_INDEX, ignore_errors=True)
    (site / "pagefind").rename(work / ONE_INDEX)
    # The index as `publisher build` makes it: in shards, one Pagefind run each (UI bundles
    # removed), timed in a process of its own; GNU time's peak is its largest process.
    sharded_seconds, sharded_rss = [], []
    for _ in range(runs):
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        rss_file = work / "sharded.rss"
        code = ("import sys; from pathlib import Path; from publisher.site.build import "
                "index_for_search as i; s = Path(sys.argv[1]); i(s, s / 'pagefind')")  # fmt: skip
        started = time.perf_counter()
        subprocess.run(
            [TIME, "-f", "%M", "-o", str(rss_file), sys.executable, "-c", code, str(site)],
            check=True,
            capture_output=True,
            timeout=1800,
            cwd=CODE,
            env={**os.environ, "PYTHONPATH": str(CODE)},
        )
        sharded_seconds.append(time.perf_counter() - started)
        sharded_rss.append(int(rss_file.read_text().split()[-1]) / 1024)
    return {
        "seconds": statistics.median(seconds),
        "seconds_all": [round(s, 2) for s in seconds],
        "maxrss_mb": statistics.median(rss),
        "sharded_seconds": statistics.median(sharded_seconds),
        "sharded_maxrss_mb": statistics.median(sharded_rss),
    }


def one_index_searches(site: Path, work: Path) -> list[dict[str, Any]]:
    """The same searches over the one-run index (put where the search page finds a shard),
    then the sharded index back in place."""
    sharded = work / "sharded-index"
    shutil.rmtree(sharded, ignore_errors=True)
    (site / "pagefind").rename(sharded)
    try:
        (site / "pagefind").mkdir()
        (work / ONE_INDEX).rename(site / "pagefind" / "all-0")
        manifest = {"version": 1, "languages": {"id": ["all-0"], "en": ["all-0"]}}
        (site / "pagefind" / "shards.json").write_text(json.dumps(manifest), encoding="utf-8")
        return searches(site, work)[1]
    finally:
        shutil.rmtree(site / "pagefind", ignore_errors=True)
        sharded.rename(site / "pagefind")


def index_size(site: Path) -> dict[str, Any]:
    folder = site / "pagefind"
    kinds: dict[str, list[int]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            kind = path.suffix or path.name
            kinds.setdefault(kind, []).append(path.stat().st_size)
    languages: set[str] = set()
    pages = 0
    for entry_file in folder.rglob("pagefind-entry.json"):  # one per shard
        entry = json.loads(entry_file.read_text(encoding="utf-8"))
        pages += sum(lang["page_count"] for lang in entry["languages"].values())
        languages.update(entry["languages"])
    shards = json.loads((folder / "shards.json").read_text(encoding="utf-8"))["shards"]
    total = sum(sum(sizes) for sizes in kinds.values())
    return {
        "pages": pages,
        "languages": sorted(languages),
        "shards": len(shards),
        "total_bytes": total,
        "bytes_per_page": total / pages,
        "files": sum(len(sizes) for sizes in kinds.values()),
        "by_kind": {kind: {"files": len(s), "bytes": sum(s)} for kind, s in sorted(kinds.items())},
    }


def _kind(url: str) -> str:
    name = url.split("?", 1)[0].rsplit("/", 1)[-1]
    for suffix, label in (
        (".pf_fragment", "fragments of the results shown"),
        (".pf_index", "index chunks"),
        (".pf_meta", "metadata"),
        (".pf_filter", "filters"),
        (".pagefind", "WebAssembly"),  # wasm.<language>.pagefind
        (".json", "entry JSON"),
        (".js", "JavaScript"),
    ):
        if name.endswith(suffix):
            return label
    return "other"


def one_search(base: str, word: str) -> dict[str, Any]:
    """Open the search page in a fresh context, search `word`, count /pagefind/ bytes."""
    rows: list[tuple[str, int]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640})
        page = context.new_page()

        def finished(request: Any) -> None:
            if "/pagefind/" in request.url:
                sizes = request.sizes()
                rows.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

        page.on("requestfinished", finished)
        page.goto(f"{base}{SEARCH_PAGE}")
        page.fill("#q", word)
        started = time.perf_counter()
        page.press("#q", "Enter")
        page.locator("#search-results li a").first.wait_for(timeout=30_000)
        seconds = time.perf_counter() - started  # Enter to the first result shown
        page.wait_for_load_state("networkidle")
        results = page.locator("#search-results li").count()
        context.close()
        browser.close()
    by_kind: dict[str, dict[str, int]] = {}
    for url, size in rows:
        slot = by_kind.setdefault(_kind(url), {"requests": 0, "bytes": 0})
        slot["requests"] += 1
        slot["bytes"] += size
    return {
        "word": word,
        "results_shown": results,
        "seconds_to_first_result": round(seconds, 3),
        "requests": len(rows),
        "bytes": sum(size for _, size in rows),
        "by_kind": by_kind,
    }


def searches(site: Path, work: Path) -> tuple[str, list[dict[str, Any]]]:
    if nginx_usable():
        port = free_port()
        with nginx_serving(site, port, work) as base:
            return "nginx with deploy/nginx.conf", [one_search(base, w) for w in WORDS]
    with serve_folder(site) as base:
        return "Python http.server (no compression)", [one_search(base, w) for w in WORDS]


def run(sizes: list[int], runs: int = 3, log: Any = print) -> dict[str, Any]:
    """Index and search each synthetic size, then the project's own site. Sizes above
    ONE_RUN_ONCE time the whole-site Pagefind run once (it takes GBs: what shards avoid)."""
    with tempfile.TemporaryDirectory(prefix="bench-search-", dir=WORK_DIR) as temp:
        work = Path(temp)
        found: dict[str, Any] = {"articles": sizes}
        project = work / "project-output"
        build_site(
            CODE / "pelicanconf.py",
            output=project,
            now=BUILD_NOW,
            overrides={"SEARCH_INDEX": False, "CACHE_PATH": str(work / "cache")},
        )
        targets = [(f"synthetic, {n:,} articles", n) for n in sizes]
        for label, articles in [*targets, ("the project's own site", 0)]:
            site = build_synthetic(work / str(articles), articles) if articles else project
            one_run = 1 if articles > ONE_RUN_ONCE else runs
            timing = time_index(site, runs, work, one_run)
            log(f"pagefind {label}: {timing['sharded_seconds']:.2f}s in shards, "
                f"{timing['sharded_maxrss_mb']:.0f} MB")  # fmt: skip
            server, rows = searches(site, work)
            found[label] = {"index": timing, "size": index_size(site), "searches": rows}
            found[label]["searches_one_index"] = one_index_searches(site, work)
            found["server"] = server
            if articles:
                shutil.rmtree(site.parent, ignore_errors=True)
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    args = parser.parse_args()
    text = json.dumps(run(args.articles, args.runs), indent=1)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
