"""Preview builds copy unchanged article pages: the site is the one a full build makes."""

from __future__ import annotations

import shutil
from pathlib import Path

from publisher.core.timeutil import parse_time
from publisher.site.build import BuildResult, build_site
from publisher.site.run import BuildMemory
from tests.site.test_build import GOOD_POST, make_project
from tests.site.test_build_helper import post, tree

NOW = parse_time("2026-11-28 12:00")
NO_SEARCH = {"SEARCH_INDEX": False}


def preview(settings: Path, output: Path, memory: BuildMemory) -> BuildResult:
    """A build as serve's builder makes it: a preview, with the process's memory."""
    return build_site(settings, output, NOW, dict(NO_SEARCH), preview=True, memory=memory)


def full_build_equals(settings: Path, output: Path, scratch: Path) -> bool:
    build_site(settings, scratch, NOW, dict(NO_SEARCH))
    same = tree(scratch) == tree(output)
    shutil.rmtree(scratch)
    return same


def test_an_edit_renders_its_page_and_copies_the_others(tmp_path: Path) -> None:
    memory = BuildMemory(lasting=True)  # what serve's builder keeps between builds
    files = {f"berita/uji-{n}.md": post(n) for n in range(1, 6)}
    settings = make_project(tmp_path, files)
    site, scratch = tmp_path / "site", tmp_path / "full"
    assert preview(settings, site, memory).kept == 0  # nothing to copy from yet
    assert preview(settings, site, memory).kept == 5
    assert full_build_equals(settings, site, scratch)

    edited = tmp_path / "content" / "berita" / "uji-3.md"
    edited.write_text(post(3).replace("Isi berita uji.", "Isi yang diperbarui."), "utf-8")
    assert preview(settings, site, memory).kept == 4
    assert "Isi yang diperbarui." in (site / "berita/2026/berita-uji-3/index.html").read_text()
    assert full_build_equals(settings, site, scratch)


def test_a_changed_template_url_or_foreign_site_renders_everything(tmp_path: Path) -> None:
    memory = BuildMemory(lasting=True)  # what serve's builder keeps between builds
    files = {f"berita/uji-{n}.md": post(n) for n in range(1, 4)}
    settings = make_project(tmp_path, files)
    site, scratch = tmp_path / "site", tmp_path / "full"
    preview(settings, site, memory)
    assert preview(settings, site, memory).kept == 3

    # Another article's URL changes: any page may link to it with {filename}.
    other = tmp_path / "content" / "berita" / "uji-1.md"
    other.write_text(post(1).replace("id: uji-001", "id: uji-001\nslug: alamat-baru"), "utf-8")
    assert preview(settings, site, memory).kept == 0
    assert full_build_equals(settings, site, scratch)

    # The site was replaced by another build: its pages are not the ones recorded.
    build_site(settings, site, NOW, dict(NO_SEARCH))
    assert preview(settings, site, memory).kept == 0

    # A new article: every list and URL may change.
    new = tmp_path / "content" / "berita" / "uji-9.md"
    new.write_text(post(9), "utf-8")
    assert preview(settings, site, memory).kept == 0
    assert preview(settings, site, memory).kept == 4
    assert full_build_equals(settings, site, scratch)


def test_a_changed_theme_renders_everything(tmp_path: Path) -> None:
    memory = BuildMemory(lasting=True)  # what serve's builder keeps between builds
    settings = make_project(tmp_path, {"berita/uji.md": GOOD_POST})
    theme = tmp_path / "theme"
    shutil.copytree(
        Path(settings.read_text().split("THEME = ")[1].split("\n")[0].strip("'")), theme
    )
    settings.write_text(settings.read_text().replace("THEME = ", f"THEME = {str(theme)!r}\n#"))
    site = tmp_path / "site"
    preview(settings, site, memory)
    assert preview(settings, site, memory).kept == 1
    footer = theme / "templates" / "components" / "footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "<!-- diubah -->", "utf-8")
    assert preview(settings, site, memory).kept == 0
    assert "<!-- diubah -->" in (site / "berita/2026/berita-uji/index.html").read_text()


def test_a_sync_moves_new_files_in_and_removes_what_the_build_no_longer_has(
    tmp_path: Path,
) -> None:
    from publisher.site.fast.page_reuse import _sync

    site, staging = tmp_path / "site", tmp_path / "staging"
    for name, text in {
        "berita/a/index.html": "lama",
        "berita/b/index.html": "tetap",
        "berita/hilang/index.html": "basi",
        "pagefind/pagefind-entry.json": "{}",
    }.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    for name, text in {"berita/a/index.html": "baru", "index.html": "beranda"}.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(text)
    _sync(staging, site, kept={"berita/b/index.html"})
    assert {str(p.relative_to(site)): p.read_text() for p in site.rglob("*") if p.is_file()} == {
        "berita/a/index.html": "baru",
        "berita/b/index.html": "tetap",
        "index.html": "beranda",
        "pagefind/pagefind-entry.json": "{}",
    }
    assert not (site / "berita" / "hilang").exists() and not staging.exists()
