from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.core.timeutil import parse_time
from publisher.site.build import BuildResult, build_site
from publisher.site.images import CACHE_VARIABLE
from tests.support import ROOT, serve_folder

# Fixtures every level shares: the local platform servers (tests/platform_servers/) and a
# project copied for the command line (tests/cli_support.py). Each level of tests/ mirrors a
# package of publisher/ and keeps its own fixtures in its own conftest.py.
pytest_plugins = [
    "tests.platform_servers.fixtures",
    "tests.platform_servers.container_fixtures",
    "tests.cli_support",
]

# Every test that builds the project's own site sees it as of this moment (WIB).
BUILD_NOW = parse_time("2026-11-28 12:00")


@pytest.fixture(scope="session", autouse=True)
def shared_image_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The many test projects share one cache of picture variants (site/images.py), so the
    same pictures are encoded once per session, not once per project."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_VARIABLE, str(tmp_path_factory.mktemp("image-cache")))
        yield


@pytest.fixture(scope="session")
def neutral_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A stand-in for the quick exit's neutral destination, on its own origin."""
    folder = tmp_path_factory.mktemp("neutral")
    (folder / "index.html").write_text(
        "<!doctype html><html lang=en><title>Weather</title><h1>Weather</h1></html>"
    )
    (folder / "start.html").write_text(
        "<!doctype html><html lang=en><title>Start</title><h1>Start</h1></html>"
    )
    with serve_folder(folder) as url:
        yield url


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory, neutral_site: str) -> BuildResult:
    """The project's real site, built once by real Pelican with our theme and plugins."""
    output = tmp_path_factory.mktemp("site") / "output"
    return build_site(
        ROOT / "pelicanconf.py",
        output=output,
        now=BUILD_NOW,
        overrides={"QUICK_EXIT_URL": f"{neutral_site}/"},
    )


@pytest.fixture(scope="session")
def site_url(site: BuildResult) -> Iterator[str]:
    with serve_folder(site.output) as url:
        yield url


@pytest.fixture(scope="session")
def output(site: BuildResult) -> Path:
    return site.output
