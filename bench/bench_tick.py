"""Benchmark: one publisher tick over a 10,000-row ledger and a 1,000-entry feed.

Run: .venv/bin/python bench/bench_tick.py
At archive scale (issue 21): .venv/bin/python bench/bench_tick.py --items 20000 --history 20000
(20,000 items x 5 platforms + 20,000 older rows = 120,000 rows; its own section, between
`<!-- bench:tick-archive -->` markers; also `bench/run_all.py --only tick`).
Writes the figures into docs/benchmarks.md, section "Publisher tick" (other sections kept).
Everything happens in a temporary folder on this machine's disk (the ledger's commits are
durable, fsync included). Platform time is excluded: the adapters answer at once (they
still go through the whole send path: claim, post, result, per-platform threads). The
images are served from 127.0.0.1, so Facebook's check that its image is live is a real but
local request. The archive run also times the real commands `publisher status`, `plan` and
`preview` (each a new process, imports included) against the same project and ledger.
Aims (issue 16): a steady tick <= 50 ms, a tick with 50 posts due <= 100 ms, <= 100 MB
resident; at archive scale (issue 21) see ARCHIVE_AIMS.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.core.settings import load_settings  # noqa: E402
from publisher.engine import sources  # noqa: E402
from publisher.engine.ledger import Ledger, ts  # noqa: E402
from publisher.engine.scheduler import Scheduler  # noqa: E402
from publisher.platforms import registry  # noqa: E402
from publisher.platforms.base import BaseAdapter  # noqa: E402
from publisher.platforms.catalog import spec  # noqa: E402
from publisher.platforms.draft import DraftPart, PostResult  # noqa: E402
from publisher.platforms.registry import platform_limits  # noqa: E402
from publisher.site.syndication_feed import feed_entry_id  # noqa: E402

ITEMS = 1000
EXTRA_ROWS = 5000  # history of older posts, so the ledger holds 10,000 rows
NEW_DUE = 10  # items that fall due in the "busy" tick: x 5 platforms = 50 posts
RUNS = 7
BUSY_RUNS = 5
SITE = "https://tppo.example.go.id"
IMAGES = "http://127.0.0.1:0"  # set by serve_images(): the images answer here
CLI_RUNS = 3
# issue 21: at 20,000 items and about 100,000 rows (ms)
ARCHIVE_AIMS = {"steady": 50, "busy": 500, "changed": 5000, "status": 1000, "plan": 1000,
                "preview": 1000}  # fmt: skip
CONF = """\
SITEURL = {site!r}
PATH = "content"
PUBLISHER = {{
    "ledger": "ledger.sqlite3",
    "outbox": "outbox",
    "feed": "output",
    "campaigns": "campaigns",
    "platforms": ["x", "mastodon", "bluesky", "facebook", "telegram"],
    "per_tick_cap": {cap},
}}
"""


class _Image(BaseHTTPRequestHandler):
    """Every image answers 200 (the check that an image is live before Meta fetches it)."""

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve_images() -> ThreadingHTTPServer:
    global IMAGES
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Image)
    IMAGES = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


NOW = dt.datetime(2027, 3, 1, 3, 0, tzinfo=dt.UTC)


def write_site(output: Path, count: int, new: int = 0, due: dt.datetime = NOW) -> None:
    """A syndication.json and an Atom feed of `count` entries, the last `new` of them new
    items that fall due at `due` (the oldest drop out, as in a real feed)."""
    feeds = output / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    items, entries = [], []
    for n in range(new, count + new):
        when = NOW - dt.timedelta(hours=count - n) if n < count else due
        uid = f"bench-{n:05d}"
        url = f"{SITE}/berita/2027/artikel-{n}/"
        items.append(
            {
                "feed_id": feed_entry_id(uid),
                "uid": uid,
                "kind": "article",
                "slug": f"artikel-{n}",
                "url": url,
                "title": f"Artikel nomor {n} tentang pencegahan perdagangan orang",
                "summary": "Ringkasan.",
                "published": when.isoformat(),
                "social": {
                    "default": f"Baca artikel {n}: kenali tanda tawaran kerja palsu. #CegahTPPO"
                },
                "platforms": [],
                "syndicate_at": None,
                "campaign": None,
                "image": {"url": f"{IMAGES}/images/a{n}.png", "alt": "Poster kampanye"},
                "lang": "id",
            }
        )
        entries.append(
            f"<entry><title>{escape(items[-1]['title'])}</title><id>{feed_entry_id(uid)}</id>"
            f'<link href="{url}"/><updated>{when.isoformat()}</updated><summary>x</summary></entry>'
        )
    (feeds / "syndication.json").write_text(json.dumps({"version": 1, "items": items}))
    (feeds / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>bench</title><id>{SITE}/</id><updated>{NOW.isoformat()}</updated>"
        + "".join(entries)
        + "</feed>"
    )


class Instant(BaseAdapter):
    """A platform that takes every post at once: the tick's own time, without the network."""

    def __init__(self, limits: object) -> None:
        self.spec = spec(limits.name)  # type: ignore[attr-defined]
        super().__init__(limits)  # type: ignore[arg-type]
        self.count = 0

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        self.count += 1
        return PostResult(
            ok=True, remote_id=f"{self.count}", url=f"https://example.test/{self.count}"
        )


