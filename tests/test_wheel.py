"""An installed `publisher` (a wheel, not this source tree) builds a project from outside it.

The project is found from the working folder (or --project), never from where the package
is installed: tests/test_architecture.py refuses `Path(__file__)` root finding, and this test
shows the result on a real wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PARTS = ("content", "campaigns", "data", "theme", "pelicanconf.py")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built as a wheel and installed into a folder of its own."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(work / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = (work / "dist").glob("tppo_publisher-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(work / "site"), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return work / "site"


def project_copy(where: Path) -> Path:
    where.mkdir()
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, where / part)
        else:
            shutil.copy(source, where / part)
    return where


def run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The wheel's folder first: the source tree's editable install must not be what runs.
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_the_wheel_builds_a_project_outside_the_source_tree(
    installed: Path, tmp_path: Path
) -> None:
    project = project_copy(tmp_path / "situs")
    where = subprocess.run(
        [sys.executable, "-c", "import publisher; print(publisher.__file__)"],
        env={**os.environ, "PYTHONPATH": str(installed)}, capture_output=True, text=True,
        check=True, cwd=project,
    ).stdout.strip()  # fmt: skip
    assert where.startswith(str(installed))
    result = run(installed, project / "content", "build", "--now", "2026-11-28 12:00")
    assert result.returncode == 0, result.stderr[-2000:]
    assert (project / "output" / "index.html").is_file()
    assert "Built " in result.stdout


def test_the_project_can_be_named_and_missing_parts_are_one_line(
    installed: Path, tmp_path: Path
) -> None:
    project = project_copy(tmp_path / "situs")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    nowhere = run(installed, elsewhere, "check")
    assert nowhere.returncode == 1
    assert "no pelicanconf.py in" in nowhere.stderr and "Traceback" not in nowhere.stderr
    named = run(installed, elsewhere, "--project", str(project), "check")
    assert named.returncode == 0, named.stdout + named.stderr
    shutil.rmtree(project / "theme")
    themeless = run(installed, project, "build")
    assert themeless.returncode == 1
    assert "the theme folder" in themeless.stderr and "Traceback" not in themeless.stderr
