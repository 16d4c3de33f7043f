"""What a campaign report costs, and its pictures for docs/report.md.

Run: .venv/bin/python bench/bench_report.py [--rounds 5] [--no-write]

The sample campaign is run through the engine against the local platform servers on a fake
clock (tests/report_support.py: every post, a failure, a retry, the engagement read 1 hour,
1 day and 7 days after each send). Then `publisher report` is timed, each run in a fresh
process as staff run it (Python's start included), for HTML, PDF and CSV; medians of wall
and CPU time. The first two pages of the PDF are drawn with `pdftoppm` into docs/report/,
and the table replaces the part of docs/report.md between its markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report_support import SLUG, project_copy, run_sample_campaign  # noqa: E402

DOC = ROOT / "docs" / "report.md"
PICTURES = ROOT / "docs" / "report"
BEGIN, END = "<!-- bench_report: begin -->", "<!-- bench_report: end -->"


def timed(args: list[str]) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, len(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as temp:
        root = project_copy(Path(temp) / "project")
        started = time.perf_counter()
        with run_sample_campaign(root) as run:
            simulated = time.perf_counter() - started
            ticks = run.ticks
            parts, readings = len(run.ledger.rows()), len(run.ledger.readings())
        command = [sys.executable, "-m", "publisher", "--project", str(root), "report", SLUG]
        rows = []
        for fmt in ("html", "pdf", "csv"):
            walls, cpus, size = [], [], 0
            for _ in range(options.rounds):
                wall, cpu, size = timed([*command, "--format", fmt])
                walls.append(wall)
                cpus.append(cpu)
            rows.append((fmt, statistics.median(walls), statistics.median(cpus), size))
        pdf = Path(temp) / "report.pdf"
        subprocess.run([*command, "--format", "pdf", "--output", str(pdf)], check=True,
                       capture_output=True)  # fmt: skip
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        count = re.search(r"Pages:\s+(\d+)", pages)
        if not options.no_write:
            PICTURES.mkdir(parents=True, exist_ok=True)
            subprocess.run(["pdftoppm", "-r", "80", "-gray", "-png", "-f", "1", "-l", "2",
                            str(pdf), str(PICTURES / "page")], check=True)  # fmt: skip
    load = os.getloadavg()[0]
    lines = [
        BEGIN,
        f"Measured {dt.date.today()} by `bench/bench_report.py` ({options.rounds} rounds, "
        f"2 shared cores, load average {load:.1f}); the sample campaign's ledger: {parts} "
        f"post parts on 5 platforms, {readings} readings of engagement ({ticks} ticks of the engine on a fake "
        f"clock, {simulated:.0f} s to simulate).",
        "",
        "| format | wall time (median) | CPU time (median) | size |",
        "|---|---|---|---|",
        *(
            f"| {fmt.upper()} | {wall:.2f} s | {cpu:.2f} s | {size / 1024:.0f} KB |"
            for fmt, wall, cpu, size in rows
        ),
        "",
        f"The PDF has {count.group(1) if count else '?'} A4 pages.",
        END,
    ]
    table = "\n".join(lines)
    print(table)
    if not options.no_write and DOC.exists():
        text = DOC.read_text(encoding="utf-8")
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), table, text, flags=re.S)
        DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
