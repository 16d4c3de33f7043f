"""`publisher build`: located errors, no half-built site, --now."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

GOOD_POST = """---
id: uji-001
title: Berita uji
date: 2026-10-01 09:00
summary: Ringkasan berita uji.
---
Isi berita uji.
"""


def make_project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A tiny site using the project's theme and plugins; returns its settings file."""
    content = tmp_path / "content"
    for name, text in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # Copies, not links: a build refuses links that lead outside its project.
    for shared in ("images", "files"):  # the press kit and sample images live here
        if not (content / shared).exists():
            shutil.copytree(ROOT / "content" / shared, content / shared)
    shutil.copytree(ROOT / "data", tmp_path / "data")
    settings = tmp_path / "siteconf.py"
    settings.write_text(
        f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\n"
        f"exec(open(__file__).read())\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    return settings


def run_build(settings: Path, output: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "publisher",
            "build",
            "--settings",
            str(settings),
            "--output",
            str(output),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=settings.parent,
        timeout=120,
    )


def test_a_good_build_writes_the_site(tmp_path: Path) -> None:
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    result = run_build(settings, tmp_path / "output")
    assert result.returncode == 0, result.stderr
    assert "Built" in result.stdout
    assert (tmp_path / "output/berita/2026/berita-uji/index.html").is_file()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            GOOD_POST.replace("date: 2026-10-01 09:00", "date: 2027-02-30 09:00"),
            4,
            "not a valid date",
        ),
        (GOOD_POST.replace("summary:", "sumary:"), 5, "did you mean 'summary'"),
        (GOOD_POST.replace("title: Berita uji\n", ""), 1, "'title' is required"),
        (GOOD_POST.replace("---\nIsi", "Isi"), 1, "not closed"),
        (GOOD_POST.replace("title: Berita uji", "title: [Berita"), 4, "not valid YAML"),
        (GOOD_POST.replace("summary: R", "image: gambar.png\nsummary: R"), 5, "alt text"),
    ],
    ids=["impossible date", "typo", "missing title", "unclosed", "bad yaml", "image without alt"],
)
def test_broken_content_stops_the_build_with_file_and_line(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    settings = make_project(tmp_path, {"berita/uji.md": text})
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("previous site")
    result = run_build(settings, output)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    prefix = f"content/berita/uji.md:{line}: error: "
    located = [m for m in result.stderr.splitlines() if m.startswith(prefix)]
    assert any(words in m for m in located), result.stderr
    assert (output / "index.html").read_text() == "previous site"
    assert sorted(p.name for p in output.iterdir()) == ["index.html"]
    assert not list(tmp_path.glob(".output-build-*"))


def test_binary_file_named_md_is_a_located_error(tmp_path: Path) -> None:
    settings = make_project(tmp_path, {"berita/ok.md": GOOD_POST})
    (tmp_path / "content/berita/foto.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = run_build(settings, tmp_path / "output")
    assert result.returncode == 1
    assert "foto.md:1: error: this is not a text file" in result.stderr
    assert not (tmp_path / "output").exists()


def test_future_posts_appear_only_from_their_time(tmp_path: Path) -> None:
    future = GOOD_POST.replace("2026-10-01 09:00", "2027-07-30 09:00").replace("uji-001", "uji-002")
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST, "berita/nanti.md": future})
    before = run_build(settings, tmp_path / "before", "--now", "2027-07-30T08:59+07:00")
    after = run_build(settings, tmp_path / "after", "--now", "2027-07-30 09:00")
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert not (tmp_path / "before/berita/2027").exists()
    assert "2027" not in (tmp_path / "before/feeds/all.atom.xml").read_text()
    assert not list((tmp_path / "before").rglob("drafts"))
    assert (tmp_path / "after/berita/2027").is_dir()


def test_bad_now_option_is_a_usage_error(tmp_path: Path) -> None:
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    result = run_build(settings, tmp_path / "output", "--now", "besok pagi")
    assert result.returncode == 2
    assert "YYYY-MM-DD HH:MM" in result.stderr and "Traceback" not in result.stderr


def test_cli_has_help_for_every_command() -> None:
    from click.testing import CliRunner

    from publisher.cli.main import cli

    runner = CliRunner()
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help, f"{name} has no help text"
