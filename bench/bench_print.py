"""What a campaign's print set costs: rendering it, and a site build with and without it.

Run: .venv/bin/python bench/bench_print.py [--rounds 5] [--no-write]

Measured, each in a fresh process as staff run it, on a copy of the project:
- `publisher print CAMPAIGN --no-cache`: the four pieces rendered (Python's start included);
- the CPU time of each piece, in one process with a fresh renderer per round (median; the
  first piece of the process pays for loading WeasyPrint and the fonts, reported apart);
- `publisher build` with an empty print cache (cold), with the cache filled by the build
  before (warm: the unchanged set is copied), and with the print plugin left out (none);
- the size of each file.
The variants run in turn (cold, warm, none, cold, ...) so that the load of a shared machine
hits them alike; medians of wall time and of CPU time (user + system, which waits for no
one) are reported. The table replaces the part of docs/print.md between its markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.content.campaign_reader import load_campaign  # noqa: E402
from publisher.site.print.job import make_job  # noqa: E402
from publisher.site.print.pieces import PIECES  # noqa: E402
from publisher.site.print.render import Renderer  # noqa: E402

SLUG = "hari-dunia-anti-perdagangan-orang-2027"
DOC = ROOT / "docs" / "print.md"
PUBLISHER = [sys.executable, "-m", "publisher"]
NO_PRINT = """exec(open({conf!r}).read())
PLUGINS = [p for p in PLUGINS if p != "publisher.site.print.plugin"]
"""


def project_copy(where: Path) -> Path:
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / name, where / name)
    for name in ("theme", "content", "data", "campaigns"):
        shutil.copytree(ROOT / name, where / name)
    (where / "no-print.py").write_text(NO_PRINT.format(conf=str(where / "pelicanconf.py")))
    return where


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one command in a process of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True, timeout=900,
                   env={**os.environ, "PUBLISHER_PROJECT": str(cwd)})  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def in_process(project: Path, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per piece, each round with a fresh renderer (as each build has)."""
    campaign = load_campaign(project / "campaigns" / f"{SLUG}.md")
    names = ("Cegah Perdagangan Orang — Bengkulu Tengah", "Pemerintah Kabupaten Bengkulu Tengah")
    started = time.process_time()
    job = make_job(campaign, project / "data" / "hotlines.yaml", "https://tppo.example.org",
                   names, project / "content", project / "theme" / "templates")  # fmt: skip
    out = Path(tempfile.mkdtemp(prefix="bench-print-"))
    Renderer(job).render(PIECES[0], out / "first.pdf")  # loads WeasyPrint and the fonts
    times: dict[str, list[float]] = {"first": [time.process_time() - started]}
    for _ in range(rounds):
        renderer = Renderer(job)
        for piece in PIECES:
            began = time.process_time()
            renderer.render(piece, out / piece.file)
            times.setdefault(piece.name, []).append(time.process_time() - began)
    shutil.rmtree(out)
    return times


def measure(rounds: int) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="bench-print-"))
    project = project_copy(work)
    cache = project / "var" / "cache" / "print"
    runs: dict[str, list[tuple[float, float]]] = {}
    for _ in range(rounds):
        shutil.rmtree(project / "print", ignore_errors=True)
        runs.setdefault("print", []).append(
            timed([*PUBLISHER, "print", SLUG, "--no-cache"], project)
        )
        shutil.rmtree(cache, ignore_errors=True)
        runs.setdefault("cold", []).append(timed([*PUBLISHER, "build"], project))
        runs.setdefault("warm", []).append(timed([*PUBLISHER, "build"], project))
        runs.setdefault("none", []).append(
            timed([*PUBLISHER, "build", "--settings", str(project / "no-print.py")], project)
        )
    sizes = {p.file: (project / "print" / SLUG / p.file).stat().st_size for p in PIECES}
    pieces = in_process(project, rounds)
    shutil.rmtree(work)
    return {"runs": runs, "sizes": sizes, "pieces": pieces, "rounds": rounds}


def render(result: dict[str, object]) -> str:
    runs: dict[str, list[tuple[float, float]]] = result["runs"]  # type: ignore[assignment]
    sizes: dict[str, int] = result["sizes"]  # type: ignore[assignment]
    pieces: dict[str, list[float]] = result["pieces"]  # type: ignore[assignment]

    def med(name: str, index: int) -> float:
        return statistics.median(r[index] for r in runs[name])

    labels = {
        "print": "`publisher print CAMPAIGN --no-cache` (the four pieces, Python's start included)",
        "cold": "`publisher build`, print cache empty (the set is rendered)",
        "warm": "`publisher build`, print cache filled (the unchanged set is copied)",
        "none": "`publisher build` without the print plugin",
    }
    lines = [
        f"Measured {dt.date.today().isoformat()} with `.venv/bin/python bench/bench_print.py` "
        f"({result['rounds']} rounds, medians) on {os.cpu_count()} cores shared with other "
        "engineers' test runs: CPU time (user + system) waits for no one and is the steadier "
        "figure; wall time is what a person waits.",
        "",
        "| what | wall time | CPU time |",
        "| --- | ---: | ---: |",
    ]
    for name, label in labels.items():
        lines.append(f"| {label} | {med(name, 0):.2f} s | {med(name, 1):.2f} s |")
    lines += [
        "",
        f"So the print set adds **{med('cold', 1) - med('none', 1):.2f} s of CPU** to a build "
        f"that renders it, and **{med('warm', 1) - med('none', 1):.2f} s** to one that finds "
        "it in the cache.",
        "",
        "| piece | CPU time to render (median) | file size |",
        "| --- | ---: | ---: |",
    ]
    first = pieces.pop("first")[0]
    for piece in PIECES:
        seconds = statistics.median(pieces[piece.name])
        how = f" (the {piece.enlarges} layout, enlarged)" if piece.enlarges else ""
        lines.append(f"| `{piece.file}` ({piece.titles['en']}){how} | {seconds:.2f} s | "
                     f"{sizes[piece.file] / 1024:.1f} KB |")  # fmt: skip
    lines += ["", f"The first piece in a process takes {first:.2f} s of CPU: WeasyPrint and the "
              "fonts load once per process. Each piece is laid out twice (once with its boxes "
              "free to grow, to refuse words that run over, then for real); the A3 poster "
              "reuses the A4 layout."]  # fmt: skip
    return "\n".join(lines)


def write(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    new = re.sub(r"(<!-- bench:print -->\n).*?(\n<!-- /bench:print -->)",
                 lambda m: m.group(1) + section + m.group(2), text, flags=re.S)  # fmt: skip
    DOC.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="Print only; leave the docs.")
    args = parser.parse_args()
    section = render(measure(args.rounds))
    print(section)
    if not args.no_write:
        write(section)


if __name__ == "__main__":
    main()
