"""Lighthouse performance of the 8 page types of tests/test_quality.py, as the live site serves them.

Run: .venv/bin/python bench/lighthouse_perf.py [--runs 5]
(bench/run_all.py runs it and writes docs/benchmarks.md.)

The site is the project's own content, built for production (publishconf.py: fingerprinted
assets, brotli and gzip twins) and served on 127.0.0.1 by Debian's nginx with the shipped
deploy/nginx.conf, as tests/ops/test_nginx.py does; without nginx and its brotli module it falls
back to a development build on Python's http.server (no compression), and says so.
Lighthouse 12 (node_modules) drives Debian's Chromium: mobile profile, simulated throttling
(Lighthouse's defaults: slow 4G, 4x CPU slowdown). The pages are run in turn, `runs` rounds,
and the median of each figure is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CODE = Path(os.environ.get("BENCH_CODE") or ROOT)  # see bench/synthetic.py
sys.path.insert(0, str(CODE))

from publisher.site.build import build_site  # noqa: E402
from tests.conftest import BUILD_NOW  # noqa: E402
from tests.ops.test_nginx import BROTLI_MODULE, NGINX, fill, free_port, main_config, wait_for  # noqa: E402
from tests.support import CHROMIUM, CHROMIUM_ARGS, serve_folder  # noqa: E402
from tests.test_quality import LIGHTHOUSE, PAGE_TYPES  # noqa: E402

AUDITS = {  # figure -> Lighthouse audit id
    "lcp_ms": "largest-contentful-paint",
    "fcp_ms": "first-contentful-paint",
    "tbt_ms": "total-blocking-time",
    "cls": "cumulative-layout-shift",
    "bytes": "total-byte-weight",
}
# The performance category's image audits (issue 21): a page fails one when its score is
# below 1 (Lighthouse 12 scores these 0 or 1; an audit that does not apply has no score).
IMAGE_AUDITS = ("uses-responsive-images", "modern-image-formats", "uses-optimized-images",
                "offscreen-images", "unsized-images", "prioritize-lcp-image",
                "lcp-lazy-loaded", "efficient-animated-content")  # fmt: skip


def nginx_usable() -> bool:
    return Path(NGINX).exists() and Path(BROTLI_MODULE).exists()


@contextmanager
def nginx_serving(folder: Path, port: int, work: Path) -> Iterator[str]:
    """Debian's nginx with the shipped server block, serving `folder` on 127.0.0.1:port."""
    base = work / f"nginx-{port}"
    base.mkdir()
    block = base / "tppo.conf"
    template = (CODE / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    block.write_text(fill(template, f"127.0.0.1:{port}", "localhost", folder), encoding="utf-8")
    conf = base / "nginx.conf"
    conf.write_text(main_config(base, block), encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-e", str(base / "error.log"), "-p", str(base), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def nginx_site(work: Path) -> Iterator[tuple[str, str]]:
    """A production build served by nginx with deploy/nginx.conf; yields (base URL, how)."""
    port = free_port()
    output = work / "output"
    previous = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"  # how publishconf.py is told the address
    try:
        build_site(CODE / "publishconf.py", output=output, now=BUILD_NOW)
    finally:
        if previous is None:
            os.environ.pop("SITE_URL", None)
        else:
            os.environ["SITE_URL"] = previous
    with nginx_serving(output, port, work) as url:
        yield url, "production build (publishconf.py) on nginx with deploy/nginx.conf"


@contextmanager
def plain_site(work: Path) -> Iterator[tuple[str, str]]:
    output = work / "output"
    build_site(CODE / "pelicanconf.py", output=output, now=BUILD_NOW)
    with serve_folder(output) as url:
        yield url, "development build on Python's http.server (no compression)"


def lighthouse(url: str, report: Path) -> dict[str, Any]:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
         "--only-categories=performance", "--form-factor=mobile", f"--chrome-flags={flags}"],
        check=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    data = json.loads(report.read_text(encoding="utf-8"))
    found = {"score": round(data["categories"]["performance"]["score"] * 100)}
    for name, audit in AUDITS.items():
        found[name] = data["audits"][audit]["numericValue"]
    failed = [
        a for a in IMAGE_AUDITS if (data["audits"].get(a) or {}).get("score") not in (None, 1)
    ]
    found["image_failures"] = len(failed)
    found["image_failed"] = failed
    return found


def run(runs: int = 5, log: Any = print) -> dict[str, Any]:
    usable = nginx_usable()
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as temp:
        work = Path(temp)
        with (nginx_site if usable else plain_site)(work) as (base, how):
            results: dict[str, list[dict[str, Any]]] = {name: [] for name in PAGE_TYPES}
            for round_ in range(runs):
                for name, path in PAGE_TYPES.items():  # pages in turn, not one page 5 times
                    found = lighthouse(f"{base}{path}", work / "report.json")
                    results[name].append(found)
                    log(f"lighthouse {name} #{round_ + 1}: {found['score']} "
                        f"LCP {found['lcp_ms']:.0f} ms, {found['bytes']:.0f} B")  # fmt: skip
    version = json.loads((LIGHTHOUSE.parent.parent / "package.json").read_text())["version"]
    return {
        "server": how,
        "runs": runs,
        "lighthouse": version,
        "pages": {
            name: {
                "path": PAGE_TYPES[name],
                **{key: statistics.median(r[key] for r in rows) for key in ("score", *AUDITS)},
                "scores": [r["score"] for r in rows],
                "image_failures": max(r["image_failures"] for r in rows),
                "image_failed": sorted({a for r in rows for a in r["image_failed"]}),
            }
            for name, rows in results.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="Write the figures here.")
    args = parser.parse_args()
    text = json.dumps(run(args.runs), indent=1)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
