"""Releases by e-mail: the real engine, the real e-mail adapter (smtplib) and a real SMTP
server on 127.0.0.1 (aiosmtpd), on a fake clock. What the server received is parsed back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from publisher.content.press_list import recipient_id
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import DEAD, FAILED, SENT, STALE, UNKNOWN
from publisher.engine.press import forget, keys
from publisher.engine.press.planner import PressMail
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

LIFT = parse_time(EMBARGO)
A, B, C, D = "ani@example.org", "budi@example.org", "citra@example.org", "dewi@example.org"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    smtp = SmtpServer().start()
    yield smtp
    smtp.stop()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_press_project(tmp_path)


def rig_for(
    project: Path, server: SmtpServer, start: str = "2027-07-27 12:00", **kw: object
) -> PressRig:
    rig = PressRig(project, server, Clock(start), **kw)
    rig.tick()  # the first run: nothing is live, nothing is due
    return rig


def subjects(server: SmtpServer, address: str) -> list[str]:
    return [str(m["Subject"]) for m in server.to(address)]


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_subscribers_get_a_release_once_at_go_live(project: Path, server: SmtpServer) -> None:
    write_release(project, "sp-9", embargo=None, english=True)
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B, languages="en, id"),
                               journalist("Citra", C, topics="pekerja-migran")])  # fmt: skip
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 08:59")  # the site lists it, but its time has not come
    assert server.messages == []
    rig.tick("2027-07-30 09:00")
    for _ in range(3):
        rig.tick()
    assert len(server.to(A)) == len(server.to(B)) == 1 and server.to(C) == []
    assert len(server.messages) == 2
    ani, budi = server.to(A)[0], server.to(B)[0]
    assert ani["Subject"] == "Siaran pers: Siaran pers sp-9" and ani["Content-Language"] == "id"
    assert budi["Subject"] == "Press release: English Siaran pers sp-9"  # first language
    # Plain text and HTML, the contacts, links to images (with credits) and attachments.
    text, html = plain(ani), ani.get_body(("html",)).get_content()
    for shown in (text, html):
        assert "Humas Pemerintah Kabupaten Bengkulu Tengah" in shown
        assert "Tim Program Pencegahan TPPO Bengkulu Tengah" in shown  # the photo's credit
        assert "https://tppo.example.go.id/images/siaran-pers.svg" in shown
        assert "https://tppo.example.go.id/files/lembar-fakta-tppo.pdf" in shown
        assert "https://tppo.example.go.id/bantuan/" in shown  # {filename} resolved
        assert "https://tppo.example.go.id/siaran-pers/sp-9/" in shown
    assert "110" in text  # the hotline strip
    [pdf] = list(ani.iter_attachments())
    assert pdf.get_filename() == "sp-9.pdf" and pdf.get_content().startswith(b"%PDF")
    rid = recipient_id(KEY.encode(), A)
    assert (
        str(ani["List-Unsubscribe"]).strip()
        == f"<mailto:press@tppo.example.go.id?subject=unsubscribe%20{rid}>"
    )
    row = next(r for r in rig.rows() if r.key == f"mail:sp-9:release:{rid}")
    assert row.state == SENT and f"<{row.remote_id}>" == ani["Message-ID"]
    assert row.sent_at == LIFT


def test_the_ledger_logs_and_reasons_name_no_address(project: Path, server: SmtpServer,
                                                     caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B)])
    server.answer_rcpt(B, f"550 5.1.1 <{B}>: Recipient address rejected")
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    with caplog.at_level("DEBUG"):
        rig.tick("2027-07-30 09:00")
    rig.close()
    ledger = Path(rig.settings.ledger).read_bytes()
    wal = Path(f"{rig.settings.ledger}-wal")
    stored = ledger + (wal.read_bytes() if wal.exists() else b"")
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("publisher"))
    for address in (A, B, "Ani", "Budi"):
        assert address.encode() not in stored
        assert address not in ours
    assert f"<{recipient_id(KEY.encode(), B)}>: Recipient" in ours  # the pseudonymous id stands in


def test_embargoed_copy_goes_at_lift_minus_lead_to_accredited_followers_only(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-7", english=True)
    write_press_list(project, [
        journalist("Ani", A, accredited="2026-05-01"),
        journalist("Budi", B),  # follows, not accredited
        journalist("Citra", C, accredited="2027-08-15"),  # accredited only from later
        journalist("Dewi", D, accredited="2026-05-01", topics="penegakan-hukum"),  # not following
    ])  # fmt: skip
    rig = rig_for(project, server)
    rig.tick("2027-07-29 08:59")
    assert server.messages == []
    rig.tick("2027-07-29 09:00")  # 24 h before the lift
    rig.tick("2027-07-29 09:10")
    assert [len(server.to(x)) for x in (A, B, C, D)] == [1, 0, 0, 0]
    copy = server.to(A)[0]
    line = "EMBARGO: not for publication before 2027-07-30 09:00 WIB"
    assert str(copy["Subject"]).startswith(line)
    assert plain(copy).splitlines()[0] == line
    assert copy.get_body(("html",)).get_content().count(line) == 1
    [pdf] = list(copy.iter_attachments())
    assert pdf.get_filename() == "sp-7.pdf"
    rid = recipient_id(KEY.encode(), A)
    row = next(r for r in rig.rows() if r.key == f"mail:sp-7:embargo:{rid}")
    assert row.state == SENT and row.sent_at == LIFT - dt.timedelta(hours=24)  # the proof
    # At go-live the others get the release itself; Ani is not sent it twice.
    go_live(project, "sp-7", EMBARGO)
    rig.tick("2027-07-30 09:00")
    rig.tick("2027-07-30 09:05")
    assert [len(server.to(x)) for x in (A, B, C, D)] == [1, 1, 1, 0]
    assert not str(server.to(B)[0]["Subject"]).startswith("EMBARGO")


def test_the_lead_time_is_a_setting(project: Path, server: SmtpServer) -> None:
    write_release(project, "sp-7")
    write_press_list(project, [journalist("Ani", A, accredited="2026-05-01")])
    rig = rig_for(project, server, press={"lead_hours": 48})
    rig.tick("2027-07-28 08:59")
    assert server.messages == []
    rig.tick("2027-07-28 09:00")
    assert len(server.to(A)) == 1


def test_accreditation_withdrawn_before_the_send_stops_the_copy(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-7")
    write_press_list(project, [journalist("Ani", A, accredited="2026-05-01")])
    rig = rig_for(project, server)
    assert [r.state for r in rig.rows()] == ["pending"]  # planned a day ahead
    write_press_list(project, [journalist("Ani", A)])  # no longer accredited
    rig.tick("2027-07-29 09:00")
    assert server.messages == []
    assert [(r.state, r.cause) for r in rig.rows()] == [(STALE, "withdrawn")]


def test_a_4xx_is_retried_and_a_5xx_stops_that_recipient_with_a_reason(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B), journalist("Citra", C)])
    server.answer_rcpt(B, "450 4.2.1 Mailbox busy, try again later", times=2)
    server.answer_rcpt(C, f"550 5.1.1 <{C}>: No such user here")
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    by_rid = {r.key.rsplit(":", 1)[-1]: r for r in rig.rows()}
    budi, citra = by_rid[recipient_id(KEY.encode(), B)], by_rid[recipient_id(KEY.encode(), C)]
    assert len(server.to(A)) == 1 and server.to(B) == server.to(C) == []
    assert budi.state == FAILED and "450" in budi.reason and budi.next_attempt_at is not None
    assert citra.state == DEAD and "550 5.1.1" in citra.reason and C not in citra.reason
    for _ in range(6):  # the engine's backoff: 60 s, then about 2 min...
        rig.clock.advance(minutes=10)
        rig.tick()
    assert len(server.to(B)) == 1 and server.to(C) == []
    assert rig.ledger.row(budi.id).state == SENT and rig.ledger.row(budi.id).attempts == 3
    assert rig.ledger.row(citra.id).state == DEAD


def test_a_server_down_makes_every_row_wait_not_die(project: Path, server: SmtpServer) -> None:
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B)])
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    server.stop()
    rig.tick("2027-07-30 09:00")
    first, second = sorted(rig.rows(), key=lambda r: -r.attempts)
    assert (first.state, first.cause, first.attempts) == (FAILED, "outage", 1)
    assert (second.state, second.attempts) == ("pending", 0)  # waits behind it, untried
    server.__init__()  # the mail server is back (on another port: the same adapter's host)
    rig.adapter.port_text = str(server.start().port)
    rig.tick("2027-07-30 09:05")
    assert {r.state for r in rig.rows()} == {SENT} and len(server.messages) == 2


def test_a_lost_answer_after_the_message_goes_to_a_person(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A)])
    server.drop_after_data()
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    rig.tick("2027-07-30 09:05")
    rig.tick("2027-07-30 10:00")
    [row] = rig.rows()
    assert row.state == UNKNOWN and row.next_attempt_at is None  # no look can settle it
    assert "answer was lost" in row.reason and "publisher resolve" in row.reason
    assert len(server.to(A)) == 1  # the server kept it; it is never sent again on its own


def test_a_correction_reaches_exactly_the_original_recipients_once(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-9", embargo=None, english=True)
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B, languages="en"),
                               journalist("Citra", C, topics="pekerja-migran")])  # fmt: skip
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    # Dewi joins four days later: too late for the release, so not sent its correction.
    write_press_list(project, [journalist("Ani", A), journalist("Budi", B, languages="en"),
                               journalist("Citra", C, topics="pekerja-migran"), journalist("Dewi", D)])  # fmt: skip
    fix = "corrections:\n  - date: 2027-08-03 10:00\n    text: Tanggal acara diperbaiki.\n"
    write_release(project, "sp-9", embargo=None, english=True, extra=fix)
    rig.tick("2027-08-03 10:30")
    assert [len(server.to(x)) for x in (A, B, C, D)] == [1, 1, 0, 0]  # not live on the site yet
    go_live(project, "sp-9", EMBARGO, corrections=["2027-08-03 10:00"])
    for minute in (31, 32, 40):
        rig.tick(f"2027-08-03 10:{minute}")
    assert [len(server.to(x)) for x in (A, B, C, D)] == [2, 2, 0, 0]
    correction = server.to(A)[1]
    assert str(correction["Subject"]) == "Koreksi: Siaran pers sp-9"
    assert "Tanggal acara diperbaiki." in plain(correction)
    assert str(server.to(B)[1]["Subject"]).startswith("Correction: English")


def test_removing_a_person_deletes_their_delivery_history(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-7")
    listed = write_press_list(
        project, [journalist("Ani", A, accredited="2026-05-01"), journalist("Budi", B)]
    )
    rig = rig_for(project, server)
    rig.tick("2027-07-29 09:00")
    go_live(project, "sp-7", EMBARGO)
    rig.tick("2027-07-30 09:00")
    rid, other = recipient_id(KEY.encode(), A), recipient_id(KEY.encode(), B)
    journal = project / "var" / "mail" / "journal"
    assert any(rid in p.name for p in journal.iterdir())
    done = forget.forget(rig.settings, rig.env, rig.ledger, "  ANI@example.org ", rig.clock())
    assert (done.entries, done.rows, done.files) == (1, 1, 1) and done.audits >= 3
    assert [r.key.rsplit(":", 1)[-1] for r in rig.rows()] == [other]
    assert not [a for a in rig.ledger.audit() if rid in a["key"]]
    assert not any(rid in p.name for p in journal.iterdir())
    assert A not in listed.read_text() and B in listed.read_text()
    assert "press:removal" in [a["key"] for a in rig.ledger.audit()]
    rig.close()
    assert rid.encode() not in Path(rig.settings.ledger).read_bytes()  # overwritten, not freed
    # Planned again later, nothing goes to them: they are off the list.
    rig = PressRig(project, server, Clock("2027-08-01 10:00"))
    rig.tick()
    assert len(server.to(A)) == 1


def test_a_changed_key_stops_the_channel_instead_of_mailing_everyone_again(
    project: Path, server: SmtpServer
) -> None:
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A)])
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    rig.planner = PressMail(rig.settings, type(rig.env)({"PRESS_ID_KEY": "another key"}), None)
    rig.scheduler = rig.make()
    report = rig.tick("2027-07-30 09:10")
    assert any("is not the one this ledger" in p for p in report.problems)
    assert len(server.messages) == 1 and len(rig.rows()) == 1


def test_the_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    key = keys.load_key(tmp_path / "var")
    assert keys.load_key(tmp_path / "var") == key and len(key) == 64
    assert (tmp_path / "var" / keys.FILE).stat().st_mode & 0o777 == 0o600


def test_the_per_tick_rate_limit_holds(project: Path, server: SmtpServer) -> None:
    write_release(project, "sp-9", embargo=None)
    people = [journalist(f"Orang {n}", f"orang{n}@example.org") for n in range(7)]
    write_press_list(project, people)
    rig = rig_for(project, server, limits={"email": {"per_tick": 3}})
    go_live(project, "sp-9", EMBARGO)
    sent = []
    for minute in range(4):
        rig.tick(f"2027-07-30 09:0{minute}")
        sent.append(len(server.messages))
    assert sent == [3, 6, 7, 7]


def test_a_message_id_is_stable_across_attempts(project: Path, server: SmtpServer) -> None:
    write_release(project, "sp-9", embargo=None)
    write_press_list(project, [journalist("Ani", A)])
    server.answer_data("451 4.3.0 Local error, try again")
    rig = rig_for(project, server)
    go_live(project, "sp-9", EMBARGO)
    rig.tick("2027-07-30 09:00")
    assert server.messages == [] and rig.rows()[0].state == FAILED
    rig.tick("2027-07-30 09:10")
    [row] = rig.rows()
    assert row.state == SENT
    assert re.fullmatch(r"<[0-9a-f]{32}@tppo\.example\.go\.id>", str(server.to(A)[0]["Message-ID"]))
    assert server.to(A)[0]["Message-ID"] == f"<{row.remote_id}>"
