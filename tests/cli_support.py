"""A fixture project for the engine's commands: settings file, built site, CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.core.timeutil import parse_time
from tests.engine_support import PLUGINS, SIMPLE_THEME, SITE, build_fixture_site, make_project
from tests.support import ROOT

CONF = """
exec(open({root!r}).read())
PATH = {content!r}
THEME = {theme!r}
SITEURL = {site!r}
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
HOTLINES_FILE = {hotlines!r}
PLUGINS = {plugins!r}
PUBLISHER = {publisher}
"""


def write_conf(tmp: Path, publisher: str = '{"per_tick_cap": 5}') -> Path:
    conf = tmp / "pelicanconf.py"
    conf.write_text(
        CONF.format(
            root=str(ROOT / "pelicanconf.py"),
            content=str(tmp / "content"),
            theme=str(SIMPLE_THEME),
            site=SITE,
            hotlines=str(ROOT / "data" / "hotlines.yaml"),
            plugins=PLUGINS,
            publisher=publisher,
        )
    )
    return conf


@pytest.fixture
def project(tmp_path: Path) -> Path:
    make_project(tmp_path)
    build_fixture_site(tmp_path / "content", tmp_path / "output", parse_time("2027-03-01 08:00"))
    write_conf(tmp_path)
    return tmp_path


def run(project: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args, "--settings", str(project / "pelicanconf.py")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr
