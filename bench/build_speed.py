"""Build speed: our theme and plugins against stock Pelican and Hugo on the same synthetic site.

Run: .venv/bin/python bench/build_speed.py [--sizes 1000 5000] [--runs N] [--json FILE]
(bench/run_all.py runs it and writes docs/benchmarks.md.)

Every build runs in its own process, so time and peak memory are per build: wall time is
taken around the process, peak RSS by GNU time (the largest process of the build: ours forks
a helper and a renderer and runs Pagefind; our build also reports its main Python process's
own peak and Pagefind's). The variants are run in turn (A, B, C, A, B, C...) because other
people use the machine; medians reported. The code measured is bench/synthetic.py's CODE:
run_all.py's snapshot, else the working tree.

Cold builds:
- ours+search / ours: publisher.site.build.build_site with PATH overridden, SEARCH_INDEX on/off,
  as `publisher build` runs it (its helper and renderer processes included);
- ours one process: the same without the helper and renderer processes (BUILD_HELPER off:
  what a build in a threaded process gets), SEARCH_INDEX off;
- stock: `python -m pelican` with its default theme and PLUGINS = [];
- hugo: Debian's hugo with a minimal theme (bench/synthetic.py).

Rebuild after editing one article, as `publisher serve`'s builder does it: one preview build
in a process, one article gets a sentence more, and the preview rebuild in the same process
is timed until the new site is in place; with search, the search index refresh that follows
is timed apart. Stock Pelican's is a new process reading its own content cache.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench import synthetic  # noqa: E402

CODE = synthetic.CODE
sys.path.insert(0, str(CODE))  # publisher/ of the snapshot, ahead of the working tree

PYTHON = str(ROOT / ".venv" / "bin" / "python")
HUGO = "/usr/bin/hugo"
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
TIMEOUT = 1800  # seconds per build: a 5,000-article build takes about a minute on 2 cores
RUNS = {1000: 3, 5000: 2, 20000: 1}  # rounds per size: a 20,000-article round takes ~12 min
# Sites and outputs live on a RAM disk when there is one: on the shared virtual machine the
# disk's write times varied threefold between consecutive runs of the same build, which
# decided the comparison more than the tools did. BENCH_TMPDIR chooses another place.
WORK_DIR = os.environ.get("BENCH_TMPDIR") or (
    "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
)
COLD = ("ours+search", "ours", "ours one process", "stock", "hugo")
REBUILD = ("ours serve", "ours serve+search", "stock cache")


# --- the build process ---


def _timed(module: ModuleType, name: str, phases: dict[str, float], label: str) -> None:
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            phases[label] = phases.get(label, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


class _TimedSubprocess:
    """Stands in for `subprocess` inside publisher.site.build: Pagefind runs under GNU time, so its
    own peak RSS is known (it runs while the build's Python process still holds its memory)."""

    def __init__(self, rss_file: Path) -> None:
        self.rss_file = rss_file

    def run(self, cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        return subprocess.run([TIME, "-f", "%M", "-o", str(self.rss_file), *cmd], **kwargs)


def child_ours(args: argparse.Namespace) -> dict[str, Any]:
    """One build (or, with --serve, a build then an edit and the timed rebuild) in this process."""
    from pelican import Pelican

    from publisher.core.timeutil import parse_time
    from publisher.site import build
    from publisher.site.fast import page_reuse
    from publisher.site.fast.build_helper import BuildHelper
    from publisher.site.run import BuildMemory

    content = Path(args.content)
    overrides: dict[str, Any] = {"PATH": str(content), "SEARCH_INDEX": args.search}
    overrides["BUILD_HELPER"] = not args.one_process
    phases: dict[str, float] = {}
    _timed(build, "_check_errors", phases, "check")  # only when the helper does not check
    _timed(build, "index_for_search", phases, "pagefind")
    _timed(Pelican, "run", phases, "pelican")
    _timed(BuildHelper, "finish", phases, "helper wait")
    _timed(page_reuse, "finish_renders", phases, "renderer wait")
    pagefind_rss = Path(args.result).with_suffix(".pagefind-rss")
    pagefind_rss.unlink(missing_ok=True)
    build.subprocess = _TimedSubprocess(pagefind_rss)  # type: ignore[assignment]
    now = parse_time(args.now or synthetic.BUILD_NOW.strftime("%Y-%m-%d %H:%M"))
    output = Path(args.out)

    memory = BuildMemory(lasting=args.serve)  # what serve's builder keeps between builds

    def one() -> Any:
        # A serve rebuild is a preview build: served as soon as its pages exist, the search
        # index refreshed right after (timed apart).
        return build.build_site(
            CODE / "pelicanconf.py", output, now, dict(overrides), preview=args.serve,
            memory=memory,
        )  # fmt: skip

    profiler = cProfile.Profile() if args.profile else None
    if args.serve:  # as serve's builder: a build, the checks run while it waits, one edit
        one()
        build.warm_up(CODE / "pelicanconf.py", memory, dict(overrides))
        phases.clear()
        edited = content / "berita" / f"artikel-{args.edit:05d}.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\nSatu kalimat lagi.\n")
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    result = one()
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
    inner = time.perf_counter() - started
    search_seconds = None
    if result.search_pending:
        started = time.perf_counter()
        build.refresh_search_index(result.output)
        search_seconds = time.perf_counter() - started
    return {
        "inner_seconds": inner,
        "search_seconds": search_seconds,
        "phases": phases,
        "html": result.pages,
        "pagefind_maxrss_kb": (
            int(pagefind_rss.read_text().split()[-1]) if pagefind_rss.exists() else None
        ),
    }


def child_main(args: argparse.Namespace) -> None:
    report = child_ours(args)
    report["self_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(args.result).write_text(json.dumps(report), encoding="utf-8")


# --- the parent: runs builds, one process each ---


@dataclass
class Measure:
    variant: str
    articles: int
    seconds: float  # wall time of the whole process (interpreter start and imports included)
    maxrss_mb: float  # GNU time: the largest process of the build's tree
    html: int = 0
    inner_seconds: float | None = None  # build_site itself, without interpreter start
    phases: dict[str, float] = field(default_factory=dict)
    python_maxrss_mb: float | None = None  # our build: the Python process alone
    pagefind_maxrss_mb: float | None = None  # our build with search: the Pagefind process
    search_seconds: float | None = None  # a serve rebuild: the search index refresh after it


def run_process(cmd: list[str], timeout: float, log: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MB) of one process and the children it waited for.

    GNU time reports the peak: a tiny C parent, so the figure is the build's own (a Python
    parent's RSS would leak into a vforked child's ru_maxrss on Linux).
    """
    rss_file = log.with_suffix(".rss")
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [TIME, "-f", "%M", "-o", str(rss_file), *cmd],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a timeout kills the whole build, Pagefind included
        )
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"{cmd[:4]} failed ({proc.returncode}):\n{tail}")
    return seconds, int(rss_file.read_text().split()[-1]) / 1024


def count_html(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


class Bench:
    def __init__(self, work: Path, sites: synthetic.Sites, timeout: float = TIMEOUT) -> None:
        self.work, self.sites, self.timeout = work, sites, timeout
        self.count = len(sites.articles)
        self.serial = 0

    def _fresh(self, name: str) -> Path:
        self.serial += 1
        out = self.work / f"out-{self.serial:03d}-{name.replace(' ', '-').replace('+', '-')}"
        shutil.rmtree(out, ignore_errors=True)
        return out

    def ours(
        self,
        variant: str,
        *,
        search: bool,
        one_process: bool = False,
        serve_edit: int | None = None,
        profile: Path | None = None,
    ) -> Measure:
        out = self._fresh(variant)
        result = self.work / "child.json"
        cmd = [PYTHON, str(Path(__file__).resolve()), "_child", "--content",
               str(self.sites.ours_content), "--out", str(out), "--result", str(result)]  # fmt: skip
        cmd += ["--search"] if search else []
        cmd += ["--one-process"] if one_process else []
        cmd += ["--serve", "--edit", str(serve_edit)] if serve_edit else []
        cmd += ["--profile", str(profile)] if profile else []
        seconds, rss = run_process(cmd, self.timeout, self.work / "child.log")
        report = json.loads(result.read_text())
        shutil.rmtree(out, ignore_errors=True)
        return Measure(
            variant, self.count, seconds, rss, report["html"], report["inner_seconds"],
            report["phases"], report["self_maxrss_kb"] / 1024,
            report["pagefind_maxrss_kb"] / 1024 if report["pagefind_maxrss_kb"] else None,
            report["search_seconds"],
        )  # fmt: skip

    def stock(self, variant: str = "stock", cache: Path | None = None) -> Measure:
        out = self._fresh(variant)
        site = self.sites.pelican
        cmd = [PYTHON, "-m", "pelican", str(site / "content"), "-o", str(out),
               "-s", str(site / "pelicanconf.py"), "-q"]  # fmt: skip
        if cache:
            cmd += [
                "--cache-path",
                str(cache),
                "-e",
                "CACHE_CONTENT=true",
                "LOAD_CONTENT_CACHE=true",
            ]
        seconds, rss = run_process(cmd, self.timeout, self.work / "stock.log")
        html = count_html(out)
        shutil.rmtree(out, ignore_errors=True)
        return Measure(variant, self.count, seconds, rss, html)

    def hugo(self, variant: str = "hugo") -> Measure:
        out = self._fresh(variant)
        cmd = [HUGO, "--source", str(self.sites.hugo), "--destination", str(out), "--quiet",
               "--cacheDir", str(self.work / "hugo-cache")]  # fmt: skip
        seconds, rss = run_process(cmd, self.timeout, self.work / "hugo.log")
        html = count_html(out)
        shutil.rmtree(out, ignore_errors=True)
        return Measure(variant, self.count, seconds, rss, html)

    def cold(self, variant: str) -> Measure:
        runs: dict[str, Callable[[], Measure]] = {
            "ours+search": lambda: self.ours(variant, search=True),
            "ours": lambda: self.ours(variant, search=False),
            "ours one process": lambda: self.ours(variant, search=False, one_process=True),
            "stock": self.stock,
            "hugo": self.hugo,
        }
        return runs[variant]()

    def rebuild(self, variant: str, edit: int) -> Measure:
        """Build, edit one article, time the rebuild (see the module's docstring)."""
        if variant == "stock cache":
            cache = self.work / "cache-stock"
            shutil.rmtree(cache, ignore_errors=True)
            self.stock("stock fill", cache)
            synthetic.edit_one(self.sites, edit)
            return self.stock(variant, cache)
        return self.ours(variant, search="search" in variant, serve_edit=edit)


def run_suite(
    runs: dict[int, int], work: Path, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Every variant runs[size] times per size, in turn; returns raw measures and medians."""
    measures: list[Measure] = []
    for size, rounds in runs.items():
        sites = synthetic.write_sites(work / f"site-{size}", size)
        bench = Bench(work, sites)
        bench.hugo("hugo warm-up")  # first touch of the files and binaries is not measured
        for round_ in range(rounds):
            for variant in COLD:
                measure = bench.cold(variant)
                measures.append(measure)
                log(f"{size} cold {variant} #{round_ + 1}: {measure.seconds:.2f}s "
                    f"{measure.maxrss_mb:.0f} MB")  # fmt: skip
        for round_ in range(rounds):
            for n, variant in enumerate(REBUILD):
                edit = 1 + (round_ * len(REBUILD) + n) % size
                measure = bench.rebuild(variant, edit)
                measures.append(measure)
                inner = (
                    f" (build_site {measure.inner_seconds:.2f}s)" if measure.inner_seconds else ""
                )
                log(f"{size} rebuild {variant} #{round_ + 1}: {measure.seconds:.2f}s{inner} "
                    f"{measure.maxrss_mb:.0f} MB")  # fmt: skip
        shutil.rmtree(sites.ours.parent, ignore_errors=True)
    return {"measures": [asdict(m) for m in measures], "summary": summarise(measures)}


def summarise(measures: list[Measure]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Measure]] = {}
    for m in measures:
        groups.setdefault(f"{m.articles}|{m.variant}", []).append(m)

    def med(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return statistics.median(present) if present else None

    summary = {}
    for key, group in groups.items():
        phases = sorted({p for m in group for p in m.phases})
        summary[key] = {
            "articles": group[0].articles,
            "variant": group[0].variant,
            "runs": len(group),
            "seconds": med([m.seconds for m in group]),
            "seconds_all": [round(m.seconds, 2) for m in group],
            "inner_seconds": med([m.inner_seconds for m in group]),
            "maxrss_mb": med([m.maxrss_mb for m in group]),
            "python_maxrss_mb": med([m.python_maxrss_mb for m in group]),
            "pagefind_maxrss_mb": med([m.pagefind_maxrss_mb for m in group]),
            "search_seconds": med([m.search_seconds for m in group]),
            "html": group[0].html,
            "phases": {p: med([m.phases.get(p) for m in group]) for p in phases},
        }
    return summary


# --- where the time goes: cProfile of one build, by area ---

AREAS = [  # (area, substrings of "file:function"), first match wins
    ("file system (open, mkdir, write, copy)",
     ("method io.open", "method posix.", "method 'write'", "/shutil.py:")),
    ("YAML (front matter)",
     ("/yaml/", "_yaml", "publisher/content/frontmatter.py", "publisher.content.frontmatter", ":_load",
      "campaign_reader.py:yaml_lines", "publisher.content.campaign_reader.yaml_lines")),
    ("Markdown", ("/markdown/",)),
    ("Jinja templates", ("/jinja2/", "/theme/templates/", "<template>")),
    ("theme gettext (i18n.py, babel)", ("publisher/site/i18n.py", "publisher.site.i18n", "/babel/")),
    ("check: social text counting", ("/grapheme/", "publisher/platforms/counters.py", "/twitter_text/")),
    ("check: other rules", ("publisher/content/check.py", "publisher/content/check_rules.py")),
    ("our feeds (feeds.py, feedgenerator)", ("publisher/site/feeds.py", "/feedgenerator/")),
    ("Pelican core", ("/pelican/",)),
    ("publisher/ plugins and reader (other)", ("/publisher/", "publisher.site.reader")),
    ("other libraries", ("site-packages",)),
]  # fmt: skip
STDLIB = sysconfig.get_paths()["stdlib"]


def _area(func: tuple[str, int, str]) -> str | None:
    """The area of a function by its file; None for builtins and the standard library, whose
    time belongs to whoever called them (a regex run by Markdown is Markdown's time)."""
    filename, _line, name = func
    where = f"{filename}:{name}"
    for area, keys in AREAS:
        if any(key in where for key in keys):
            return area
    if filename == "~" or filename.startswith((STDLIB, "<frozen")):
        return None
    return "other"


def profile_areas(stats_file: Path) -> list[tuple[str, float]]:
    """Own time per area; builtins and stdlib charged to their callers, pro rata."""
    table: dict[Any, Any] = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    totals: dict[str, float] = {}

    def charge(func: Any, amount: float, depth: int) -> None:
        area = _area(func)
        callers = table.get(func, (0, 0, 0, 0, {}))[4]
        if area is None and depth < 6 and callers:
            weights = {caller: info[2] or info[1] for caller, info in callers.items()}
            whole = sum(weights.values()) or 1
            for caller, weight in weights.items():
                charge(caller, amount * weight / whole, depth + 1)
            return
        totals[area or "Python (unattributed)"] = (
            totals.get(area or "Python (unattributed)", 0.0) + amount
        )

    for func, (_cc, _nc, tottime, _ct, _callers) in table.items():
        charge(func, tottime, 0)
    return sorted(totals.items(), key=lambda item: -item[1])


def run_profiles(size: int, work: Path) -> dict[str, list[tuple[str, float]]]:
    """One profiled build (no search) in one process: cProfile sees one process only."""
    sites = synthetic.write_sites(work / f"site-profile-{size}", size)
    bench = Bench(work, sites)
    stats = work / "profile-one-process.pstats"
    bench.ours("profile", search=False, one_process=True, profile=stats)
    shutil.rmtree(sites.ours.parent, ignore_errors=True)
    return {"one process": profile_areas(stats)}


def run(
    sizes: list[int], runs: int | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """The whole build benchmark: suite, then a profile at the smallest size."""
    plan = {size: runs or RUNS.get(size, 3) for size in sizes}
    with tempfile.TemporaryDirectory(prefix="bench-build-", dir=WORK_DIR) as temp:
        figures = run_suite(plan, Path(temp), log)
        figures["profile"] = run_profiles(min(sizes), Path(temp))
    figures["runs"] = {str(size): rounds for size, rounds in plan.items()}
    figures["work_dir"] = WORK_DIR or tempfile.gettempdir()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument(
        "--runs", type=int, help="Rounds per size (default: 3 at 1,000, 2 at 5,000, 1 at 20,000)."
    )
    parser.add_argument("--json", type=Path, help="Write the raw figures here.")
    args = parser.parse_args()
    figures = run(args.sizes, args.runs)
    text = json.dumps(figures, indent=1)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    else:
        print(text)


def child_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--content", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--result", required=True)
    parser.add_argument("--search", action="store_true")
    parser.add_argument("--one-process", action="store_true")
    parser.add_argument("--now")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--edit", type=int, default=1)
    parser.add_argument("--profile")
    return parser.parse_args(argv)


if __name__ == "__main__":
    if sys.argv[1:2] == ["_child"]:
        child_main(child_args(sys.argv[2:]))
    else:
        main()
