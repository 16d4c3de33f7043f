"""The project: the folder that holds a site's settings, content, theme, data and ledger.

Found once, from `--project`, the PUBLISHER_PROJECT environment variable, or the current
folder and its parents (as git finds a repository), never from where this package is
installed: an installed `publisher` works on any project folder. Every path the other
subsystems use comes from here.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.core.errors import ProjectError

ENV_VAR = "PUBLISHER_PROJECT"
SETTINGS_FILE = "pelicanconf.py"
PRODUCTION_FILE = "publishconf.py"


@dataclass(frozen=True)
class Layout:
    """Where the site's files are, as its settings file says (paths only, all absolute)."""

    content: Path
    page_dirs: tuple[str, ...]
    article_dirs: tuple[str, ...]
    release_dirs: tuple[str, ...]
    static_dirs: tuple[str, ...]
    theme: Path
    output: Path
    campaigns: Path
    data: Path
    hotlines_file: Path
    press_file: Path


@dataclass(frozen=True)
class Project:
    root: Path
    settings_file: Path
    _conf: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # --- finding it ---------------------------------------------------------------------
    @classmethod
    def find(
        cls,
        explicit: Path | str | None = None,
        environ: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Project:
        env = os.environ if environ is None else environ
        given = explicit or env.get(ENV_VAR) or None
        if given:
            folder = Path(given).expanduser().resolve()
            source = "--project" if explicit else ENV_VAR
            if folder.is_file():  # a settings file given instead of its folder
                return cls.from_settings_file(folder)
            if not (folder / SETTINGS_FILE).is_file():
                raise ProjectError(
                    f"{folder}: no {SETTINGS_FILE} there ({source}); give the folder that "
                    f"holds the site's {SETTINGS_FILE}"
                )
            return cls.from_settings_file(folder / SETTINGS_FILE)
        start = (cwd or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            if (folder / SETTINGS_FILE).is_file():
                return cls.from_settings_file(folder / SETTINGS_FILE)
        raise ProjectError(
            f"no {SETTINGS_FILE} in {start} or above: run publisher inside a project folder, "
            f"or give one with --project PATH (or {ENV_VAR})"
        )

    @classmethod
    def from_settings_file(cls, settings_file: Path | str) -> Project:
        """The project of a settings file (pelicanconf.py or publishconf.py): its folder."""
        path = Path(settings_file).expanduser().resolve()
        if not path.is_file():
            raise ProjectError(f"{path}: the settings file does not exist")
        return cls(path.parent, path, {})

    def with_settings(self, settings_file: Path | str) -> Project:
        """The same project read through another settings file (publishconf.py)."""
        return Project.from_settings_file(settings_file)

    # --- its settings -------------------------------------------------------------------
    def conf(self) -> dict[str, Any]:
        """The settings file's UPPERCASE names, read once per Project (it is Python)."""
        if "_READ" not in self._conf:
            try:
                exists = self.settings_file.is_file()
                values = runpy.run_path(str(self.settings_file)) if exists else {}
            except Exception as exc:
                raise ProjectError(
                    f"{self.settings_file}: the settings file cannot be read "
                    f"({type(exc).__name__}: {exc}); fix it first"
                ) from None
            self._conf.update({k: v for k, v in values.items() if k.isupper()})
            self._conf.setdefault("_READ", True)
        return self._conf

    @property
    def production_settings_file(self) -> Path:
        """publishconf.py when the project has one, else its development settings."""
        production = self.root / PRODUCTION_FILE
        return production if production.is_file() else self.root / SETTINGS_FILE

    def path(self, value: str | Path) -> Path:
        """A path from the settings, relative to the project's root unless absolute."""
        return (self.root / Path(value).expanduser()).resolve()

    @property
    def layout(self) -> Layout:
        conf = self.conf()
        data = self.root / "data"
        return Layout(
            content=self.path(str(conf.get("PATH") or "content")),
            page_dirs=tuple(conf.get("PAGE_PATHS") or ("pages",)),
            article_dirs=tuple(conf.get("ARTICLE_PATHS") or ("berita", "siaran-pers")),
            release_dirs=tuple(conf.get("RELEASE_PATHS") or ("siaran-pers",)),
            static_dirs=tuple(conf.get("STATIC_PATHS") or ("images",)),
            theme=self.path(str(conf.get("THEME") or "theme")),
            output=self.path(str(conf.get("OUTPUT_PATH") or "output")),
            campaigns=self.path(str(conf.get("CAMPAIGNS_PATH") or "campaigns")),
            data=data,
            hotlines_file=self.path(str(conf.get("HOTLINES_FILE") or data / "hotlines.yaml")),
            press_file=self.path(str(conf.get("PRESS_FILE") or data / "press.yaml")),
        )

    def require_theme(self) -> Path:
        theme = self.layout.theme
        if not (theme / "templates").is_dir():
            raise ProjectError(
                f"{theme}: the theme folder (with templates/) is missing; the site cannot be "
                "built without it: restore theme/ or set THEME in the settings file"
            )
        return theme

    @property
    def var(self) -> Path:
        """Run-time state: the ledger, its backups, locks."""
        return self.root / "var"
