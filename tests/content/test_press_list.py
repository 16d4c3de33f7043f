"""The press list: `publisher check` checks it without ever printing an address; removals
through `publisher press forget`; who got what through `publisher press deliveries`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.content import press_list
from publisher.content.check import Checker
from publisher.core.errors import ContentError
from publisher.core.project import Project
from publisher.engine.press.forget import remove_entries
from tests.engine_support import Clock
from tests.platform_servers.smtp import SmtpServer
from tests.press_support import (
    EMBARGO,
    KEY,
    PressRig,
    go_live,
    journalist,
    make_press_project,
    write_press_list,
    write_release,
)
from tests.support import ROOT

BROKEN = """\
journalists:
  - name: Ani
    outlet: Contoh Media
    email: ani@example.org
    languages: [id]
    topics: [pencegahan]
  - name: Ani Lagi
    outlet: Contoh Media
    email: ANI@Example.org
    languages: [id]
    topics: [pencegahan]
  - name: Budi
    outlet: Contoh Media
    email: budi at example.org
    languages: [id]
    topics: [pencegahan]
  - name: Citra
    outlet: Contoh Media
    email: citra@example.org
    languages: [id, jv]
    topics: [pencegahan]
  - name: Dewi
    outlet: Contoh Media
    email: dewi@example.org
    languages: [en]
    topics: [pencegahn]
    campaigns: [tidak-ada]
    accredited: 2099-01-01
  - name: Eko
    outlet: Contoh Media
    email: eko@example.org
    languages: [id]
    accredited: kemarin