def add_history(ledger: Ledger, rows: int) -> None:
    now = ts(NOW - dt.timedelta(days=400))
    with ledger.transaction():
        ledger.conn.executemany(
            "INSERT INTO posts (key, platform, part, parts, due_at, state, remote_id, url, sent_at, "
            "text, created_at, updated_at) VALUES (?, ?, 1, 1, ?, 'sent', ?, ?, ?, 'lama', ?, ?)",
            [
                (f"item:old-{n}", "x", now, f"r{n}", f"https://x/{n}", now, now, now)
                for n in range(rows)
            ],
        )


def tick(scheduler: Scheduler, when: dt.datetime, traced: bool) -> tuple[float, int]:
    """(ms, sent) untraced, or (peak bytes, sent) under tracemalloc (which slows Python ~5x,
    so time and memory are measured on separate ticks of the same kind)."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    report = scheduler.tick(when)
    elapsed = (time.perf_counter() - started) * 1000
    if traced:
        elapsed = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return elapsed, len(report.sent)


def environment(tmp: Path) -> tuple[Scheduler, Ledger]:
    """The project as the commands see it: a settings file, its feeds, its ledger."""
    (tmp / "pelicanconf.py").write_text(CONF.format(site=SITE, cap=NEW_DUE))
    settings = load_settings(tmp / "pelicanconf.py")
    settings = registry.validate(settings)
    write_site(tmp / "output", ITEMS)
    ledger = Ledger.open(settings.ledger, actor="bench")
    limits = platform_limits(settings)
    adapters = {p: Instant(limits[p]) for p in settings.platforms}
    memo = sources.SiteMemo()  # as `publisher run` reads its feed (ops/runner.py)
    scheduler = Scheduler(
        settings,
        ledger,
        adapters,
        lambda: sources.snapshot(settings, memo=memo),
        clock=lambda: NOW,
        rng=random.Random(0),
    )
    return scheduler, ledger


def run_case(traced: bool, cli: bool = False) -> dict[str, tuple[float, int]]:
    with tempfile.TemporaryDirectory(prefix="bench-tick-") as temp:
        tmp = Path(temp)
        scheduler, ledger = environment(tmp)
        results = {"first": tick(scheduler, NOW, traced)}  # first run: 5,000 rows seeded
        add_history(ledger, EXTRA_ROWS)
        results["rows"] = (sum(ledger.counts().values()), 0)
        steady = [tick(scheduler, NOW + dt.timedelta(minutes=n + 1), traced) for n in range(RUNS)]
        results["steady"] = (statistics.median(s[0] for s in steady), 0)
        # Posts fall due, the feed unchanged since they were planned: 10 items x 5
        # platforms each time; then ticks where the feed changes and 10 new items are due
        # at once. Medians of several ticks: the machine is shared.
        busy, changed = [], []
        for n in range(1, BUSY_RUNS + 1):
            base = NOW + dt.timedelta(hours=n)
            write_site(tmp / "output", ITEMS, NEW_DUE * n, due=base + dt.timedelta(minutes=10))
            tick(scheduler, base, traced)  # planned, not due yet
            busy.append(tick(scheduler, base + dt.timedelta(minutes=10), traced))
        for n in range(BUSY_RUNS + 1, BUSY_RUNS + 4):
            base = NOW + dt.timedelta(hours=n)
            write_site(tmp / "output", ITEMS, NEW_DUE * n, due=base)
            changed.append(tick(scheduler, base, traced))
        # (time or memory, sent) pairs: odd counts, so the median is one of them
        results["busy"], results["changed"] = statistics.median(busy), statistics.median(changed)
        ledger.close()
        if cli:
            when = (NOW + dt.timedelta(hours=BUSY_RUNS + 4)).isoformat()
            last = f"item:bench-{NEW_DUE * (BUSY_RUNS + 3) + ITEMS - 1:05d}"
            for name, args in (
                ("status", ["status", "--max-age", "0", "--now", when]),
                ("plan", ["plan", "--now", when, "--days", "3"]),
                ("preview", ["preview", last, "--now", when]),
            ):
                times = [command(tmp, args) for _ in range(CLI_RUNS)]
                results[name] = (statistics.median(t[0] for t in times), times[0][1])
    return results


def command(tmp: Path, args: list[str]) -> tuple[float, int]:
    """(ms, exit code) of one real `publisher` command in a new process, imports included."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "publisher", *args, "--settings", str(tmp / "pelicanconf.py")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )
    elapsed = (time.perf_counter() - started) * 1000
    if done.returncode not in (0, 1):  # 1: status found something for a person
        print(f"publisher {' '.join(args)}: exit {done.returncode}\n{done.stderr}")
    return elapsed, done.returncode


