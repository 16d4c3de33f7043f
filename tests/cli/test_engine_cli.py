"""The engine's commands on a fixture project: plain output, exit codes, one-line errors."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from publisher.core.timeutil import parse_time
from publisher.engine.ledger import UNKNOWN, Ledger
from publisher.ops.instance_lock import InstanceLock
from tests.cli_support import run, write_conf
from tests.support import ROOT


def test_status_of_a_fresh_project(project: Path) -> None:
    # Nothing has ever ticked: a monitor must hear about it (a wrong ledger path, say).
    code, out, _ = run(project, "status")
    assert code == 1
    lines = out.splitlines()
    assert lines[:2] == ["Posts: the ledger is empty", "Last successful tick: none recorded"]
    assert lines[-1].startswith("Status: NEEDS A PERSON: no successful tick recorded yet")
    assert not (project / "var").exists()
    assert run(project, "status", "--max-age", "0")[0] == 0  # the heartbeat check off


def test_tick_plan_preview_and_status(project: Path) -> None:
    code, out, _ = run(project, "tick", "--now", "2027-03-01 08:00")
    assert code == 0
    # Seeded: p1-sebelum on its 3 platforms, item:uji-lama on every platform of the registry
    # (the project names none) but Instagram, which takes only items with an image.
    assert out == "tick 2027-03-01 08:00 WIB: sent 0, needing attention 0, seeded 9, stale 0\n"

    code, out, _ = run(project, "plan", "--now", "2027-03-01 08:00", "--days", "3")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Plan 2027-03-01 08:00 WIB + 3 days:"
    # Since issue 16, articles and releases not live yet show too, at their go-live.
    scheduled = [line for line in lines if "item:uji-baru" in line]
    assert scheduled and all(
        line.startswith("  2027-03-02 10:00 WIB") and line.endswith("scheduled")
        for line in scheduled
    )
    card = next(line for line in lines if "bluesky  cal:kampanye-uji:p2-kartu" in line)
    assert card.startswith(
        "  2027-03-03 09:00 WIB  bluesky  cal:kampanye-uji:p2-kartu  1/1  Simpan nomor bantuan resmi. #UjiTPPO"
    )
    assert card.endswith("pending")
    assert any("telegram  item:uji-terjadwal" in line for line in lines)
    assert not any("p3-utas" in line for line in lines)  # beyond 3 days

    code, out, _ = run(project, "preview", "cal:kampanye-uji:p3-utas")
    assert code == 0
    assert "== x (pending)" in out and "== mastodon (pending)" in out
    assert "-- part 1/2: " in out and "/280 ok" in out and "/500 ok" in out

    code, out, _ = run(project, "tick", "--now", "2027-03-03 09:00")
    assert "sent 2" in out
    code, out, _ = run(project, "status", "--json")
    data = json.loads(out)
    # Changed with issue 15: no tick ran for two days, so item:uji-baru, due in that gap,
    # is stale, and stale rows make status report a problem (was: exit 0).
    assert code == 1 and {p["kind"] for p in data["problems"]} == {"stale"}, data["alerts"]
    assert data["counts"]["sent"] == 2 and data["counts"]["seeded"] == 9
    assert {r["platform"] for r in data["last_sent"]} == {"x", "bluesky"}
    assert data["last_sent"][0]["url"].startswith("file://")


def test_unknown_rows_fail_status_until_resolved(project: Path) -> None:
    run(project, "tick", "--now", "2027-03-01 08:00")
    ledger = Ledger.open(project / "var" / "ledger.sqlite3")
    row = ledger.rows(key="item:uji-terjadwal")[0]
    ledger.move(
        row.id, UNKNOWN, parse_time("2027-03-03 19:00"), "timeout after sending", ["pending"]
    )
    code, out, _ = run(project, "status")
    assert code == 1
    assert "unknown  telegram  item:uji-terjadwal  1/1  timeout after sending" in out
    assert "publisher resolve item:uji-terjadwal --platform telegram --sent URL" in out

    code, _, err = run(project, "retry", "item:uji-terjadwal")
    assert (
        code == 1
        and err
        == "item:uji-terjadwal: telegram part 1 is unknown (it may be posted); use publisher resolve first\n"
    )
    code, _, err = run(project, "resolve", "item:uji-terjadwal")
    assert code == 1 and err == "give exactly one of --sent URL or --not-sent\n"
    code, out, _ = run(project, "resolve", "item:uji-terjadwal", "--sent", "https://t.me/tppo/42")
    assert code == 0 and out == "item:uji-terjadwal telegram part 1: sent\n"
    assert (
        Ledger.open(project / "var" / "ledger.sqlite3").rows(key="item:uji-terjadwal")[0].remote_id
        == "42"
    )
    assert run(project, "status")[0] == 0


def test_retry_brings_back_a_seeded_post(project: Path) -> None:
    run(project, "tick", "--now", "2027-03-01 08:00")
    code, out, _ = run(project, "retry", "item:uji-lama", "--platform", "x")
    assert code == 0 and out == "item:uji-lama x part 1: pending, goes out at the next tick\n"
    code, _, err = run(project, "retry", "item:nope")
    assert code == 1 and err == "item:nope: no such post in the ledger (see: publisher plan)\n"


def test_embargoes_lists_pending_go_live_times_in_wib(project: Path) -> None:
    code, out, _ = run(project, "embargoes", "--now", "2027-03-01 08:00")
    assert code == 0
    assert out.splitlines() == [
        "Pending go-live times:",
        "  2027-03-02 10:00 WIB  date  uji-baru  Berita baru yang tayang pada hari kedua  baru.md",
        "  2027-03-04 09:00 WIB  embargo  uji-rilis  Siaran pers di bawah embargo  rilis.md",
    ]


def test_rehearse_runs_the_calendar_without_touching_the_real_ledger(project: Path) -> None:
    code, out, err = run(project, "rehearse", "kampanye-uji", "--keep", str(project / "rehearsal"))
    assert code == 0, err
    assert "Rehearsal of kampanye-uji" in out
    assert "2027-03-05 19:00 WIB  x  cal:kampanye-uji:p3-utas  2/2  sent" in out
    assert not (project / "var").exists()
    files = sorted(p.name for p in (project / "rehearsal" / "outbox").rglob("*.json"))
    # Since issue 16 the campaign's own release goes into the rehearsal too, at its go-live
    # (its embargo), though it is not live yet.
    release = [name for name in files if name.startswith("item+uji-rilis")]
    assert release and len(files) == 9 + len(release)
    assert "2027-03-04 09:00 WIB" in out and "item:uji-rilis" in out
    code, _, err = run(project, "rehearse", "kampanye-ujj")
    assert (
        code == 1
        and err
        == "kampanye-ujj: no published campaign with this slug; did you mean 'kampanye-uji'?\n"
    )


def test_a_bad_setting_is_one_located_line(project: Path) -> None:
    conf = write_conf(project, '{\n    "tick_seconds": "soon",\n}')
    line = conf.read_text().split("\n").index('    "tick_seconds": "soon",') + 1
    code, _, err = run(project, "status")
    assert code == 1
    assert err == (
        f"{project}/pelicanconf.py:{line}: error: PUBLISHER['tick_seconds'] must be a whole number "
        "of at least 1, not 'soon'\n"
    )
    write_conf(project, '{"catchup_hours": 2}')
    code, _, err = run(project, "tick")
    assert (
        code == 1
        and "PUBLISHER['catchup_hours'] is not a setting; did you mean 'catch_up_hours'?" in err
    )


def test_a_second_process_cannot_tick_while_one_holds_the_ledger(project: Path) -> None:
    ledger_path = project / "var" / "ledger.sqlite3"
    with InstanceLock(ledger_path):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "publisher",
                "tick",
                "--settings",
                str(project / "pelicanconf.py"),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert "another publisher process" in done.stderr and "Traceback" not in done.stderr


def test_run_ticks_and_stops_cleanly_on_sigterm(project: Path) -> None:
    write_conf(project, '{"tick_seconds": 1}')
    proc = subprocess.Popen(
        [sys.executable, "-m", "publisher", "run", "--settings", str(project / "pelicanconf.py")],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Read stderr in a thread: a hung process must fail the test, not hang it.
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while not any("first run:" in line for line in lines) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        proc.kill()
    rest = "".join(lines)
    assert proc.returncode == 0
    assert rest.strip().endswith("stopped")
    assert "Traceback" not in "".join(lines) + rest