"""
ADDRESSES = ("ani@example.org", "ANI@Example.org", "budi at example.org", "citra@", "dewi@", "eko@")


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PUBLISHER_PROJECT": str(root)}
    return subprocess.run([sys.executable, "-m", "publisher", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_check_finds_addresses_duplicates_and_unknown_topics_without_printing_them(
    tmp_path: Path,
) -> None:
    root = make_press_project(tmp_path)
    listed = root / "data" / "press-list.yaml"
    listed.write_text(BROKEN, encoding="utf-8")
    listed.chmod(0o644)
    found = [p for p in Checker(Project.from_settings_file(root / "pelicanconf.py")).run()
             if p.path.endswith("press-list.yaml")]  # fmt: skip
    said = {(p.line, p.severity, p.message.split(";")[0].split(" (")[0]) for p in found}
    assert said == {
        (7, "error", "the same e-mail address as the entry at line 2"),
        (12, "error", "the e-mail address is missing or not valid"),
        (17, "error", "'languages:' lists 'id'"),
        (22, "error", "unknown topic 'pencegahn'"),
        (22, "error", "unknown campaign 'tidak-ada'"),
        (
            22,
            "warning",
            "accredited in the future: embargoed copies go to this entry only from that date",
        ),
        (29, "error", "accredited: write the date it was granted, e.g. 'accredited: 2026-05-01'"),
        (1, "warning", "other users of this machine can read the press list"),
    }
    assert "did you mean 'pencegahan'" in " ".join(p.message for p in found)
    for problem in found:
        assert not any(a.split("@")[0] + "@" in problem.message for a in ADDRESSES if "@" in a)
    done = run(root, "check")
    assert done.returncode == 1
    for address in ADDRESSES:
        assert address not in done.stdout + done.stderr


def test_a_missing_list_sends_to_no_one_and_checks_clean(tmp_path: Path) -> None:
    root = make_press_project(tmp_path)
    assert press_list.load(root / "data" / "press-list.yaml").journalists == []
    found = Checker(Project.from_settings_file(root / "pelicanconf.py")).run()
    assert not [p for p in found if "press-list" in p.path]


def test_the_example_list_checks_clean_and_is_the_only_one_committed() -> None:
    root = ROOT
    example = press_list.load(root / "data" / press_list.EXAMPLE_NAME)
    assert len(example.journalists) == 2 and example.problems == []
    assert all(j.email.endswith("@example.org") for j in example.journalists)
    ignored = subprocess.run(
        ["git", "check-ignore", "data/press-list.yaml"], cwd=root, capture_output=True, text=True
    )
    assert ignored.returncode == 0  # never committed


def test_recipient_ids_are_stable_keyed_and_case_blind() -> None:
    key = KEY.encode()
    assert press_list.recipient_id(key, " Ani@Example.org") == press_list.recipient_id(
        key, "ani@example.org"
    )
    assert press_list.recipient_id(b"other", "ani@example.org") != press_list.recipient_id(
        key, "ani@example.org"
    )
    assert "ani" not in press_list.recipient_id(key, "ani@example.org")
    listed = press_list.Journalist("Ani", "Media", "ani@example.org", ("id",), (), (), None, 1)
    assert "ani@example.org" not in repr(listed)


@pytest.fixture
def sent_project(tmp_path: Path) -> tuple[Path, PressRig]:
    server = SmtpServer().start()
    root = make_press_project(tmp_path)
    (root / ".env").write_text(f"PRESS_ID_KEY={KEY}\n", encoding="utf-8")
    write_release(root, "sp-9", embargo=None)
    write_press_list(
        root, [journalist("Ani", "ani@example.org"), journalist("Budi", "budi@example.org")]
    )
    rig = PressRig(root, server, Clock("2027-07-27 12:00"))
    rig.tick()
    go_live(root, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    rig.close()
    server.stop()
    return root, rig


def test_press_forget_removes_the_entry_and_the_history(
    sent_project: tuple[Path, PressRig],
) -> None:
    root, _rig = sent_project
    rid = press_list.recipient_id(KEY.encode(), "ani@example.org")
    shown = run(root, "press", "deliveries", "sp-9")
    assert shown.returncode == 0 and rid in shown.stdout and "ani@" not in shown.stdout
    done = run(root, "press", "forget", "Ani@example.org")
    assert done.returncode == 0, done.stderr
    assert "Removed 1 press list entry, 1 delivery record(s)" in done.stdout
    assert "ani@" not in done.stdout.lower()
    after = run(root, "press", "deliveries", "sp-9")
    assert (
        rid not in after.stdout
        and press_list.recipient_id(KEY.encode(), "budi@example.org") in after.stdout
    )
    assert "ani@example.org" not in (root / "data" / "press-list.yaml").read_text()
    again = run(root, "press", "forget", "ani@example.org")
    assert "Removed 0 press list entries, 0 delivery record(s)" in again.stdout
    assert run(root, "press", "forget", "not an address").returncode == 1
    assert run(root, "press", "id", "budi@example.org").stdout.strip().startswith("r")


@pytest.mark.parametrize(
    ("raw", "left"),
    [
        (  # the first of two: the second keeps its dash line
            "journalists:\n  - name: A\n    email: a@example.org\n"
            "  - name: B\n    email: b@example.org\n",
            "journalists:\n  - name: B\n    email: b@example.org\n",
        ),
        (  # the last, no final newline; the comment above the list stays
            "# ours\njournalists:\n- name: B\n  email: b@example.org\n"
            "- name: A\n  email: A@Example.org",
            "# ours\njournalists:\n- name: B\n  email: b@example.org\n",
        ),
        (  # a dash alone on its line, a key after the list
            "journalists:\n  -\n    name: A\n    email: a@example.org\n"
            "  - name: B\n    email: b@example.org\nnote: kept\n",
            "journalists:\n  - name: B\n    email: b@example.org\nnote: kept\n",
        ),
    ],
)
def test_removal_edits_only_the_entry(tmp_path: Path, raw: str, left: str) -> None:
    path = tmp_path / "press-list.yaml"
    path.write_text(raw, encoding="utf-8")
    path.chmod(0o600)
    assert remove_entries(path, "a@example.org") == 1
    assert path.read_text(encoding="utf-8").rstrip("\n") == left.rstrip("\n")
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(press_list.load(path).problems) == 1  # B is still there (incomplete here)


def test_removal_refuses_a_flow_list_untouched(tmp_path: Path) -> None:
    path = tmp_path / "press-list.yaml"
    raw = "journalists: [{name: A, email: a@example.org}]\n"
    path.write_text(raw, encoding="utf-8")
    with pytest.raises(ContentError, match="block list"):
        remove_entries(path, "a@example.org")
    assert path.read_text(encoding="utf-8") == raw