def run(items: int = ITEMS, history: int = EXTRA_ROWS, cli: bool | None = None) -> dict:
    """Every figure of one benchmark run (JSON-ready, for bench/run_all.py)."""
    global ITEMS, EXTRA_ROWS
    ITEMS, EXTRA_ROWS = items, history
    cli = items != 1000 if cli is None else cli  # the archive run
    server = serve_images()
    try:
        timed = run_case(traced=False, cli=cli)
        rss_timed = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        memory = run_case(traced=True)
    finally:
        server.shutdown()
        server.server_close()
    return {
        "items": items,
        "history": history,
        "archive": cli,
        "timed": timed,
        "memory": memory,
        "max_rss_timed_mb": rss_timed,  # the ticks alone (the commands are other processes)
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
        "machine": platform.machine(),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def render(figures: dict) -> str:
    items, timed, memory = figures["items"], figures["timed"], figures["memory"]
    archive = figures["archive"]
    heading = "## Publisher tick" + (" at archive scale" if archive else "")
    rows = timed["rows"][0]

    def mb(name: str) -> str:
        return f"{memory[name][0] / 1e6:.1f} MB"

    def aim(name: str, ms: float) -> str:
        if not archive:
            return ""
        goal = ARCHIVE_AIMS[name]
        return f" | <= {goal:,} ms: {'met' if ms <= goal else 'not met'}"

    extra = " | aim (issue 21)" if archive else ""
    command_line = ".venv/bin/python bench/bench_tick.py" + (
        f" --items {items} --history {figures['history']}" if archive else ""
    )
    lines = [
        heading,
        "",
        f"`{command_line}` on {figures['machine']}, Python {figures['python']}, "
        f"{figures['date']}. A ledger of {rows:,} rows and a feed of {items:,} entries (Atom + "
        "syndication.json, read from disk), five platforms whose adapters answer at once "
        "(platform time excluded; the whole send path runs: per-platform threads, each claim "
        "and each result a durable commit, Facebook's check that the image is live against "
        "a local server). Time and memory come from separate runs (tracemalloc slows Python "
        "several times).",
        "",
        f"| tick | time | peak traced memory | posts sent{extra} |",
        "| --- | --- | --- | ---" + (" | --- |" if archive else " |"),
        f"| steady: nothing changed, nothing due (median of {RUNS}) | "
        f"{timed['steady'][0]:.0f} ms | {mb('steady')} | 0{aim('steady', timed['steady'][0])} |",
        f"| busy: {NEW_DUE} items x 5 platforms = 50 posts due, the feed unchanged (median of "
        f"{BUSY_RUNS}) | {timed['busy'][0]:.0f} ms | {mb('busy')} | {timed['busy'][1]}"
        f"{aim('busy', timed['busy'][0])} |",
        f"| busy and changed: the feed changed, {NEW_DUE} new items x 5 platforms due at once "
        f"(median of 3) | {timed['changed'][0]:.0f} ms | {mb('changed')} | "
        f"{timed['changed'][1]}{aim('changed', timed['changed'][0])} |",
        f"| first run: {items:,} items x 5 platforms composed and seeded | "
        f"{timed['first'][0]:.0f} ms | {mb('first')} | 0" + (" | - |" if archive else " |"),
        "",
    ]
    if "status" in timed:
        lines += [
            f"The commands, each a new process (`python -m publisher ...`, imports included, "
            f"median of {CLI_RUNS}) against the same project and ledger after the ticks:",
            "",
            "| command | time | exit code | aim (issue 21) |",
            "| --- | --- | --- | --- |",
            *(
                f"| `publisher {name}` | {timed[name][0]:.0f} ms | {timed[name][1]}"
                f"{aim(name, timed[name][0])} |"
                for name in ("status", "plan", "preview")
            ),
            "",
        ]
    lines += [
        f"Peak RSS of the benchmark process (Python, imports, SQLite) over the timed ticks: "
        f"{figures.get('max_rss_timed_mb', 0):.0f} MB; with the run under tracemalloc, which "
        f"needs memory of its own: {figures['max_rss_mb']:.0f} MB. Load average when it "
        f"ended: {figures['load']:.1f} (the machine is shared, 2 cores).",
        "",
        "Where the time goes: a steady tick reads only the ledger groups that may still change "
        "(pending, or unsent for a reason a new source can cure) and, while the feed's items "
        "and the platforms are the same as last tick, visits only the items and groups that "
        "changed (publisher/engine/syncing.py, Basis): nothing per item of the archive. A "
        "changed feed is read again whole (the Atom ids and links with ElementTree, each "
        "item's digest) and only its changed items composed. Each post sent is two durable "
        "commits (the claim before the send, the result after it) from its platform's own "
        "thread. The first run composes every item for every platform once.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=ITEMS, help="live items in the feed")
    parser.add_argument("--history", type=int, default=EXTRA_ROWS, help="older rows added")
    args = parser.parse_args()
    figures = run(args.items, args.history)
    section = render(figures)
    print(section)
    doc = ROOT / "docs" / "benchmarks.md"
    if figures["archive"]:
        from bench.run_all import write_sections

        write_sections(doc, {"tick-archive": section})
    else:
        write_section(doc, section)


def write_section(path: Path, section: str, heading: str = "## Publisher tick") -> None:
    """Replace our section (the one under `heading`), keep everyone else's."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
