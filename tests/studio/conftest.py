"""The studio over a copy of the real project: built by real Pelican, in its own git
repository, served by uvicorn on 127.0.0.1, with staff accounts of each role."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from publisher.core.project import Project
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import Ledger, NewPart
from publisher.site.build import build_site
from publisher.studio.app import create_app
from tests.support import ROOT

# The studio's "now": the day before the sample campaign's first post (2027-07-20 09:00 WIB).
NOW = parse_time("2027-07-19 10:00")
PROJECT_PARTS = ("content", "campaigns", "data", "theme", "pelicanconf.py", "publishconf.py")
PASSWORD = "kata sandi yang panjang"
STAFF = {"writer": "Wulan Penulis", "editor": "Eko Editor", "admin": "Ani Admin"}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's files and its site built as of NOW, once per session."""
    root = tmp_path_factory.mktemp("studio-template") / "project"
    root.mkdir()
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    build_site(root / "pelicanconf.py", output=root / "output", now=NOW)
    return root


@pytest.fixture
def project(built_project: Path, tmp_path: Path) -> Project:
    """A fresh copy for one test: a git repository with one commit, the site built."""
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    (root / ".gitignore").write_text("/output/\n/var/\n/outbox/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(
        root,
        "-c",
        "user.name=Seed",
        "-c",
        "user.email=seed@example.invalid",
        "commit",
        "-qm",
        "seed",
    )
    return Project.find(root)


@dataclass
class Running:
    url: str
    app: Starlette
    project: Project

    @property
    def studio(self):
        return self.app.state.studio


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def clock() -> dict[str, dt.datetime]:
    return {"now": NOW}


@pytest.fixture
def server(project: Project, clock: dict[str, dt.datetime]) -> Iterator[Running]:
    app = create_app(project, clock=lambda: clock["now"], environ={})
    for role, name in STAFF.items():
        app.state.studio.accounts.add(name, role, PASSWORD)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "the studio did not start"
    try:
        yield Running(f"http://127.0.0.1:{port}", app, project)
    finally:
        running.should_exit = True
        thread.join(timeout=10)


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


def seed_ledger(project: Project, rows: list[tuple[str, str, str, str]]) -> None:
    """Ledger rows (key, platform, state, reason), as the engine leaves them."""
    from publisher.core.settings import for_project

    ledger = Ledger.open(for_project(project).ledger, actor="test")
    try:
        for key, platform, state, reason in rows:
            ledger.put_group(key, platform, NOW, [NewPart(f"teks {key}")], "h", NOW)
            row = ledger.rows(key=key, platform=platform)[0]
            if state != "pending":
                claimed = ledger.claim(row, NOW, 300)
                assert claimed is not None
                extra = (
                    {"url": "https://x.example/1", "remote_id": "1", "sent_at": NOW}
                    if state == "sent"
                    else {}
                )
                ledger.finish(claimed, state, NOW, reason, **extra)
    finally:
        ledger.close()
