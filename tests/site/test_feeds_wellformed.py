"""What crosses the site's boundary is valid: feeds parse, and no image comes from elsewhere.

- Characters XML 1.0 forbids (C0 controls but tab, newline and CR; U+FFFE, U+FFFF; lone
  surrogates) are `check` errors at their line, in bodies and in front matter (where YAML
  escapes such as "\\x01" can make them); a feed that does not parse stops the build.
- An image `src` that is a URL (http(s)://, //host, data:) is an error in check and build:
  the site, its feeds and the publisher use only the site's own files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from publisher.content.check import check_tree
from publisher.core.timeutil import parse_time
from publisher.site import build as build_module
from publisher.site.build import BuildFailed, build_site
from tests.support import ROOT

BASE = ROOT / "tests" / "broken" / "_base"
NOW = parse_time("2026-11-28 12:00")
HEAD = "---\nid: {id}\ntitle: {title}\ndate: 2026-11-20 09:00\nsummary: {summary}\n{extra}---\n\n"


def _article(name: str, body: str, title: str = "Judul", summary: str = "Ringkasan.",
             extra: str = "") -> tuple[str, str]:  # fmt: skip
    return name, HEAD.format(id=name, title=title, summary=summary, extra=extra) + body


def _site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, base: Path = BASE) -> Path:
    site = tmp_path / "site"
    if base == ROOT:
        site.mkdir()
        for name in ("content", "campaigns", "data", "theme"):
            shutil.copytree(ROOT / name, site / name)
        shutil.copy(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    else:
        shutil.copytree(base, site)
    monkeypatch.chdir(site)
    return site


# --- characters XML forbids ------------------------------------------------------------------

FORBIDDEN = ["\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff"]


@pytest.mark.parametrize("char", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_a_forbidden_character_in_a_body_is_an_error_at_its_line(
    char: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, monkeypatch)
    name, text = _article("kontrol", f"Baris satu.\n\nBaris {char} dua.\n")
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    (problem,) = check_tree(site)
    assert (problem.path, problem.line) == ("content/berita/kontrol.md", 10)
    # Named by its code point (it is invisible) with the fix.
    assert f"U+{ord(char):04X}" in problem.message
    assert "delete it" in problem.message


@pytest.mark.parametrize("escape", ["\\x01", "\\x0b", "\\uFFFE", "\\uFFFF", "\\ud800"])
def test_a_forbidden_character_made_by_a_yaml_escape_is_an_error_at_its_field(
    escape: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, monkeypatch)
    extra = f'image:\n  src: images/contoh.png\n  alt: "Gambar {escape} contoh"\n'
    name, text = _article("lolos", "Isi.\n", title=f'"Judul {escape}"', extra=extra)
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    problems = check_tree(site)
    assert "internal error" not in str(problems)
    assert [p.line for p in problems if "not allowed in XML" in p.message] == [3, 8]


def test_a_feed_that_does_not_parse_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the source rule switched off, the build's parse-back still refuses the feeds
    (feedgenerator refuses control characters itself, but writes U+FFFF)."""
    site = _site(tmp_path, monkeypatch, ROOT)
    monkeypatch.setattr(build_module, "_check_errors", lambda *args: [])
    name, text = _article("rusak", "Isi dengan \uffff di tengah.\n")
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(site / "pelicanconf.py", output=site / "output", now=NOW,
                   overrides={"SEARCH_INDEX": False, "BUILD_HELPER": False})  # fmt: skip
    paths = {p.path for p in failed.value.problems}
    assert "output/feeds/all.atom.xml" in paths
    assert all("not well-formed XML" in p.message for p in failed.value.problems)
    assert not (site / "output").exists()


# --- images from elsewhere -------------------------------------------------------------------

REMOTE = [
    "https://example.com/foto.png",
    "http://127.0.0.1:8080/internal.png",
    "//cdn.example.com/foto.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "HTTPS://EXAMPLE.COM/FOTO.PNG",
]


@pytest.mark.parametrize("src", REMOTE)
def test_a_remote_lead_image_is_an_error(
    src: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, monkeypatch)
    extra = f'image:\n  src: "{src}"\n  alt: Foto kegiatan.\n'
    name, text = _article("jauh", "Isi.\n", extra=extra)
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    (problem,) = check_tree(site)
    assert (problem.line, problem.severity) == (6, "error")
    assert "on another site" in problem.message or "data: address" in problem.message


@pytest.mark.parametrize("src", REMOTE)
def test_a_remote_image_in_a_body_is_an_error(
    src: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, monkeypatch)
    name, text = _article("jauh", f'Isi.\n\n![Foto kegiatan]({src})\n\n<img src="{src}" alt="b">\n')
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    problems = check_tree(site)
    assert [(p.line, p.severity) for p in problems] == [(10, "error"), (12, "error")]


def test_the_build_refuses_a_remote_image_and_fetches_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path, monkeypatch, ROOT)
    extra = 'image:\n  src: "http://127.0.0.1:9/never-fetched.png"\n  alt: Foto.\n'
    name, text = _article("jauh", "Isi.\n", extra=extra)
    (site / "content" / "berita" / f"{name}.md").write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        build_site(site / "pelicanconf.py", output=site / "output", now=NOW,
                   overrides={"SEARCH_INDEX": False})  # fmt: skip
    (problem,) = failed.value.problems
    assert (problem.path, problem.line) == ("content/berita/jauh.md", 6)
