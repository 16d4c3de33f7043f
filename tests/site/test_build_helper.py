"""The build's helper process: same site, same problems, and the main process copes alone.

Each build runs in a fresh interpreter, as `publisher build` does: the helper is only forked
by a single-threaded process, and the test process has threads of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.site.test_build import GOOD_POST, make_project
from tests.support import ROOT

PROBE = """
import json, os, sys
from pathlib import Path
from publisher.site import build
from publisher.site.fast import build_helper
from publisher.site.fast import parallel_render
from publisher.core.timeutil import parse_time

settings, output, helper, mode = sys.argv[1:5]
if mode == "helper dies":
    build_helper._helper_main = lambda *args: os._exit(3)
if mode == "renderer dies":  # the first thing the forked renderer does
    parallel_render.close_inherited = lambda keep: os._exit(5)
taken = []
original_take = build_helper.BuildHelper.take

def take(self, path):
    found = original_take(self, path)
    if found is not None:
        taken.append(path)
    return found

build_helper.BuildHelper.take = take
forked = []
original_start = parallel_render.DeferredRenders.start

def start(self):
    first = not self.started
    original_start(self)
    if first and self.pid is not None:
        forked.append(len(self.calls))

parallel_render.DeferredRenders.start = start
overrides = {"SEARCH_INDEX": False, "BUILD_HELPER": helper == "1"}
try:
    build.build_site(Path(settings), Path(output), parse_time("2026-11-28 12:00"), overrides)
    problems = []
except build.BuildFailed as exc:
    problems = [str(p) for p in exc.problems]
print(json.dumps({"taken": len(taken), "rendered_apart": sum(forked), "problems": problems}))
"""


def probe(settings: Path, output: Path, *, helper: bool, mode: str = "") -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(settings), str(output), "1" if helper else "0", mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def post(number: int) -> str:
    return GOOD_POST.replace("uji-001", f"uji-{number:03d}").replace(
        "Berita uji", f"Berita uji {number}"
    )


def test_the_helper_builds_the_same_site_byte_for_byte(tmp_path: Path) -> None:
    settings = ROOT / "pelicanconf.py"
    with_helper = probe(settings, tmp_path / "with", helper=True)
    alone = probe(settings, tmp_path / "alone", helper=False)
    assert with_helper["problems"] == alone["problems"] == []
    assert with_helper["taken"] > 0, "the helper converted nothing"
    assert alone["taken"] == 0
    assert tree(tmp_path / "with") == tree(tmp_path / "alone")


def test_problems_found_beside_pelican_stop_the_build_as_before(tmp_path: Path) -> None:
    files = {f"berita/uji-{n}.md": post(n) for n in range(1, 7)}
    files["berita/uji-4.md"] = post(4).replace("date: 2026-10-01 09:00", "date: 2026-13-45")
    files["berita/uji-5.md"] = post(5).replace("title: Berita uji 5\n", "")
    settings = make_project(tmp_path, files)
    with_helper = probe(settings, tmp_path / "with", helper=True)
    alone = probe(settings, tmp_path / "alone", helper=False)
    assert with_helper["problems"] == alone["problems"]
    assert [p.split(":")[0].rsplit("/", 1)[-1] for p in with_helper["problems"]] == [
        "uji-4.md",
        "uji-5.md",
    ]
    assert not (tmp_path / "with").exists(), "a failed build must not leave output"


def test_when_the_helper_dies_the_main_process_builds_and_checks_alone(tmp_path: Path) -> None:
    files = {f"berita/uji-{n}.md": post(n) for n in range(1, 5)}
    settings = make_project(tmp_path, files)
    survived = probe(settings, tmp_path / "out", helper=True, mode="helper dies")
    assert survived["taken"] == 0 and survived["problems"] == []
    assert len(list((tmp_path / "out" / "berita" / "2026").iterdir())) == 4
    files["berita/uji-2.md"] = post(2).replace("date: 2026-10-01 09:00", "date: kemarin")
    broken = make_project(tmp_path / "broken", files)
    failed = probe(broken, tmp_path / "broken-out", helper=True, mode="helper dies")
    assert len(failed["problems"]) == 1 and "uji-2.md:4:" in failed["problems"][0]


def test_article_pages_rendered_in_a_forked_process_are_the_same(tmp_path: Path) -> None:
    files = {f"berita/uji-{n}.md": post(n) for n in range(1, 81)}
    settings = make_project(tmp_path, files)
    apart = probe(settings, tmp_path / "apart", helper=True)
    alone = probe(settings, tmp_path / "alone", helper=False)
    assert apart["rendered_apart"] == 80 and alone["rendered_apart"] == 0
    assert apart["problems"] == alone["problems"] == []
    assert tree(tmp_path / "apart") == tree(tmp_path / "alone")
    # A renderer that dies: the main process renders its pages, the sitemap lists each once.
    died = probe(settings, tmp_path / "died", helper=True, mode="renderer dies")
    assert died["rendered_apart"] == 80 and died["problems"] == []
    assert tree(tmp_path / "died") == tree(tmp_path / "alone")
