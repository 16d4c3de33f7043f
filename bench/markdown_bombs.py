"""Markdown bombs: how long and how much memory until each is refused, and what it costs.

Run: .venv/bin/python bench/markdown_bombs.py          (about five minutes on 2 cores)
     .venv/bin/python bench/markdown_bombs.py --quick  (no builds: a smoke test)

Every measurement is its own process (a fresh interpreter, so peak memory is that one
conversion's), timed on the wall and on the CPU, peak RSS read with wait4(). For each bomb:

- `render`: publisher/content/markdown_guard.py as the site uses it (limits, deadline, cap);
- `backstop`: the same without the input limits (Renderer.convert): what the deadline and the
  memory cap alone give, for a pattern the limits would not know;
- `check` and `build`: `publisher check` and `publisher build` (SEARCH_INDEX off) of a copy of
  the project with the bomb added as one article: each fails, naming the file.

Also the two figures the module's comment cites: converting a typical article in the build
process, and the same conversion in a forked child. The results replace the section between
`<!-- bench:markdown-bombs -->` and `<!-- /bench:markdown-bombs -->` of docs/security-markup.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DOC = ROOT / "docs" / "security-markup.md"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"anchorlink": False},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# name -> Python expression of the body (kept as text: a child process builds it).
BOMBS = {
    "10,000 unclosed [": '"[" * 10_000',
    "5,000 unclosed [ with words": '"[tawaran " * 5_000',
    "20,000 unclosed [](": '"[](" * 20_000',
    "20,000 unclosed <a": '"<a " * 20_000',
    "lists nested 300 deep": '"".join("    " * i + "- x\\n" for i in range(300))',
    "3,000 list markers on a line": '"+ " * 3_000',
    "quotes nested 1 to 1,000 deep": '"".join(">" * i + " x\\n" for i in range(1_000))',
    "a quote 10,000 deep": '">" * 10_000 + " x\\n"',
    "a table of 100,000 cells": (
        '"|" + "h|" * 100 + "\\n|" + "-|" * 100 + "\\n" + ("|" + "c|" * 100 + "\\n") * 1_000'
    ),
    "5,000 abbreviation definitions": '"*[A]: b\\n" * 5_000',
    "20,000 *a* in a paragraph": '"*a* " * 20_000',
    "5,000 identical headings": '"# a\\n" * 5_000',
    "1.1 MB of words": '"kata " * 220_000',
    "2,490 identical headings (within limits)": '"# a\\n" * 2_490',
    "2,490 empty list items (within limits)": '"-\\n" * 2_490',
}


# --- the child -------------------------------------------------------------------------------


def child(kind: str, expression: str, project: str) -> None:
    """One measurement; prints a JSON line: outcome, wall and CPU seconds."""
    body = eval(expression)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = "converted"
    if kind in ("render", "backstop"):
        from publisher.content.markdown_guard import MarkdownRefused, Renderer

        renderer = Renderer(MARKDOWN)
        try:
            renderer.render(body) if kind == "render" else renderer.convert(body)
        except MarkdownRefused as exc:
            outcome = exc.refusal.message
    elif kind == "baseline":
        pass
    else:
        outcome = _project_run(kind, body, Path(project))
    print(json.dumps({"outcome": outcome, "wall": time.perf_counter() - started,
                      "cpu": time.process_time() - cpu}))  # fmt: skip


def _project_run(kind: str, body: str, project: Path) -> str:
    from publisher.content.check import check_tree
    from publisher.core.timeutil import parse_time
    from publisher.site.build import BuildFailed, build_site

    article = project / "content" / "berita" / "bom.md"
    article.write_text("---\nid: bom\ntitle: Bom\ndate: 2026-11-20 09:00\nsummary: Bom.\n---\n\n"
                       + body, encoding="utf-8")  # fmt: skip
    if kind == "check":
        errors = [p for p in check_tree(project) if p.severity == "error"]
        named = [p for p in errors if p.path.endswith("bom.md")]
        return (
            f"{len(errors)} error(s), {len(named)} naming bom.md: {named[0].message[:60]}"
            if named
            else f"{len(errors)} error(s)"
        )
    try:
        build_site(project / "pelicanconf.py", output=project / "output",
                   now=parse_time("2026-11-28 12:00"), overrides={"SEARCH_INDEX": False})  # fmt: skip
    except BuildFailed as exc:
        named = [p for p in exc.problems if p.path.endswith("bom.md")]
        return (
            f"refused, {len(named)} problem(s) naming bom.md: {named[0].message[:60]}"
            if named
            else "refused"
        )
    return "built"


# --- the parent ------------------------------------------------------------------------------


def measure(kind: str, expression: str, project: Path | None = None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, expression, str(project or "")]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=ROOT)  # fmt: skip
    started = time.perf_counter()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    output = process.stdout.read() if process.stdout else ""
    lines = [line for line in output.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"outcome": f"exit {status}", "wall": wall,
                                                  "cpu": 0.0}  # fmt: skip
    result["peak_mb"] = usage.ru_maxrss / 1024
    result["process_wall"] = wall
    return result


def layer(outcome: str) -> str:
    if outcome.startswith("converting this text took"):
        return "deadline"
    if outcome.startswith("converting this text needed"):
        return "memory cap"
    if "nested too deeply" in outcome:
        return "recursion"
    return "converted" if outcome == "converted" else "input limit"


def fork_cost(rounds: int = 200) -> tuple[float, float]:
    """Converting a typical article in this process, and in a forked child (ms)."""
    import pelican.generators  # noqa: F401 - the build process has Pelican loaded
    from markdown import Markdown

    from publisher.content.frontmatter import parse

    body = parse(ROOT / "content" / "berita" / "cara-memakai-tombol-keluar-cepat.md").body
    md = Markdown(**{**MARKDOWN, "extensions": list(MARKDOWN["extension_configs"])})
    started = time.perf_counter()
    for _ in range(rounds):
        md.reset().convert(body)
    here = (time.perf_counter() - started) / rounds
    started = time.perf_counter()
    for _ in range(rounds):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            os.write(write, md.reset().convert(body).encode())
            os._exit(0)
        os.close(write)
        while os.read(read, 65536):
            pass
        os.close(read)
        os.waitpid(pid, 0)
    forked = (time.perf_counter() - started) / rounds
    return here * 1000, forked * 1000


def project_copy(base: Path) -> Path:
    target = base / "project"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for name in ("content", "campaigns", "data", "theme"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copy(ROOT / "pelicanconf.py", target / "pelicanconf.py")
    return target


def run(quick: bool) -> str:
    from publisher.content import markdown_guard as guard

    work = Path(tempfile.mkdtemp(prefix="markdown-bombs-"))
    baseline = measure("baseline", '""')
    rows = []
    for name, expression in BOMBS.items():
        row: dict[str, Any] = {"name": name}
        for kind in ("render", "backstop") if quick else ("render", "backstop", "check", "build"):
            project = project_copy(work) if kind in ("check", "build") else None
            row[kind] = measure(kind, expression, project)
            print(name, kind, json.dumps(row[kind]), flush=True)
        rows.append(row)
    here, forked = fork_cost()
    shutil.rmtree(work, ignore_errors=True)
    return render(rows, baseline, here, forked, guard, quick)


def render(rows: list[dict[str, Any]], baseline: dict[str, Any], here: float, forked: float,
           guard: Any, quick: bool) -> str:  # fmt: skip
    load = os.getloadavg()[0]
    lines = [
        f"`.venv/bin/python bench/markdown_bombs.py{' --quick' if quick else ''}` on "
        f"{time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores shared with other engineers' test suites "
        f"(load average {load:.1f} when it finished: wall times are the machine's, CPU times "
        "the conversion's). Each figure is one fresh process; *peak* is its peak RSS "
        f"(a process that only imports and builds the text peaks at {baseline['peak_mb']:.0f} MB).",
        "",
        f"Bounds in force: the input limits; a deadline of {guard.DEADLINE_SECONDS:g} s of CPU; "
        f"{guard.MEMORY_HEADROOM >> 20} MB of address space over what the process had.",
        "",
        "| bomb | refused by | render: wall / CPU / peak | limits off (backstop): wall / CPU / peak |"
        + ("" if quick else " `check` | `build` |"),
        "| --- | --- | --- | --- |" + ("" if quick else " --- | --- |"),
    ]
    for row in rows:
        render_, back = row["render"], row["backstop"]
        cells = [
            row["name"],
            layer(render_["outcome"]),
            f"{render_['wall']:.2f} s / {render_['cpu']:.2f} s / {render_['peak_mb']:.0f} MB",
            f"{layer(back['outcome'])}: {back['wall']:.2f} s / {back['cpu']:.2f} s / "
            f"{back['peak_mb']:.0f} MB",
        ]
        if not quick:
            for kind in ("check", "build"):
                item = row[kind]
                outcome = item["outcome"]
                if outcome == "built" or outcome.startswith("0 error"):
                    verdict = "passes"
                elif re.search(r"\b[1-9]\d* (?:problem\(s\) )?naming bom\.md", outcome):
                    verdict = "fails, names the file"
                else:
                    verdict = outcome[:40]
                cells.append(f"{verdict}, {item['process_wall']:.1f} s, {item['peak_mb']:.0f} MB")
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        f"A typical article (content/berita/cara-memakai-tombol-keluar-cepat.md) converts in "
        f"{here:.2f} ms in the build process and in {forked:.2f} ms in a forked child (fork, "
        "pipe, wait): why conversions are not forked one by one.",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- bench:markdown-bombs -->", "<!-- /bench:markdown-bombs -->"
    section = f"{start}\n{text}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    doc = (
        pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc + "\n" + section + "\n"
    )
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="render and backstop only")
    args = parser.parse_args()
    text = run(args.quick)
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
