"""`publisher serve`'s builder process: rebuilds on request, keeps the old site on errors,
and refreshes the search index after each new site."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from publisher.site.fast.build_worker import Builder
from tests.site.test_build import GOOD_POST, make_project


def said(lines: list[tuple[str, bool]]) -> Any:
    """A Builder's `say` that collects (line, is a problem) pairs."""
    return lambda line, problem: lines.append((line, problem))


def test_the_builder_rebuilds_keeps_the_old_site_on_errors_and_refreshes_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = tmp_path / "content" / "berita" / "uji.md"
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    monkeypatch.chdir(tmp_path)
    page = tmp_path / "output" / "berita" / "2026" / "berita-uji" / "index.html"
    entry = tmp_path / "output" / "pagefind" / "shards.json"  # its shard digests change
    lines: list[tuple[str, bool]] = []
    builder = Builder(settings, say=said(lines))
    try:
        assert builder.rebuild()
        assert "Isi berita uji." in page.read_text(encoding="utf-8")
        assert entry.exists()
        first_index = entry.read_text(encoding="utf-8")

        post.write_text(GOOD_POST.replace("Isi berita uji.", "Isi yang diperbarui."), "utf-8")
        assert builder.rebuild()
        assert "Isi yang diperbarui." in page.read_text(encoding="utf-8")
        assert entry.read_text(encoding="utf-8") != first_index, "search index not refreshed"

        post.write_text(GOOD_POST.replace("date: 2026-10-01 09:00", "date: besok"), "utf-8")
        assert not builder.rebuild()
        assert "Isi yang diperbarui." in page.read_text(encoding="utf-8")
        assert entry.exists()
    finally:
        builder.close()
    out = "\n".join(line for line, problem in lines if not problem)
    err = "\n".join(line for line, problem in lines if problem)
    assert out.count("Rebuilt ") == 2
    assert out.count("Search index updated") == 2
    assert "content/berita/uji.md:4:" in err
    assert "still serving the previous version" in err


def test_a_builder_that_died_is_started_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    monkeypatch.chdir(tmp_path)
    builder = Builder(settings)
    try:
        assert builder.rebuild()
        assert builder.process is not None
        builder.process.kill()
        builder.process.wait()
        assert builder.rebuild()
    finally:
        builder.close()


REMEMBERING = """
import sys
from pathlib import Path
from publisher.site import build
from publisher.site.run import BuildMemory
from publisher.core.timeutil import parse_time

settings, output = Path(sys.argv[1]), Path(sys.argv[2])
page = output / "berita" / "2026" / "berita-uji" / "index.html"
memory = BuildMemory(lasting=True)  # kept between builds, as serve's builder keeps it
for now in ("2026-11-28 12:00", "2026-09-01 12:00", "2026-11-28 12:00"):
    build.build_site(settings, output, parse_time(now), {"SEARCH_INDEX": False}, memory=memory)
    print(now, page.exists(), len(memory.converted))
"""


def test_conversions_remembered_between_builds_are_live_only_when_due(tmp_path: Path) -> None:
    # serve's builder keeps conversions; a later build at an earlier time (--now) must still
    # hold back what was not yet published then.
    import subprocess
    import sys

    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    result = subprocess.run(
        [sys.executable, "-c", REMEMBERING, str(settings), str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [line for line in result.stdout.splitlines() if line.startswith("2026-")]
    assert lines == [
        "2026-11-28 12:00 True 1",
        "2026-09-01 12:00 False 1",
        "2026-11-28 12:00 True 1",
    ]


def test_the_builder_answers_when_the_search_index_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    settings.write_text(settings.read_text() + "SEARCH_INDEX = False\n")
    monkeypatch.chdir(tmp_path)
    lines: list[tuple[str, bool]] = []
    builder = Builder(settings, say=said(lines))
    results: list[bool] = []
    # In a thread: a builder that never answers about search would make serve wait for ever.
    waiting = threading.Thread(
        target=lambda: results.extend([builder.rebuild(), builder.rebuild()])
    )
    waiting.start()
    waiting.join(timeout=60)
    if waiting.is_alive():
        assert builder.process is not None
        builder.process.kill()
        waiting.join()
    builder.close()
    assert results == [True, True]
    out = "\n".join(line for line, _problem in lines)
    assert out.count("Rebuilt ") == 2 and "Search index" not in out
    assert not (tmp_path / "output" / "pagefind").exists()
