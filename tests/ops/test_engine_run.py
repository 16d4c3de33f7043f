"""`publisher run` as a process, with the default settings on a faster clock
(PUBLISHER_TIME_WARP): it parks a platform whose token is revoked, reads `.env` again when it
changes (and on SIGHUP) without a restart, and the parked posts then go out by themselves.
The person's commands for platforms (pause, resume, retry --all) are audited."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.engine.faults import WARP_ENV, Warp
from publisher.platforms import registry
from tests.platform_servers import mastodon as mastodon_srv
from tests.platform_servers.fixtures import environ_for
from tests.support import ROOT

SPEED = 30.0  # a 60 s tick every 2 s


def project(tmp: Path, due: dt.datetime) -> Path:
    feeds = tmp / "output" / "feeds"
    feeds.mkdir(parents=True)
    items = [
        {
            "uid": f"token-{n}",
            "kind": "article",
            "url": "",
            "title": f"Token {n}",
            "published": due.isoformat(),
            "social": {"default": f"Pesan token {n}."},
            "platforms": ["mastodon"],
        }
        for n in range(2)
    ]
    (feeds / "syndication.json").write_text(json.dumps({"items": items}))
    (feeds / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:t</id><updated>2027-01-01T00:00:00Z</updated></feed>"
    )
    conf = tmp / "pelicanconf.py"
    conf.write_text('PUBLISHER = {"platforms": ["mastodon"], "feed": "output"}\n')
    return conf


def states(ledger: Path) -> dict[str, Any]:
    try:
        with closing(sqlite3.connect(f"{ledger.as_uri()}?mode=ro", uri=True)) as conn:
            rows = conn.execute("SELECT key, state FROM posts").fetchall()
            try:
                platform = conn.execute("SELECT state FROM platforms").fetchall()
            except sqlite3.OperationalError:
                platform = []
    except sqlite3.OperationalError:
        return {}
    return {"rows": dict(rows), "platform": [p[0] for p in platform]}


def wait_for(proc: subprocess.Popen[bytes], what: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "publisher run stopped"
        if what():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_run_reads_a_fixed_token_without_a_restart(tmp_path: Path, mastodon_server: Any) -> None:
    warp = Warp(time.time(), SPEED)
    conf = project(tmp_path, warp() - dt.timedelta(minutes=1))
    env_file = tmp_path / ".env"
    good = environ_for({"mastodon": mastodon_server})
    bad = {**good, "MASTODON_ACCESS_TOKEN": "dicabut"}
    env_file.write_text("".join(f"{k}={v}\n" for k, v in bad.items()))
    # The first tick seeds what is due: plan the posts as an earlier run would have.
    ledger = tmp_path / "var" / "ledger.sqlite3"
    environ = {k: v for k, v in os.environ.items() if k not in registry.variable_names()}
    environ[WARP_ENV] = warp.encode()
    seed = subprocess.run(
        [sys.executable, "-m", "publisher", "seed", "--now", "2000-01-01", "--settings", str(conf)],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        timeout=120,
    )
    assert seed.returncode == 0, seed.stderr
    log = (tmp_path / "run.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "run", "--settings", str(conf)],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=log,
    )
    try:
        wait_for(proc, lambda: states(ledger).get("platform") == ["parked"])
        assert "dead" not in states(ledger)["rows"].values()
        env_file.write_text("".join(f"{k}={v}\n" for k, v in good.items()))  # fixed
        wait_for(proc, lambda: set(states(ledger)["rows"].values()) == {"sent"})
        assert [p["text"] for p in mastodon_server.posts] == ["Pesan token 0.", "Pesan token 1."]
        # SIGHUP: read again on request (nothing changed: it stays open and running).
        proc.send_signal(signal.SIGHUP)
        time.sleep(3)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        log.close()
    text = (tmp_path / "run.log").read_text()
    assert "reading the credentials again (.env changed)" in text
    assert "reading the credentials again (SIGHUP)" in text
    assert "Traceback" not in text and mastodon_srv.TOKEN not in text


def test_pause_resume_and_retry_all_from_the_command_line(tmp_path: Path) -> None:
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(f"PUBLISHER = {{'ledger': {str(tmp_path / 'l.sqlite3')!r}}}\n")

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, [*args, "--settings", str(conf)])
        return result.exit_code, result.stdout, result.stderr

    assert run("pause", "--platform", "x", "--reason", "akun diretas")[0] == 0
    code, _, err = run("pause", "--platform", "x")
    assert code == 1 and "already paused" in err
    code, _, err = run("pause", "--platform", "twitter")
    assert code == 1 and "not a platform" in err
    code, out, _ = run("status", "--json", "--max-age", "0")
    assert json.loads(out)["platforms"]["x"]["state"] == "paused"
    assert run("resume", "--platform", "x")[0] == 0
    code, _, err = run("retry", "--all")
    assert code == 1 and "--platform NAME --all" in err
    code, _, err = run("retry", "--platform", "x", "--all")
    assert code == 1 and "nothing to retry" in err
    with closing(sqlite3.connect(tmp_path / "l.sqlite3")) as connection:
        audit = connection.execute(
            "SELECT from_state, to_state, reason, actor FROM audit WHERE key = 'platform:x'"
        ).fetchall()
    assert audit == [
        ("open", "paused", "paused: akun diretas", "cli"),
        ("paused", "open", "resumed by a person", "cli"),
    ]
