"""The studio over a copy of the real project: built by real Pelican, in its own git
repository, served by uvicorn on 127.0.0.1, with staff accounts of each role."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from publisher.core.project import Project
from publisher.studio.app import create_app
from tests.studio.demo import (
    NOW,
    PASSWORD,
    STAFF,
    add_staff,
    build,
    copy_project,
    git,
    make_repository,
    seed_ledger,
    serving,
)

__all__ = ["NOW", "PASSWORD", "STAFF", "Running", "csrf_of", "git", "seed_ledger"]


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files and its site built as of NOW, once per session."""
    root = copy_project(tmp_path_factory.mktemp("studio-template") / "project")
    build(root)
    return root


@pytest.fixture
def project(built_project: Path, tmp_path: Path) -> Project:
    """A fresh copy for one test: a git repository with one commit, the site built."""
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    return make_repository(root)


@dataclass
class Running:
    url: str
    app: Starlette
    project: Project

    @property
    def studio(self) -> Any:
        return self.app.state.studio


@pytest.fixture
def clock() -> dict[str, dt.datetime]:
    return {"now": NOW}


@pytest.fixture
def server(project: Project, clock: dict[str, dt.datetime]) -> Iterator[Running]:
    app = create_app(project, clock=lambda: clock["now"], environ={})
    add_staff(app)
    with serving(app) as url:
        yield Running(url, app, project)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def login(server: Running) -> Iterator[Callable[[str], httpx.Client]]:
    """An HTTP client logged in with the account of a role."""
    clients: list[httpx.Client] = []

    def make(role: str) -> httpx.Client:
        client = httpx.Client(base_url=server.url, timeout=60)
        clients.append(client)
        token = csrf_of(client.get("/login").text)
        answer = client.post(
            "/login", data={"name": STAFF[role], "password": PASSWORD, "csrf_token": token}
        )
        assert answer.status_code == 303, answer.text
        return client

    yield make
    for client in clients:
        client.close()
