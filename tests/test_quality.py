"""Quality the way browser vendors and validators measure it: Nu Html Checker, Lighthouse, weight."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.support import CHROMIUM, CHROMIUM_ARGS, ROOT, html_pages

VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
LIGHTHOUSE = ROOT / "node_modules/lighthouse/cli/index.js"
# One page of every type (issue 9): home, help, article, release, press room, campaign,
# search, English home.
PAGE_TYPES = {
    "home": "/",
    "help": "/bantuan/",
    "article": "/berita/2026/tips-sebelum-menerima-tawaran-kerja-luar-negeri/",
    "release": "/siaran-pers/sp-2026-001/",
    "press room": "/ruang-media/",
    "campaign": "/kampanye/hari-dunia-anti-perdagangan-orang-2027/",
    "search": "/cari/",
    "english home": "/en/",
}
ROUND_TRIP_BYTES = 14_336
PAGE_LIMIT_BYTES = 100 * 1024


def test_every_page_type_exists(output: Path) -> None:
    for path in PAGE_TYPES.values():
        assert (output / path.strip("/") / "index.html").is_file(), path


def test_nu_html_checker_finds_no_errors(output: Path) -> None:
    pages = [str(p) for p in html_pages(output)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "gnu", *pages],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr or result.stdout
    assert result.stderr.strip() == ""


def test_the_checker_does_catch_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=id><title>x</title><p><div></p>")
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "error" in result.stderr


def _lighthouse(url: str, report: Path) -> dict:
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    subprocess.run(
        [
            "node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            "--only-categories=accessibility,best-practices,seo", "--form-factor=mobile",
            f"--chrome-flags={flags}",
        ],
        check=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    return json.loads(report.read_text())


@pytest.mark.browser
@pytest.mark.parametrize("path", list(PAGE_TYPES.values()), ids=list(PAGE_TYPES))
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(
    site_url: str, path: str, tmp_path: Path
) -> None:
    report = _lighthouse(f"{site_url}{path}", tmp_path / "report.json")
    scores = {name: category["score"] for name, category in report["categories"].items()}
    failing = [
        f"{audit['id']}: {audit['title']}"
        for audit in report["audits"].values()
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
    ]
    assert scores == {"accessibility": 1, "best-practices": 1, "seo": 1}, failing


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def page_weight(page: Path) -> tuple[int, int]:
    """(HTML + render-blocking CSS, gzipped; everything the page loads but images, gzipped)."""
    soup = BeautifulSoup(page.read_bytes(), "lxml")
    html = _gz(page.read_bytes())
    blocking_css = sum(
        _gz((page.parent / link["href"]).resolve().read_bytes())
        for link in soup.find_all("link", rel="stylesheet")
        if link.get("media", "all") in ("all", "screen")
    )
    other = sum(
        _gz((page.parent / ref).resolve().read_bytes())
        for ref in [
            link["href"]
            for link in soup.find_all("link", rel="stylesheet")
            if link.get("media") == "print"
        ]
        + [script["src"] for script in soup.find_all("script", src=True)]
    )
    return html + blocking_css, html + blocking_css + other


def test_page_weight_budgets(output: Path) -> None:
    rows = {str(p.relative_to(output)): page_weight(p) for p in html_pages(output)}
    for name in ("index.html", "bantuan/index.html", "en/index.html", "en/bantuan/index.html"):
        assert rows[name][0] <= ROUND_TRIP_BYTES, (name, rows[name])
    heavy = {name: total for name, (_, total) in rows.items() if total > PAGE_LIMIT_BYTES}
    assert heavy == {}
