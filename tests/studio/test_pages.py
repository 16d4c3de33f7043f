"""The studio's pages over HTTP: the calendar's states and filters, the attention list's
actions, status at a glance, publish now, and the `publisher studio` commands."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from publisher.engine.ledger import Ledger
from publisher.studio import agenda, items, ledger_view
from publisher.studio.accounts import AccountError, Accounts
from tests.studio.conftest import NOW, PASSWORD, STAFF, Running, csrf_of, seed_ledger

CAMPAIGN = "hari-dunia-anti-perdagangan-orang-2027"
FIRST = f"cal:{CAMPAIGN}:hdapo27-01-pembukaan"
SECOND = f"cal:{CAMPAIGN}:hdapo27-02-gaji-terlalu-tinggi"


def test_the_calendar_shows_the_ledgers_state(server: Running) -> None:
    seed_ledger(server.project, [(FIRST, "x", "sent", ""), (FIRST, "mastodon", "failed", "503"),
                                 (FIRST, "telegram", "unknown", "timeout")])  # fmt: skip
    library = items.load(server.studio)
    start, end = agenda.day_bounds(agenda.week_start(NOW.date()), 7)
    with ledger_view.reading(server.studio) as ledger:
        rows = ledger.rows()
    found = agenda.entries(library, rows, {}, start, end, NOW)
    first = next(e for e in found if e.key == FIRST)
    states = {c.platform: c.state for c in first.chips}
    assert states == {"x": "sent", "mastodon": "failed", "bluesky": "planned",
                      "facebook": "planned", "telegram": "unknown"}  # fmt: skip
    assert next(c for c in first.chips if c.platform == "x").url == "https://x.example/1"
    second = next(e for e in found if e.key == SECOND)
    assert [c.platform for c in second.chips] == ["x", "mastodon", "bluesky"]
    assert {c.state for c in second.chips} == {"planned"}


def test_the_calendar_filters(login: Callable[[str], httpx.Client]) -> None:
    client = login("writer")
    week = client.get("/calendar", params={"day": "2027-07-20"}).text
    assert week.count('<li class="entry post">') == 5
    only = client.get("/calendar", params={"day": "2027-07-20", "platform": "facebook"}).text
    assert only.count('<li class="entry post">') == 3  # 20, 22 and 23 July go to Facebook
    assert "Mastodon ·" not in only
    none = client.get("/calendar", params={"day": "2027-07-20", "state": "sent"}).text
    assert '<li class="entry post">' not in none
    month = client.get("/calendar", params={"view": "month", "day": "2027-07-01"}).text
    assert "Juli 2027" in month and month.count("kirim:") == 10  # 3 a day at most, then +N
    assert "+1 lagi" in month  # 30 July: two posts, a release and its post


def test_waiting_for_approval_in_the_calendar(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    from publisher.studio.approving import set_required

    set_required(server.studio, server.studio.accounts.get(STAFF["admin"]), True)
    page = login("writer").get("/calendar", params={"day": "2027-07-20"}).text
    assert page.count("<strong>menunggu persetujuan</strong>") == 5
    assert "X · menunggu persetujuan" in page


def test_dismiss_a_dead_post_with_a_reason(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    seed_ledger(server.project, [(SECOND, "x", "dead", "X: duplicate content")])
    client = login("editor")
    page = client.get("/attention").text
    assert "publisher retry" in page and "X: duplicate content" in page
    token = csrf_of(page)
    empty = client.post("/attention/dismiss", data={"csrf_token": token, "key": SECOND,
                                                    "platform": "x", "reason": " "})  # fmt: skip
    assert empty.status_code == 409 and "give --reason" in empty.text
    done = client.post("/attention/dismiss", data={"csrf_token": token, "key": SECOND,
                                                   "platform": "x", "reason": "sudah diposting manual"})  # fmt: skip
    assert done.status_code == 303
    ledger = Ledger.open(server.studio.settings.ledger)
    try:
        row = ledger.rows(key=SECOND)[0]
        assert (row.state, row.reason) == ("stale", "dismissed: sudah diposting manual")
        assert ledger.audit(SECOND)[-1]["actor"] == f"studio:{STAFF['editor']}"
    finally:
        ledger.close()


def test_a_writer_sees_the_attention_list_but_cannot_act(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    seed_ledger(server.project, [(SECOND, "x", "failed", "X: 503")])
    client = login("writer")
    page = client.get("/attention").text
    assert "X: 503" in page and "Coba lagi" not in page
    answer = client.post("/attention/retry", data={"csrf_token": csrf_of(page), "key": SECOND})
    assert answer.status_code == 403


def test_an_editor_pauses_and_resumes_a_platform(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    client = login("editor")
    page = client.get("/attention").text
    paused = client.post("/platforms/pause", data={"csrf_token": csrf_of(page),
                                                   "platform": "x", "reason": "akun diretas"})  # fmt: skip
    assert paused.status_code == 303
    ledger = Ledger.open(server.studio.settings.ledger)
    try:
        state = ledger.platform_state("x")
        assert state.state == "paused" and "akun diretas" in state.reason
    finally:
        ledger.close()
    page = client.get("/attention").text
    assert "akun diretas" in page and "/platforms/resume" in page
    resumed = client.post("/platforms/resume", data={"csrf_token": csrf_of(page), "platform": "x"})
    assert resumed.status_code == 303
    ledger = Ledger.open(server.studio.settings.ledger)
    try:
        assert ledger.platform_state("x").state == "open"
        assert {a["actor"] for a in ledger.audit("platform:x")} == {f"studio:{STAFF['editor']}"}
    finally:
        ledger.close()
    writer = login("writer")
    refused = writer.post("/platforms/pause", data={"csrf_token": csrf_of(writer.get("/attention").text),
                                                    "platform": "x", "reason": "coba"})  # fmt: skip
    assert refused.status_code == 403


def test_status_at_a_glance(server: Running, login: Callable[[str], httpx.Client]) -> None:
    seed_ledger(server.project, [(FIRST, "x", "sent", "")])
    page = login("writer").get("/").text
    assert "Belum ada tick yang tercatat." in page and "tidak berjalan?" in page
    assert 'href="https://x.example/1"' in page  # the last send on X, with its link
    assert "kotak keluar (tanpa kredensial)" in page  # no credentials in this test
    assert "Bengkulu Tengah ajak warga kenali jebakan" in page  # the next go-live (30 July)
    assert "Terbitkan sekarang" not in page  # writers do not publish


def test_publish_now_builds_and_deploys_like_the_cli(
    server: Running, login: Callable[[str], httpx.Client], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    target = tmp_path / "web"
    monkeypatch.setenv("SITE_URL", "https://tppo.test")
    monkeypatch.setenv("DEPLOY_TARGET", str(target))
    client = login("editor")
    token = csrf_of(client.get("/").text)
    assert client.post("/publish", data={"csrf_token": token}).status_code == 303
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        page = client.get("/publish").text
        if 'data-job="running"' not in page:
            break
        time.sleep(1)
    assert 'data-job="done"' in page, page[page.find("<main") :]
    live = (target / "current").resolve()
    assert (live / "index.html").is_file()
    assert "https://tppo.test/" in (live / "index.html").read_text()
    assert not (server.project.root / "output" / "manifest.json").exists()  # output/ untouched
    assert f"dimulai oleh {STAFF['editor']}" in page


def test_accounts_file_is_private_and_hashed(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "users.json")
    accounts.add("Siti Aminah", "editor", PASSWORD)
    assert stat.S_IMODE((tmp_path / "users.json").stat().st_mode) == 0o600
    raw = (tmp_path / "users.json").read_text()
    assert PASSWORD not in raw and "$argon2id$" in raw
    assert accounts.check("Siti Aminah", PASSWORD).role == "editor"
    assert accounts.check("Siti Aminah", "salah sekali ya") is None
    assert accounts.check("Tidak Ada", PASSWORD) is None
    with pytest.raises(AccountError, match="at least 12"):
        accounts.add("Budi", "writer", "pendek")
    with pytest.raises(AccountError, match="already has an account"):
        accounts.add("Siti Aminah", "writer", PASSWORD)


def test_the_studio_commands(project, tmp_path: Path) -> None:
    env = {**os.environ, "PUBLISHER_PROJECT": str(project.root)}
    cli = [sys.executable, "-m", "publisher", "studio"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60)  # fmt: skip

    refused = run("--port", "1")
    assert refused.returncode == 1 and "publisher studio adduser" in refused.stderr
    added = run(
        "adduser", "Siti Aminah", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Siti Aminah: editor account created"
    again = run("adduser", "Siti Aminah", "--password-stdin", stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "--replace" in again.stderr and "Traceback" not in again.stderr
    assert run("users").stdout == "Siti Aminah\teditor\n"
    users = project.root / "var" / "studio" / "users.json"
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert run("deluser", "Siti Aminah").returncode == 0
    assert run("users").stdout == ""
