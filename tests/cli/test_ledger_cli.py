"""`publisher ledger backup` and `publisher ledger check` on real ledgers."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from publisher.cli.main import cli
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import SENT, Ledger, NewPart

NOW = parse_time("2027-03-01 10:00")


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    path = tmp_path / "pelicanconf.py"
    path.write_text(f"PUBLISHER = {{'ledger': {str(tmp_path / 'var' / 'ledger.sqlite3')!r}}}\n")
    ledger = Ledger.open(tmp_path / "var" / "ledger.sqlite3", actor="test")
    ledger.put_group("item:a", "x", NOW, [NewPart("satu")], "h", NOW)
    ledger.put_group("cal:k:utas", "x", NOW, [NewPart("(1/2)"), NewPart("(2/2)")], "h", NOW)
    (row,) = ledger.rows(key="item:a")
    claimed = ledger.claim(row, NOW, 300)
    assert claimed is not None
    ledger.finish(claimed, SENT, NOW, "sent", remote_id="1", url="https://x.com/1", sent_at=NOW)
    ledger.close()
    return path


def run(conf: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["ledger", *args, "--settings", str(conf)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def rows(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT COUNT(*) FROM posts").fetchone()[0]


def test_backup_is_a_consistent_copy_even_while_a_write_is_open(conf: Path) -> None:
    live = conf.parent / "var" / "ledger.sqlite3"
    writer = Ledger.open(live, actor="writer")
    with writer.transaction():  # uncommitted when the copy is taken: not in it
        writer.put_group("item:b", "x", NOW, [NewPart("dua")], "h", NOW)
        result = run(conf, "backup", str(conf.parent / "copy.sqlite3"))
    writer.close()
    assert result.exit_code == 0 and "backed up 3 row(s)" in result.stdout
    assert rows(conf.parent / "copy.sqlite3") == 3 and rows(live) == 4
    copy = Ledger.open(conf.parent / "copy.sqlite3", actor="restore")  # a usable ledger
    assert [r.state for r in copy.rows(key="item:a")] == ["sent"]
    copy.close()


def test_backup_into_a_folder_never_overwrites_without_force(conf: Path) -> None:
    folder = conf.parent / "backups"
    folder.mkdir()
    assert run(conf, "backup", str(folder)).exit_code == 0
    (made,) = folder.iterdir()
    assert made.name.startswith("ledger-") and made.suffix == ".sqlite3"
    again = run(conf, "backup", str(made))
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert run(conf, "backup", str(made), "--force").exit_code == 0


def test_a_damaged_ledger_is_not_backed_up(conf: Path) -> None:
    live = conf.parent / "var" / "ledger.sqlite3"
    data = bytearray(live.read_bytes())
    data[4096:8192] = os.urandom(4096)
    live.write_bytes(bytes(data))
    target = conf.parent / "copy.sqlite3"
    result = run(conf, "backup", str(target))
    assert result.exit_code == 1 and "no backup made" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not target.exists()
    assert list(conf.parent.glob(".copy*")) == []


def test_check_passes_a_sound_ledger(conf: Path) -> None:
    result = run(conf, "check")
    assert result.exit_code == 0
    assert result.stdout.strip() == "ledger ok: 3 row(s), 5 audit entries, integrity ok"


def test_check_names_each_broken_promise(conf: Path) -> None:
    live = conf.parent / "var" / "ledger.sqlite3"
    ledger = Ledger.open(live, actor="pid:999999999:dead")
    first, second = ledger.rows(key="cal:k:utas")
    ledger.claim(first, NOW, 300)  # a claim whose process is gone
    ledger.close()
    with sqlite3.connect(live) as conn:  # writes around the ledger's API: no audit
        conn.execute(
            "UPDATE posts SET state = 'sent', remote_id = '9', sent_at = ? WHERE id = ?",
            ("2027-03-01T03:00:00Z", second.id),
        )
    result = run(conf, "check")
    assert result.exit_code == 1
    problems = result.stderr
    assert (
        "cal:k:utas x part 1: claimed by pid:999999999:dead, which is no longer running" in problems
    )
    assert "cal:k:utas x part 2: sent while part 1 is claimed (a thread out of order)" in problems
    assert "cal:k:utas x part 2: the row is sent but its audit trail ends in pending" in problems
    assert "ledger check: 3 problem(s)" in problems


def test_check_without_a_ledger_is_one_line(tmp_path: Path) -> None:
    conf = tmp_path / "pelicanconf.py"
    conf.write_text("PUBLISHER = {'ledger': 'var/none.sqlite3'}\n")
    result = run(conf, "check")
    assert result.exit_code == 1 and "no ledger here" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
