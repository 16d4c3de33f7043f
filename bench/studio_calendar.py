"""The studio's calendar with 500 scheduled items: page weight and time to first render.

Run: .venv/bin/python bench/studio_calendar.py [--runs 7] [--items 500] [--write]

A copy of the project gets 500 scheduled items in one month (August 2027): 200 future news
posts with their social posts, and 300 calendar posts in five campaigns; the ledger holds a
pending row for every post and platform, as the engine's sync leaves it. The studio runs on
uvicorn (127.0.0.1) and is measured three ways:
- the server: time for one GET of the month and of the week view (median of --runs);
- the weight: the HTML, CSS and JS one view loads, raw and gzipped (nginx-studio.conf
  gzips text; no image is loaded by the calendar);
- Chromium: first contentful paint and load of each view, unthrottled and on an emulated
  slow connection (1.6 Mbit/s down, 150 ms round trip: "fast 3G", a cheap laptop on a phone
  tether), median of --runs.
With --write the table replaces the section between the bench markers of docs/studio.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from publisher.core.settings import for_project  # noqa: E402
from publisher.engine.ledger import Ledger, NewPart  # noqa: E402
from publisher.studio import items  # noqa: E402
from tests.studio.demo import (  # noqa: E402
    PASSWORD,
    STAFF,
    build,
    copy_project,
    make_repository,
    serving,
    studio_app,
)
from tests.support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

MONTH = dt.date(2027, 8, 1)
NOW = dt.datetime(2027, 7, 25, 3, 0, tzinfo=dt.UTC)
PLATFORMS = ["x", "mastodon", "bluesky", "facebook", "telegram"]
WORDS = [
    "warga",
    "desa",
    "belajar",
    "mengenali",
    "tawaran",
    "kerja",
    "palsu",
    "sebelum",
    "berangkat",
    "lewat",
    "jalur",
    "resmi",
    "dengan",
    "perjanjian",
    "kerja",
    "dan",
    "visa",
    "kerja",
    "bersama",
    "keluarga",
]


def _sentence(seed: int, size: int) -> str:
    return " ".join(WORDS[(seed * 7 + n * 3) % len(WORDS)] for n in range(size)).capitalize()


def add_items(root: Path, count: int) -> None:
    """`count` scheduled items in MONTH: 40% news posts, 60% calendar posts (5 campaigns)."""
    articles = count * 2 // 5
    for n in range(articles):
        day = MONTH + dt.timedelta(days=n % 28)
        slug = f"jadwal-{n:03d}"
        (root / "content" / "berita" / f"{slug}.md").write_text(
            f"---\nid: bench-{n:03d}\ntitle: {_sentence(n, 6)}\nslug: {slug}\n"
            f"date: {day.isoformat()} {8 + n % 10:02d}:00\nsummary: {_sentence(n + 1, 12)}.\n"
            f"social: {_sentence(n + 2, 18)}. #CegahTPPO\n---\n\n{_sentence(n + 3, 60)}.\n",
            encoding="utf-8",
        )
    posts = count - articles
    for c in range(5):
        lines = [
            "---", f"title: Kampanye uji {c + 1}", f"slug: kampanye-uji-{c + 1}",
            f"start: {MONTH.isoformat()} 00:00", "end: 2027-08-31",
            "summary: Kampanye untuk mengukur kalender studio.", "hashtags: [CegahTPPO]",
            f"platforms: [{', '.join(PLATFORMS)}]", "image:",
            "  src: images/og-default.png", "  alt: Kartu ajakan mencegah perdagangan orang.",
            "status: published", "posts:",
        ]  # fmt: skip
        for n in range(c, posts, 5):
            day = MONTH + dt.timedelta(days=n % 30)
            lines += [
                f"  - id: pos-{n:03d}",
                f"    at: {day.isoformat()} {7 + n % 12:02d}:30",
                f"    platforms: [{', '.join(PLATFORMS[: 2 + n % 4])}]",
                f"    text: {_sentence(n, 24)}. #CegahTPPO",
                "    link: bantuan",
            ]
        lines += ["---", "", "Kampanye untuk mengukur kalender studio.", ""]
        (root / "campaigns" / f"kampanye-uji-{c + 1}.md").write_text("\n".join(lines))


def fill_ledger(app: object) -> int:
    """A pending row per post and platform, as the engine's sync leaves them."""
    studio = app.state.studio  # type: ignore[attr-defined]
    library = items.load(studio)
    ledger = Ledger.open(for_project(studio.project).ledger, actor="bench")
    count = 0
    try:
        for item in library.planned():
            for platform in item.platforms or PLATFORMS:
                ledger.put_group(item.key, platform, item.due, [NewPart(item.text)], "h", NOW)
                count += 1
    finally:
        ledger.close()
    return count


