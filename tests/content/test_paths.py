"""Paths (issue 15, section 2): read only from the project, write and delete only in the
build's own folder. A file is planted beside the project; whatever check, build and deploy
are given, it is never read into output, changed or deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.content.check import check_tree
from publisher.content.paths import is_private, path_problem, system_folder_problem
from publisher.ops.deploy import DeployError, check_target, deploy
from publisher.site.build import BuildFailed, build_site
from publisher.site.golive_files import sweep
from tests.content.test_check_build_agree import NOW
from tests.content.test_check_build_agree import make_project as make_site


@pytest.mark.parametrize(
    "value",
    [
        "images/a.png",
        "{static}/images/a.png",
        "/images/a.png",
        "files/x y.pdf",
        "images/%20a.png",
        "./images/a.png",
    ],
)
def test_paths_inside_content_pass(value: str) -> None:
    assert path_problem(value) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("../secret.txt", "'..'"),
        ("images/../../secret.txt", "'..'"),
        ("{static}/../secret.txt", "'..'"),
        ("/etc/passwd", "absolute path"),
        ("//evil.example/x.png", "absolute path"),
        ("C:/Windows/win.ini", "absolute path"),
        ("file:///etc/passwd", "absolute path"),
        ("~/secret.txt", "'~'"),
        ("images/~/x", "'~'"),
        ("%2e%2e/secret.txt", "URL-encoded"),
        ("images%2fsecret", "URL-encoded"),
        ("images%5csecret", "URL-encoded"),
        ("%252e%252e/x", "URL-encoded"),
        ("images\\a.png", "backslash"),
        ("images/a\x00.png", "control character"),
    ],
)
def test_paths_that_leave_content_are_refused(value: str, words: str) -> None:
    assert words in (path_problem(value) or "")


@pytest.mark.parametrize("value", ["../x", "a/b", ".", "..", "%2e%2e", "~root", "a\\b"])
def test_a_slug_or_id_is_one_part_of_an_address(value: str) -> None:
    assert path_problem(value, segment=True)


def test_private_names() -> None:
    for name in (".env", "a/.env.local", "x.png~", ".x.swp", "#notes#", "a.orig", "a.bak",
                 ".git/config", "CVS/Entries", "images/.DS_Store", ".env.gz"):  # fmt: skip
        assert is_private(name), name
    for name in ("images/a.png", ".well-known/security.txt", ".future-build", "a~b.png"):
        assert not is_private(name), name


def test_system_folders(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (tmp_path / "file").write_text("x")
    assert system_folder_problem("/") and system_folder_problem("/proc/self")
    assert system_folder_problem("/etc") and system_folder_problem("/usr/lib/x")
    assert system_folder_problem(tmp_path, project)  # holds the project
    assert system_folder_problem(project, project)
    assert system_folder_problem(tmp_path / "file")
    assert system_folder_problem(tmp_path / "site", project) is None
    assert system_folder_problem("/var/www/tppo", project) is None


# --- a planted file: nothing outside the project is read, changed or deleted ------------------


def snapshot(folder: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file and link under `folder` with a digest of what it holds (links not followed)."""
    found = {}
    for current, dirs, files in os.walk(folder):
        here = Path(current)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for name in files + [d for d in dirs if (here / d).is_symlink()]:
            path = here / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


HOSTILE = {
    "siaran-pers/lampiran.md": "attachments:\n  - file: ../../planted.txt\n    title: x\n",
    "siaran-pers/mutlak.md": "attachments:\n  - file: {planted}\n    title: x\n",
    "berita/slug.md": "slug: ../../../planted\n",
    "berita/gambar.md": "image:\n  src: ../../planted.txt\n  alt: x\n",
    "berita/tautan.md": "",  # body links below
}


def hostile_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    site = make_site(tmp_path, monkeypatch)
    planted = tmp_path / "planted.txt"
    planted.write_text("PLANTED-BESIDE-THE-PROJECT-W2")
    for index, (name, extra) in enumerate(HOSTILE.items()):
        kind = "sp" if name.startswith("siaran-pers") else "berita"
        text = (
            f"---\nid: {kind}-hostile-{index}\ntitle: Hostile {index}\ndate: 2027-07-01 09:00\n"
            f"summary: Ringkasan.\n{extra.format(planted=planted)}---\n\n"
            "[a]({static}/../../planted.txt) ![b](/images/../../planted.txt)\n"
        )
        (site / "content" / name).write_text(text)
    return site, planted


def test_check_and_build_of_hostile_paths_touch_nothing_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, planted = hostile_project(tmp_path, monkeypatch)
    before = snapshot(tmp_path, skip=(site,))
    problems = [p for p in check_tree(site) if p.severity == "error"]
    assert {p.path for p in problems} >= {f"content/{n}" for n in HOSTILE}
    with pytest.raises(BuildFailed) as refused:
        build_site(site / "pelicanconf.py", site / "output", now=NOW)
    assert [str(p) for p in refused.value.problems] == [str(p) for p in problems]
    assert not (site / "output").exists()
    assert snapshot(tmp_path, skip=(site,)) == before
    assert planted.read_text() == "PLANTED-BESIDE-THE-PROJECT-W2"


@pytest.mark.parametrize(
    "where", ["beside", "project", "content", "theme", "data", "root", "home", "not-a-site", "file"]
)
def test_the_build_will_not_replace_a_folder_that_is_not_a_site_s(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "letter.txt").write_text("keep me")
    (tmp_path / "a-file").write_text("keep me too")
    targets = {
        "beside": tmp_path,
        "project": site,
        "content": site / "content",
        "theme": site / "theme" / "templates",
        "data": site / "data",
        "root": Path("/"),
        "home": Path("~").expanduser(),
        "not-a-site": victim,
        "file": tmp_path / "a-file",
    }
    before = snapshot(tmp_path)
    result = CliRunner().invoke(
        cli, ["build", "--settings", str(site / "pelicanconf.py"), "--output", str(targets[where])]
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "the build will not write here" in result.output
    assert snapshot(tmp_path) == before


def test_a_site_folder_is_replaced_and_nothing_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    planted = tmp_path / "planted.txt"
    planted.write_text("keep")
    (tmp_path / ".output-old").mkdir()  # a leftover the swap may remove: its own name
    output = site / "output"
    build_site(site / "pelicanconf.py", output, now=NOW)
    first = snapshot(tmp_path, skip=(output,))
    build_site(site / "pelicanconf.py", output, now=NOW)
    assert snapshot(tmp_path, skip=(output,)) == first
    assert planted.read_text() == "keep"


def test_sweep_stays_inside_its_folder(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    (staging / "images").mkdir(parents=True)
    planted = tmp_path / "planted.png"
    planted.write_text("outside")
    (staging / "images/held.png").symlink_to(planted)
    (staging / "images/held.png.gz").write_text("twin")
    (staging / ".env").write_text("SECRET")
    (staging / "images/ok.png").write_text("ok")
    removed = sweep(staging, {"images/held.png", "../planted.png"})
    assert removed == [".env", "images/held.png", "images/held.png.gz"]
    assert planted.read_text() == "outside"
    assert (staging / "images/ok.png").exists()


def test_deploy_never_writes_into_the_project_or_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    before = snapshot(tmp_path)
    for target in (str(site), str(site / "output"), str(site / "content"), "/", "/proc"):
        with pytest.raises(DeployError, match="refusing the target"):
            check_target(target, site, site / "output")
        with pytest.raises(DeployError):
            deploy(site / "output", target, 3, project_root=site)
    assert snapshot(tmp_path) == before
    shutil.rmtree(site)
