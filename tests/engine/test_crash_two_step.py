"""Crash safety of the two-step platforms: the real `publisher run` killed with SIGKILL between
the container and its publication, and at other moments, then restarted.

A project posting only to Instagram and Threads (articles with pictures, a campaign with a
Threads thread and an Instagram picture post) is served from 127.0.0.1, where the fake Meta
servers fetch the pictures; the child process gets their addresses and fake tokens through
the environment, and runs on a clock 30 times faster than the wall clock, with the default
settings. It is killed at the fault point `after-stage` (the container is made and its id is
in the ledger, its publication not asked for), at `after-post` (published, not recorded) and
at `after-claim`, restarted each time, then left to finish. Then every ledger row must be on
its platform exactly once, with the id the ledger holds, from the container the ledger
holds; no container published twice; thread replies in order; nothing left for a person.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from publisher.core.timeutil import WIB
from publisher.engine.faults import ENV as FAULT_ENV
from publisher.engine.faults import WARP_ENV, Warp
from publisher.platforms import registry
from tests.crash_project import plan_ledger
from tests.crash_support import ledger_rows, open_rows, poll_child
from tests.platform_servers.container_fixtures import container_environ, image_bytes
from tests.platform_servers.instagram import InstagramServer
from tests.platform_servers.threads import ThreadsServer
from tests.support import serve_folder

SPEED = 30.0
WAIT = 120.0
ARTICLES = 5
CONF = """\
SITEURL = {site!r}
PATH = "content"
PUBLISHER = {{
    "feed": "output",
    "ledger": "var/ledger.sqlite3",
    "outbox": "outbox",
    "campaigns": "campaigns",
    "platforms": ["instagram", "threads"],
}}
"""
CAMPAIGN = """---
title: Kampanye uji dua langkah
slug: uji-dua-langkah
start: {start}
end: {end}
summary: Kalender kecil untuk uji mati paksa.
platforms: [instagram, threads]
image:
  src: images/poster.png
  alt: Poster hijau bertuliskan Cegah TPPO.
posts:
  - id: utas
    at: {at}
    platforms: [threads]
    thread: true
    text: {thread}
  - id: gambar
    at: {at}
    platforms: [instagram, threads]
    text: "Simpan nomor layanan pengaduan resmi di ponsel Anda."
    image:
      src: images/poster.png
      alt: Poster hijau bertuliskan Cegah TPPO.
---