def weight(client: httpx.Client, path: str) -> tuple[int, int, int]:
    """(raw bytes, gzipped bytes, requests) of the page and the CSS and JS it loads."""
    html = client.get(path).content
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    bodies = [html] + [client.get(a.decode().replace("&amp;", "&")).content for a in assets]
    return sum(map(len, bodies)), sum(len(gzip.compress(b, 6)) for b in bodies), len(bodies)


def server_ms(client: httpx.Client, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# The paint entry may come a moment after `load`: wait for it (buffered) rather than read it.
FIRST_PAINT = """new Promise(done => {
  new PerformanceObserver(list => {
    const entry = list.getEntriesByName("first-contentful-paint")[0];
    if (entry) done(entry.startTime);
  }).observe({type: "paint", buffered: true});
  setTimeout(() => done(-1), 10000);
})"""


def paints(url: str, paths: list[str], runs: int, slow: bool) -> dict[str, tuple[float, float]]:
    found: dict[str, list[tuple[float, float]]] = {p: [] for p in paths}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/login")
        page.get_by_label("Nama").fill(STAFF["editor"])
        page.get_by_label("Kata sandi").fill(PASSWORD)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_load_state()
        if slow:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {
                "offline": False, "latency": 150,
                "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8,
            })  # fmt: skip
        for _ in range(runs):
            for path in paths:
                page.goto(f"{url}{path}", wait_until="load")
                fcp = page.evaluate(FIRST_PAINT)
                load = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
                found[path].append((fcp, load))
        browser.close()
    return {
        p: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for p, values in found.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--write", action="store_true", help="rewrite docs/studio.md's table")
    args = parser.parse_args()
    views = {"month": "/calendar?view=month&day=2027-08-01", "week": "/calendar?day=2027-08-09"}
    with tempfile.TemporaryDirectory(prefix="studio-bench-") as folder:
        root = copy_project(Path(folder) / "project")
        add_items(root, args.items)
        build(root, NOW)
        project = make_repository(root)
        app = studio_app(project, NOW)
        rows = fill_ledger(app)
        with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
            client.post("/login", data={"name": STAFF["editor"], "password": PASSWORD,
                                        "csrf_token": token.group(1) if token else ""})  # fmt: skip
            started = time.perf_counter()
            client.get(views["month"]).raise_for_status()  # cold: nothing read before
            cold = (time.perf_counter() - started) * 1000
            entries = {v: client.get(p).text.count('class="entry ') for v, p in views.items()}
            month_entries = client.get(views["month"]).text.count('<li class="s-')
            figures = {
                v: (server_ms(client, p, args.runs), *weight(client, p)) for v, p in views.items()
            }
            fast = paints(url, list(views.values()), args.runs, slow=False)
            slow = paints(url, list(views.values()), args.runs, slow=True)
    lines = [
        f"`.venv/bin/python bench/studio_calendar.py --runs {args.runs}` on {dt.date.today()}: "
        f"{args.items} scheduled items in August 2027 ({args.items * 2 // 5} news posts, "
        f"{args.items - args.items * 2 // 5} calendar posts in 5 campaigns), {rows} pending "
        "ledger rows; medians. The week view lists "
        f"{entries['week']} entries in full; the month view shows {month_entries} "
        '(three a day, then a "+N more" link). The first view after the studio started '
        f"(every file and row read, nothing remembered) took {cold:.0f} ms on the server.",
        "",
        "| view | server (GET) | page weight raw | gzipped | requests | first paint | load | "
        "first paint, fast 3G | load, fast 3G |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for view, path in views.items():
        ms, raw, packed, requests = figures[view]
        lines.append(
            f"| {view} | {ms:.0f} ms | {raw / 1024:.0f} KB | {packed / 1024:.1f} KB | {requests} "
            f"| {fast[path][0]:.0f} ms | {fast[path][1]:.0f} ms | {slow[path][0]:.0f} ms "
            f"| {slow[path][1]:.0f} ms |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        write(table)


def write(table: str) -> None:
    """Put `table` between the bench markers of docs/studio.md."""
    docs = ROOT / "docs" / "studio.md"
    start, end = "<!-- bench:studio-calendar -->", "<!-- /bench:studio-calendar -->"
    text = docs.read_text(encoding="utf-8")
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    docs.write_text(f"{head}{start}\n{table}\n{end}{tail}", encoding="utf-8")


if __name__ == "__main__":
    main()
