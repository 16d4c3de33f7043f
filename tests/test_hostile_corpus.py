"""The whole trust promise at once (issue 15, "done when"): a hostile corpus run through
`check`, `build`, `tick` and `deploy`, as staff and cron run them, gives no traceback,
writes or deletes nothing outside the build's own folders, publishes nothing embargoed,
no file from outside the project and no secret.

The corpus: the project's own content, the hostile fixtures of tests/hostile/ and
tests/broken/, the embargoed release of tests/content/test_golive.py (with its translation, images,
attachment and body-linked files), a symlink to /etc/passwd, dotfiles and editor backups in
static folders, and a `.env` with a token.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.content.test_golive import RELEASE, SECRETS, TRANSLATION, every_byte, hits, svg
from tests.support import ROOT

TOKEN = "TOKEN-Z9-abcdefghijklmnop"  # a bot token in .env: must appear nowhere
OUTSIDE = "ISI-DI-LUAR-PROYEK-Z9"  # a file beside the project, linked from inside
WRITABLE = ("output", "output-future", "var", "outbox", "web")  # what the commands may write


def tree_state(top: Path) -> dict[str, str]:
    """Every file under `top` but the writable folders: path -> digest (links: their target)."""
    state = {}
    for path in sorted(top.rglob("*")):
        relative = path.relative_to(top)
        if relative.parts and (
            relative.parts[0] in WRITABLE or relative.parts[0].startswith(".output")
        ):
            continue
        if (
            len(relative.parts) > 1
            and relative.parts[0] == "proj"
            and (relative.parts[1] in WRITABLE or relative.parts[1].startswith(".output"))
        ):
            continue
        if path.is_symlink():
            state[str(relative)] = "-> " + os.readlink(path)
        elif path.is_file():
            state[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def unchanged_since(before: dict[str, str], after: dict[str, str]) -> int:
    """How many files were compared; fails if any was added, changed or deleted."""
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == set()
    return len(before)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = tmp_path_factory.mktemp("hostile")
    project = world / "proj"
    project.mkdir()
    for part in ("content", "campaigns", "data", "theme"):
        shutil.copytree(ROOT / part, project / part)
    for part in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(ROOT / part, project / part)
    content = project / "content"
    # The embargoed release, its translation and its files (tests/content/test_golive.py).
    files = {
        "siaran-pers/rahasia.md": RELEASE,
        "siaran-pers/en/rahasia.md": TRANSLATION,
        "images/rahasia-q7x-foto.svg": svg(SECRETS["lead image"]),
        "images/rahasia-q7x-galeri.svg": svg(SECRETS["gallery image"]),
        "images/rahasia-q7x-hires.svg": svg(SECRETS["hi-res image"]),
        "images/rahasia-q7x-tubuh.svg": svg(SECRETS["body image"]),
        "images/bersama-q7x.svg": svg("SHARED-Q7X"),
        "files/rahasia-q7x-lampiran.pdf": f"%PDF-1.4 {SECRETS['attachment']}\n",
        "files/rahasia-q7x-tautan.pdf": f"%PDF-1.4 {SECRETS['body-linked file']}\n",
    }
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    # Paths that lead out of the project, and files that must never be copied.
    (world / "rahasia-luar.txt").write_text(OUTSIDE, encoding="utf-8")
    (content / "images" / ".env").write_text(f"TOKEN={TOKEN}\n", encoding="utf-8")
    (content / "images" / "poster.svg~").write_text(TOKEN, encoding="utf-8")
    (content / "files" / ".git").mkdir()
    (content / "files" / ".git" / "config").write_text(TOKEN, encoding="utf-8")
    (project / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    return world


def hostile_copy(world: Path) -> Path:
    """The world's project with every hostile and broken fixture added: a build refuses it."""
    project = world / "proj"
    shutil.copytree(ROOT / "tests" / "hostile" / "content", project / "content", dirs_exist_ok=True)
    shutil.copytree(
        ROOT / "tests" / "hostile" / "campaigns", project / "campaigns", dirs_exist_ok=True
    )
    folders = {"article": "content/berita", "release": "content/siaran-pers",
               "page": "content/pages", "campaign": "campaigns"}  # fmt: skip
    for fixture in sorted((ROOT / "tests" / "broken").glob("*.md")):
        target = project / folders[fixture.name.split("-")[0]] / fixture.name
        shutil.copy(fixture, target)
    # Links out of the project: refused by check and build (never followed).
    (project / "content" / "files" / "passwd.txt").symlink_to("/etc/passwd")
    (project / "content" / "images" / "luar.svg").symlink_to(world / "rahasia-luar.txt")
    return project


def cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_TOKEN", "_PASSWORD"))}
    env.update(SITE_URL="https://tppo-uji.go.id", DEPLOY_TARGET=str(project.parent / "web"))
    return subprocess.run(
        [sys.executable, "-m", "publisher", *args],
        cwd=project, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def test_a_hostile_corpus_through_check_build_tick_and_deploy(world: Path) -> None:
    before = tree_state(world)
    runs: list[tuple[str, subprocess.CompletedProcess[str]]] = []

    # 1. Staff's own run: the clean project with the embargoed release and the path attacks.
    project = world / "proj"
    runs.append(("build", cli(project, "build", "--production")))
    assert runs[-1][1].returncode == 0, runs[-1][1].stderr[-3000:]
    runs.append(("tick", cli(project, "tick")))
    runs.append(("deploy", cli(project, "deploy")))
    assert runs[-1][1].returncode == 0, runs[-1][1].stderr[-3000:]
    for target in (
        "/",
        "/proc",
        str(project),
        str(project / "output"),
        str(project / "pelicanconf.py"),
    ):
        runs.append((f"deploy --target {target}", cli(project, "deploy", "--target", target)))
        assert runs[-1][1].returncode == 1
    runs.append(
        (
            "build --now at go-live",
            cli(project, "build", "--production", "--now", "2027-07-30 09:00"),
        )
    )
    assert runs[-1][1].returncode == 0, runs[-1][1].stderr[-3000:]
    future = project / "output-future"
    runs.append(("deploy a future build", cli(project, "deploy", "--output", str(future))))
    assert runs[-1][1].returncode == 1

    unchanged = unchanged_since(before, tree_state(world))

    # 2. Every hostile and broken fixture at once: check and build refuse, tick goes on.
    hostile = hostile_copy(world)
    before = tree_state(world)
    kept = sorted(p.name for p in (project / "output").rglob("*") if p.is_file())
    runs.append(("check (hostile)", cli(hostile, "check")))
    assert runs[-1][1].returncode == 1
    runs.append(("build (hostile)", cli(hostile, "build", "--production")))
    assert runs[-1][1].returncode == 1
    assert sorted(p.name for p in (project / "output").rglob("*") if p.is_file()) == kept
    runs.append(("tick (hostile)", cli(hostile, "tick")))

    tracebacks = [name for name, run in runs if "Traceback" in run.stdout + run.stderr]
    assert tracebacks == []

    # Nothing outside the build's own folders was written or deleted, in either step.
    unchanged += unchanged_since(before, tree_state(world))

    # What the public, the platforms and the web root got: no embargoed byte, no file from
    # outside the project, no secret.
    published = {}
    for folder in ("output", "web", "outbox"):
        for name, data in every_byte(project / folder).items():
            published[f"{folder}/{name}"] = data
    needles = [*SECRETS.values(), OUTSIDE, TOKEN, "root:x:0:0"]
    found = {needle: hits(published, needle) for needle in needles}
    assert {k: v for k, v in found.items() if v} == {}
    # ... and the preview of the future has all of it (the test can fail).
    assert hits(every_byte(future), SECRETS["body"])
    size = sum(len(d) for d in published.values())
    print(
        f"\n[hostile corpus] {len(runs)} commands, {len(tracebacks)} tracebacks; "
        f"{unchanged} files outside the build folders checked, none written or deleted; "
        f"{len(published)} published "
        f"files ({size:,} bytes, twins and search index decompressed), 0 bytes of the "
        f"embargoed release, of files outside the project or of the token"
    )
