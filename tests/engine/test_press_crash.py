"""Releases by e-mail across SIGKILL: the real `publisher tick` process, killed mid-delivery
and started again, against a real SMTP server on 127.0.0.1. Every subscriber gets the
release once; where no one can know (the server kept the message, its answer died with the
process), the row waits for a person and `publisher status` says so.

The child builds the site itself at the go-live (the scheduler's rebuild), so the release
goes out from the records of a real build, as in production.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.engine.faults import ENV as FAULT_ENV
from tests.platform_servers.smtp import SmtpServer
from tests.press_support import (
    KEY,
    SENDER,
    journalist,
    make_press_project,
    write_press_list,
    write_release,
)

PEOPLE = [f"wartawan{n}@example.org" for n in range(6)]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    smtp = SmtpServer().start()
    yield smtp
    smtp.stop()


def project_for(root: Path, server: SmtpServer) -> Path:
    make_press_project(root)
    with (root / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write('PUBLISHER = {**PUBLISHER, "platforms": ["email"]}\n')
    (root / ".env").write_text(
        f"SMTP_HOST=127.0.0.1\nSMTP_PORT={server.port}\nSMTP_FROM={SENDER}\nPRESS_ID_KEY={KEY}\n",
        encoding="utf-8",
    )
    write_release(root, "sp-5", date="2027-07-30 09:00", embargo=None)
    write_press_list(root, [journalist(f"Orang {n}", a) for n, a in enumerate(PEOPLE)])
    return root


def tick(root: Path, now: str, fault: str = "", wait: bool = True) -> subprocess.Popen[str]:
    env = {**os.environ, "PUBLISHER_PROJECT": str(root)}
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    child = subprocess.Popen(
        [sys.executable, "-m", "publisher", "tick", "--now", now],
        cwd=root, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    if wait:
        child.wait(timeout=180)
    return child


def states(root: Path) -> Counter[str]:
    with sqlite3.connect(root / "var" / "ledger.sqlite3") as conn:
        return Counter(
            s for (s,) in conn.execute("SELECT state FROM posts WHERE platform = 'email'")
        )


@pytest.mark.parametrize("fault", ["after-claim:3", "after-post:2", "after-record:4"])
def test_each_subscriber_gets_it_once_across_a_kill_and_a_restart(
    tmp_path: Path, server: SmtpServer, fault: str
) -> None:
    root = project_for(tmp_path, server)
    first = tick(root, "2027-07-30 08:00")
    assert first.returncode == 0, first.stdout.read() if first.stdout else ""
    killed = tick(root, "2027-07-30 09:00", fault=fault)  # rebuilds the site, then sends
    assert killed.returncode == -signal.SIGKILL
    assert 0 < len(server.messages) < len(PEOPLE) or fault.startswith("after-claim")
    again = tick(root, "2027-07-30 09:02")  # past the engine's reconcile wait (60 s)
    assert again.returncode == 0, again.stdout.read() if again.stdout else ""
    received = Counter(r.recipients[0] for r in server.messages)
    assert received == Counter(PEOPLE)  # everyone once, no one twice
    assert states(root) == Counter({"sent": len(PEOPLE)})
    assert (root / "output" / "siaran-pers" / "sp-5" / "sp-5.pdf").is_file()  # built at go-live


def test_a_kill_while_the_server_holds_the_message_goes_to_a_person(
    tmp_path: Path, server: SmtpServer
) -> None:
    root = project_for(tmp_path, server)
    tick(root, "2027-07-30 08:00")
    server.hold_answers(0.0, times=2)
    server.hold_answers(60.0)  # the third message: kept at once, its 250 a minute late
    child = tick(root, "2027-07-30 09:00", wait=False)
    deadline = time.monotonic() + 120
    while len(server.messages) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(server.messages) == 3
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    again = tick(root, "2027-07-30 09:02")
    assert again.returncode == 0
    received = Counter(r.recipients[0] for r in server.messages)
    assert sorted(received.values()) == [1] * len(PEOPLE)  # never twice
    assert states(root) == Counter({"sent": len(PEOPLE) - 1, "unknown": 1})
    status = subprocess.run(
        [sys.executable, "-m", "publisher", "status"], cwd=root, capture_output=True, text=True,
        env={**os.environ, "PUBLISHER_PROJECT": str(root)}, timeout=60,
    )  # fmt: skip
    assert status.returncode != 0 and "mail:sp-5:release:" in status.stdout
    assert not any(p in status.stdout + status.stderr for p in PEOPLE)
