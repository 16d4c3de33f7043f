"""The long crash harness: 500+ SIGKILLs of the real `publisher run`, figures for the docs.

Run: .venv/bin/python bench/crash_harness.py                 (15 scenarios per kind, ~35 min)
     .venv/bin/python bench/crash_harness.py --scenarios 2  (a smoke test)
     .venv/bin/python bench/crash_harness.py --only slow-late --scenarios 5 --kills 12
     .venv/bin/python bench/crash_harness.py --write-doc    (rewrite the table in docs/reliability.md)

Each scenario (tests/crash_support.py): a fresh project with 33 planned posts (four articles,
one with an image, two threads, a plain calendar post, on five platforms; 213 posts in the
`slow-late` kind, whose platforms create slowly and show new posts to lookups 20 s to 3 min
late), five fresh local platform servers, the real child process with the default settings
on a clock 30 times faster than the wall clock, killed KILLS times at moments of one kind
and restarted, then left to finish; after every run the servers are compared with the
ledger. Every outcome can go to --raw (JSON); the table lands between the `crash-table`
markers.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crash_support import KINDS, Outcome, run_matrix  # noqa: E402

DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- crash-table -->", "<!-- /crash-table -->"


def table(results: dict[str, list[Outcome]], seconds: float, command: str) -> str:
    lines = [
        f"`{command}`, {platform.python_version()} on {platform.machine()}, "
        f"{time.strftime('%Y-%m-%d')}, {seconds / 60:.0f} min:",
        "",
        "| fault tried | kills | scenarios | posts | duplicates | lost | left unknown "
        "| waiting behind one |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    total: Counter[str] = Counter()
    for kind, outcomes in results.items():
        row = Counter()
        unknown_on: Counter[str] = Counter()
        for o in outcomes:
            row.update(kills=o.kills, posts=o.posts, duplicates=o.duplicates, lost=o.lost,
                       unknown=o.unknown, waiting=o.waiting, problems=len(o.problems))  # fmt: skip
            unknown_on.update(o.unknown_on)
        total.update(row)
        where = ", ".join(f"{n} {p}" for p, n in sorted(unknown_on.items()))
        lines.append(
            f"| {KINDS[kind]} | {row['kills']} | {len(outcomes)} | {row['posts']} | "
            f"{row['duplicates']} | {row['lost']} | {row['unknown']}"
            + (f" ({where})" if where else "")
            + f" | {row['waiting']} |"
        )
    lines.append(
        f"| **all** | **{total['kills']}** | {sum(len(o) for o in results.values())} | "
        f"{total['posts']} | **{total['duplicates']}** | **{total['lost']}** | "
        f"**{total['unknown']}** | {total['waiting']} |"
    )
    lines += [
        "",
        f"Other problems found by the comparison (order, ids, status): {total['problems']}.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios", type=int, default=15, help="scenarios per kind")
    parser.add_argument("--kills", type=int, default=6, help="kills per scenario")
    parser.add_argument("--jobs", type=int, default=2, help="scenarios at a time")
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--only", nargs="*", choices=list(KINDS), help="some kinds only")
    parser.add_argument("--raw", type=Path, help="write every outcome to this JSON file")
    parser.add_argument("--write-doc", action="store_true", help="update docs/reliability.md")
    args = parser.parse_args()
    kinds = args.only or list(KINDS)
    began = time.monotonic()
    results = run_matrix(kinds, args.scenarios, args.kills, args.jobs, args.seed)
    seconds = time.monotonic() - began
    command = "bench/crash_harness.py " + " ".join(sys.argv[1:]).replace("--write-doc", "").strip()
    text = table(results, seconds, command.strip())
    print(text)
    for outcomes in results.values():
        for o in outcomes:
            for problem in o.problems:
                print(f"problem ({o.kind}): {problem}", file=sys.stderr)
    if args.raw:
        # asdict would rebuild the Counter from (key, count) pairs: give it a plain dict
        outcomes = {
            k: [{**asdict(o), "unknown_on": dict(o.unknown_on)} for o in v]
            for k, v in results.items()
        }
        args.raw.write_text(json.dumps(outcomes, indent=1))
    if args.write_doc:
        doc = DOC.read_text(encoding="utf-8")
        head, rest = doc.split(START, 1)
        _old, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    bad = any(o.duplicates or o.lost or o.problems for v in results.values() for o in v)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
