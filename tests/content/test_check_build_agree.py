"""One rule set serves `check` and `build`: every fixture of tests/broken/ through both.

Staff run `publisher check` before they commit, so every reason for `publisher build` to
refuse something must be a check error first (issue 15, section 4). Each fixture is put into
the small valid site of tests/broken/_base (with the project's theme and plugins) and both
are run: the build refuses exactly when the check finds errors, with the same lines.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from publisher.content.check import check_tree
from publisher.core.timeutil import parse_time
from publisher.site.build import BuildFailed, build_site
from tests.content.test_check import BROKEN, EXPECTED, add
from tests.support import ROOT

# A moment when the base site's article and campaign are live.
NOW = parse_time("2027-07-21 12:00")


def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The base site as a buildable project: its own copy of the theme, the real settings."""
    site = tmp_path / "site"
    shutil.copytree(BROKEN / "_base", site)
    shutil.copytree(ROOT / "theme", site / "theme")
    (site / "content" / "siaran-pers").mkdir(exist_ok=True)
    (site / "pelicanconf.py").write_text(
        f"__file__ = {str(ROOT / 'pelicanconf.py')!r}\n"
        "exec(open(__file__).read())\n"
        f"PATH = {str(site / 'content')!r}\n"
        f"THEME = {str(site / 'theme')!r}\n"
        f"HOTLINES_FILE = {str(site / 'data/hotlines.yaml')!r}\n"
        f"PRESS_FILE = {str(site / 'data/press.yaml')!r}\n"
        "SEARCH_INDEX = False\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(site)
    return site


def both(site: Path) -> tuple[list[str], list[str] | None]:
    """(check's errors, the build's problems or None when it built)."""
    errors = [str(p) for p in check_tree(site) if p.severity == "error"]
    try:
        build_site(site / "pelicanconf.py", site / "output", now=NOW)
    except BuildFailed as exc:
        return errors, [str(p) for p in exc.problems]
    return errors, None


def test_the_base_site_builds_and_checks_clean(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    assert both(site) == ([], None)
    assert (site / "output" / "berita/2027/contoh-berita/index.html").is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_check_and_build_agree(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_project(tmp_path, monkeypatch)
    add(site, name, (BROKEN / name).read_bytes())
    errors, refused = both(site)
    wanted = [e for e in EXPECTED[name] if e["severity"] == "error"]
    assert len(errors) == len(wanted), errors  # the check finds what the corpus says
    if errors:
        assert refused == errors, "the build refused something else than the check found"
        assert not (site / "output").exists()
    else:
        assert refused is None, f"the build refused what the check passes: {refused}"


def test_a_link_outside_the_project_is_refused_by_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    secret = tmp_path / "planted-secret.txt"  # beside the project, never inside it
    secret.write_text("PLANTED-SECRET-Z9")
    (site / "content/images/rahasia.png").symlink_to(secret)
    (site / "data/lain.yaml").symlink_to("/etc/passwd")
    (site / "theme/static/css/lain.css").symlink_to("/proc/self/environ")
    errors, refused = both(site)
    assert [e.split(":")[0] for e in errors] == [
        "content/images/rahasia.png",
        "data/lain.yaml",
        "theme/static/css/lain.css",
    ]
    assert all("outside the project" in e for e in errors)
    assert refused == errors
    assert not (site / "output").exists()
    assert not list(tmp_path.glob("**/.output-build-*"))
    assert secret.read_text() == "PLANTED-SECRET-Z9"


def test_a_link_inside_the_project_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_project(tmp_path, monkeypatch)
    (site / "content/images/sama.png").symlink_to(site / "content/images/contoh.png")
    assert both(site) == ([], None)


def test_a_production_build_for_the_placeholder_address_is_refused_by_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    monkeypatch.delenv("SITE_URL", raising=False)
    shutil.copy(ROOT / "publishconf.py", site / "publishconf.py")
    checked = [str(p) for p in check_tree(site) if p.severity == "error"]
    assert checked == []  # a plain check does not judge the production address
    from publisher.content.check import Checker

    production = [str(p) for p in Checker(site, production=True).run() if p.severity == "error"]
    assert len(production) == 1 and production[0].startswith("publishconf.py:")
    assert "placeholder" in production[0] and "SITE_URL" in production[0]
    with pytest.raises(BuildFailed) as refused:
        build_site(site / "publishconf.py", site / "output", now=NOW)
    assert [str(p) for p in refused.value.problems] == production
    monkeypatch.setenv("SITE_URL", "https://tppo.bengkulutengahkab.go.id")
    assert [p for p in Checker(site, production=True).run() if p.severity == "error"] == []


def test_private_files_never_reach_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    private = {
        "content/images/.env": "SECRET=1",
        "content/images/contoh.png~": "backup",
        "content/images/.contoh.png.swp": "swap",
        "content/images/#contoh#": "emacs",
        "content/images/contoh.png.orig": "orig",
        "content/images/contoh.png.bak": "bak",
        "content/images/.git/config": "[core]",
        "content/files/.hg/store": "x",
        "content/extra/.DS_Store": "x",
        "theme/static/css/site.css.bak": "x",
        "theme/static/.env": "SECRET=2",
    }
    for name, text in private.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    (site / "content/extra/.well-known").mkdir(parents=True)
    (site / "content/extra/.well-known/security.txt").write_text(
        "Contact: mailto:x@example.go.id\n"
    )
    assert both(site) == ([], None)
    out = site / "output"
    names = [p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()]
    leaked = [
        n
        for n in names
        if any(
            n.endswith(s) or s in n
            for s in (".env", "~", ".swp", "#", ".orig", ".bak", ".git", ".hg", ".DS_Store")
        )
    ]
    assert leaked == []
    assert not any(b"SECRET=" in (out / n).read_bytes() for n in names)
    assert "extra/.well-known/security.txt" in names


def test_no_environment_value_reaches_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    monkeypatch.setenv("PUBLISHER_TEST_SECRET", "ENV-SECRET-VALUE-K4")
    (site / ".env").write_text("X_API_KEY=DOTENV-SECRET-VALUE-K4\n")
    assert both(site) == ([], None)
    out = site / "output"
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"SECRET-VALUE-K4" not in data, path
    assert os.environ["PUBLISHER_TEST_SECRET"] == "ENV-SECRET-VALUE-K4"


def test_colliding_slugs_are_refused_by_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    twin = (site / "content/berita/contoh-berita.md").read_text().replace("berita-contoh-1", "lain")
    (site / "content/berita/kembar.md").write_text(twin)
    errors, refused = both(site)
    assert len(errors) == 1 and "the slug 'contoh-berita' is also used by" in errors[0]
    assert refused == errors
    # Pelican stopped mid-way in that build; the next one in this process is whole.
    (site / "content/berita/kembar.md").unlink()
    assert both(site) == ([], None)
    sitemap = (site / "output/sitemap.xml").read_text()
    assert sitemap.count("berita/2027/contoh-berita/") == 1


def test_a_campaign_may_not_take_the_help_page_s_slug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_project(tmp_path, monkeypatch)
    shutil.copy(site / "campaigns/kampanye-contoh.md", site / "campaigns/bantuan.md")
    errors, refused = both(site)
    assert [e.split(": error: ")[0] for e in errors] == ["campaigns/bantuan.md:1"]
    assert "belongs to the page the theme links to (/bantuan/)" in errors[0]
    assert refused == errors
