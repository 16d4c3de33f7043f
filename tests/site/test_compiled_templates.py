"""Compiled templates on disk: a new process skips compiling the theme, never renders stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from publisher.site.run import CompiledTemplates


class CountingEnvironment(Environment):
    """Jinja's own Environment, counting the templates it had to compile."""

    compiled = 0

    def compile(self, *args: Any, **kwargs: Any) -> Any:
        self.compiled += 1
        return super().compile(*args, **kwargs)


def _render(theme: Path, folder: Path | None) -> tuple[str, int]:
    cache = CompiledTemplates()
    cache.folder = folder
    env = CountingEnvironment(loader=FileSystemLoader(theme), bytecode_cache=cache)
    return env.get_template("page.html").render(name="Bengkulu Tengah"), env.compiled


def _theme(tmp_path: Path, text: str = "<p>Halo {{ name }}</p>") -> Path:
    theme = tmp_path / "theme"
    theme.mkdir(exist_ok=True)
    (theme / "page.html").write_text(text, encoding="utf-8")
    return theme


def test_a_new_process_loads_the_compiled_theme_from_disk(tmp_path: Path) -> None:
    theme, folder = _theme(tmp_path), tmp_path / "var" / "cache" / "templates"
    assert _render(theme, folder) == ("<p>Halo Bengkulu Tengah</p>", 1)
    assert [p.suffix for p in folder.iterdir()] == [".jinja"]  # whole files, no leftovers
    assert _render(theme, folder) == ("<p>Halo Bengkulu Tengah</p>", 0)


def test_an_edited_template_is_compiled_again(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    _render(_theme(tmp_path), folder)
    edited = _theme(tmp_path, "<h1>{{ name }}</h1>")
    assert _render(edited, folder) == ("<h1>Bengkulu Tengah</h1>", 1)


def test_a_damaged_cache_file_is_compiled_over(tmp_path: Path) -> None:
    theme, folder = _theme(tmp_path), tmp_path / "cache"
    _render(theme, folder)
    for cached in folder.iterdir():
        cached.write_bytes(b"\x00not jinja bytecode")
    assert _render(theme, folder) == ("<p>Halo Bengkulu Tengah</p>", 1)


def test_a_folder_that_cannot_be_written_only_costs_the_compile(tmp_path: Path) -> None:
    blocked = tmp_path / "var"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    theme = _theme(tmp_path)
    assert _render(theme, blocked / "templates") == ("<p>Halo Bengkulu Tengah</p>", 1)
    assert _render(theme, None) == ("<p>Halo Bengkulu Tengah</p>", 1)
