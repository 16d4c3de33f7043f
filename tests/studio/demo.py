"""A studio over a copy of the real project, for the tests, the screenshots of docs/studio.md
(scripts/studio_screenshots.py) and the calendar benchmark (bench/studio_calendar.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from publisher.core.project import Project
from publisher.core.settings import for_project
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


def copy_project(root: Path) -> Path:
    """The project's own files (content, campaigns, data, theme, settings) under `root`."""
    root.mkdir(parents=True)
    for name in PROJECT_PARTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy2(source, root / name)
    return root


def build(root: Path, now: dt.datetime = NOW) -> None:
    build_site(root / "pelicanconf.py", output=root / "output", now=now)


def make_repository(root: Path) -> Project:
    """Make `root` a git repository with everything in one first commit."""
    (root / ".gitignore").write_text("/output/\n/var/\n/outbox/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Seed", "-c", "user.email=seed@example.invalid",
        "commit", "-qm", "seed")  # fmt: skip
    return Project.find(root)


def add_staff(app: Starlette) -> None:
    for role, name in STAFF.items():
        app.state.studio.accounts.add(name, role, PASSWORD)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Starlette) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the studio did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def studio_app(project: Project, now: dt.datetime = NOW) -> Starlette:
    app = create_app(project, clock=lambda: now, environ={})
    add_staff(app)
    return app


def seed_ledger(project: Project, rows: list[tuple[str, str, str, str]]) -> None:
    """Ledger rows (key, platform, state, reason), as the engine leaves them."""
    ledger = Ledger.open(for_project(project).ledger, actor="test")
    try:
        for key, platform, state, reason in rows:
            ledger.put_group(key, platform, NOW, [NewPart(f"teks {key}")], "h", NOW)
            row = ledger.rows(key=key, platform=platform)[0]
            if state == "pending":
                continue
            claimed = ledger.claim(row, NOW, 300)
            assert claimed is not None
            sent = {"url": "https://x.example/1", "remote_id": "1", "sent_at": NOW}
            ledger.finish(claimed, state, NOW, reason, **(sent if state == "sent" else {}))
    finally:
        ledger.close()