Halaman kampanye uji.
"""
SENTENCE = (
    "Perekrut yang menahan paspor atau dokumen pribadi Anda melanggar hukum dan harus dilaporkan."
)


def write_project(root: Path, site: str, due: dt.datetime) -> Path:
    output = root / "output"
    (output / "feeds").mkdir(parents=True)
    for shape in ("1x1", "4x5"):
        (output / "social" / shape / "images").mkdir(parents=True)
        (output / "social" / shape / "images" / "poster.png.jpg").write_bytes(image_bytes())
    (output / "images").mkdir()
    (output / "images" / "poster.png").write_bytes(image_bytes(kind="PNG"))
    (root / "content" / "images").mkdir(parents=True)
    (root / "content" / "images" / "poster.png").write_bytes(image_bytes(kind="PNG"))
    variants = {
        a: f"{site}/social/{a.replace(':', 'x')}/images/poster.png.jpg" for a in ("1:1", "4:5")
    }
    items = [
        {
            "feed_id": f"urn:uuid:dua-{n}",
            "uid": f"dua-{n}",
            "kind": "article",
            "slug": f"artikel-{n}",
            "url": f"{site}/berita/artikel-{n}/",
            "title": f"Artikel uji dua langkah {n}",
            "published": due.isoformat(),
            "social": {"default": f"Artikel {n}: waspadai tawaran kerja tanpa dokumen resmi."},
            "platforms": ["instagram", "threads"],
            "image": {"url": "images/poster.png", "alt": "Poster biru.", "variants": variants},
            "lang": "id",
        }
        for n in range(1, ARTICLES + 1)
    ]
    (output / "feeds" / "syndication.json").write_text(json.dumps({"items": items}))
    entries = "".join(
        f"<entry><id>{i['feed_id']}</id><title>{i['title']}</title>"
        f'<link href="{i["url"]}"/><updated>{i["published"]}</updated></entry>'
        for i in items
    )
    (output / "feeds" / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>uji</title><id>urn:uji</id><updated>{due.isoformat()}</updated>{entries}</feed>"
    )
    (root / "campaigns").mkdir()
    wib = due.astimezone(WIB)
    (root / "campaigns" / "uji-dua-langkah.md").write_text(
        CAMPAIGN.format(
            start=(wib - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            end=(wib + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
            at=wib.strftime("%Y-%m-%d %H:%M"),
            thread=json.dumps(" ".join(f"({n}) {SENTENCE}" for n in range(1, 13))),
        ),
        encoding="utf-8",
    )
    conf = root / "pelicanconf.py"
    conf.write_text(CONF.format(site=site))
    return conf


class Run:
    def __init__(self, root: Path, servers: dict[str, Any], warp: Warp) -> None:
        self.root, self.servers, self.warp, self.count = root, servers, warp, 0

    def start(self, fault: str = "") -> subprocess.Popen[bytes]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in registry.variable_names() and k != FAULT_ENV
        }
        env |= container_environ(self.servers) | {WARP_ENV: self.warp.encode()}
        if fault:
            env[FAULT_ENV] = fault
        self.count += 1
        with (self.root / f"run-{self.count:02d}.log").open("wb") as log:
            command = [sys.executable, "-m", "publisher", "run", "--settings", "pelicanconf.py"]
            return subprocess.Popen(command, cwd=self.root, env=env, stdout=log, stderr=log)

    def open_rows(self) -> int:
        return open_rows(self.root / "var/ledger.sqlite3")

    def log(self) -> str:
        return (self.root / f"run-{self.count:02d}.log").read_text(errors="replace")

    def until(self, child: subprocess.Popen[bytes], done: Any) -> bool:
        found = poll_child(child, done, WAIT)
        if found is None:
            raise AssertionError(f"run {self.count} hung: {self.log()[-2000:]}")
        return found

    def killed_at(self, fault: str) -> bool:
        """One run with `fault`; True when it was killed there (else it finished the work)."""
        child = self.start(fault)
        if self.until(child, lambda: self.open_rows() == 0):
            child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=WAIT)
        assert code in (0, -signal.SIGKILL), self.log()[-2000:]
        return code == -signal.SIGKILL

    def finish(self) -> None:
        child = self.start()
        ready = lambda: "running: a tick every" in self.log() and self.open_rows() == 0  # noqa: E731
        if self.until(child, ready):
            child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=WAIT) == 0, self.log()[-2000:]


def between_steps(root: Path, servers: dict[str, Any]) -> list[dict[str, Any]]:
    """Claimed rows whose container is recorded and exists, unpublished: a kill between
    the two steps."""
    rows = ledger_rows(root / "var/ledger.sqlite3")
    return [
        r
        for r in rows
        if r["state"] == "claimed"
        and r["stage"] in servers[r["platform"]].containers
        and not servers[r["platform"]].published(r["stage"])
    ]


def test_sigkill_between_container_and_publication_never_posts_twice(tmp_path: Path) -> None:
    servers = {"instagram": InstagramServer(), "threads": ThreadsServer()}
    for server in servers.values():
        server.start()
    warp = Warp(time.time(), SPEED)
    try:
        (tmp_path / "output").mkdir()
        with serve_folder(tmp_path / "output") as site:
            now = warp()
            due = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=1)
            conf = write_project(tmp_path, site, due)
            plan_ledger(conf, container_environ(servers), now)
            planned = ledger_rows(tmp_path / "var/ledger.sqlite3")
            run = Run(tmp_path, servers, warp)
            faults = ["after-stage:1", "after-stage:2", "after-post:1", "after-stage:3",
                      "after-claim:2", "after-stage:1", "after-post:2"]  # fmt: skip
            kills, between = 0, 0
            for fault in faults:
                killed = run.killed_at(fault)
                kills += killed
                if killed and fault.startswith("after-stage"):
                    between += len(between_steps(tmp_path, servers))
            run.finish()
            logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("run-*.log"))
    finally:
        for server in servers.values():
            server.stop()

    rows = ledger_rows(tmp_path / "var/ledger.sqlite3")
    assert kills >= 5 and len(rows) == len(planned) == 15
    assert between >= 3  # killed with a container made and recorded, not yet published
    assert "Traceback" not in logs
    for name, server in servers.items():
        mine = [r for r in rows if r["platform"] == name]
        by_container = Counter(p["container"] for p in server.posts)
        assert max(by_container.values()) == 1, f"{name}: a container published twice"
        table = [(r["key"], r["part"], r["state"], r["stage"], r["reason"][:120]) for r in mine]
        assert len(server.posts) == len(mine), (name, len(server.posts), table)
        posts = {p["id"]: p for p in server.posts}
        for row in mine:
            where = f"{row['key']} {name} part {row['part']}"
            assert row["state"] == "sent", (where, row["state"], row["reason"])
            post = posts[row["remote_id"]]
            assert post["container"] == row["stage"], where
            if row["part"] > 1:
                before = next(
                    r for r in mine if r["key"] == row["key"] and r["part"] == row["part"] - 1
                )
                assert post["reply_to"] == before["remote_id"], where
