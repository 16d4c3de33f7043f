"""`publisher status` as a monitor sees it (heartbeat, exit codes) and `publisher dismiss`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from publisher.core.timeutil import parse_time, utc_now
from publisher.engine import actions, heartbeat
from publisher.engine.ledger import DEAD, Ledger
from publisher.engine.report import TickReport
from publisher.platforms import catalog
from publisher.platforms.registry import OutboxAdapter
from tests.cli_support import run
from tests.engine_support import Clock, item
from tests.platform_servers.fixtures import engine_for

LEDGER = Path("var") / "ledger.sqlite3"


def beat_ago(project: Path, **ago: float) -> None:
    """Pretend the last successful tick finished this long ago (by the wall clock)."""
    ledger = Ledger.open(project / LEDGER)
    heartbeat.record(ledger, TickReport(utc_now()), at=utc_now() - dt.timedelta(**ago))
    ledger.close()


def kill(project: Path, key: str, platform: str, reason: str) -> None:
    """Make a post's rows dead, as a permanent refusal by the platform would."""
    ledger = Ledger.open(project / LEDGER)
    for row in ledger.rows(key=key, platform=platform):
        ledger.move(row.id, DEAD, parse_time("2027-03-03 19:00"), reason, ["pending"])
    ledger.close()


def test_a_tick_is_a_heartbeat_and_an_old_one_fails_status(project: Path) -> None:
    code, out, _ = run(project, "tick", "--now", "2027-03-01 08:00")
    assert code == 0
    code, out, _ = run(project, "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["alerts"] == []
    beat = data["heartbeat"]
    assert beat["fresh"] is True and beat["max_age_seconds"] == 600 and beat["age_seconds"] < 60
    assert beat["tick_time"] == "2027-03-01T01:00:00Z"  # the tick's --now; `last_tick` is real

    beat_ago(project, minutes=20)
    code, out, _ = run(project, "status", "--json")
    data = json.loads(out)
    assert code == 1 and data["ok"] is False and data["heartbeat"]["fresh"] is False
    assert len(data["alerts"]) == 1
    assert data["alerts"][0].startswith("no successful tick for 20 min (limit 10 min)")

    code, out, _ = run(project, "status")
    lines = out.splitlines()
    assert code == 1
    assert lines[1].startswith("Last successful tick: ") and lines[1].endswith(
        ", 20 min ago (limit 10 min)"
    )
    assert lines[-1].startswith(
        "Status: NEEDS A PERSON: no successful tick for 20 min (limit 10 min): "
        "is the publisher running?"
    )

    assert run(project, "status", "--max-age", "30m")[0] == 0
    assert run(project, "status", "--max-age", "0")[0] == 0
    code, _, err = run(project, "status", "--max-age", "soon")
    assert code == 2 and "Invalid value for '--max-age': 'soon' is not an age" in err


def test_dead_rows_fail_status_until_dismissed(project: Path) -> None:
    run(project, "tick", "--now", "2027-03-01 08:00")
    kill(project, "item:uji-terjadwal", "telegram", "Telegram: 400 Bad Request: chat not found")
    code, out, _ = run(project, "status")
    assert code == 1
    # Since issue 16 the verdict names the platform, the posts and the fix.
    assert out.splitlines()[-1].startswith(
        "Status: NEEDS A PERSON: telegram: 1 dead (item:uji-terjadwal): will not go out "
        "without a person; fix: "
    )
    assert (
        "publisher dismiss item:uji-terjadwal --platform telegram --reason TEXT" in out
    )  # the way out is on the screen

    code, _, err = run(project, "dismiss", "item:uji-terjadwal")
    assert code == 2 and "Missing option '--reason'" in err
    code, out, _ = run(
        project, "dismiss", "item:uji-terjadwal", "--reason", "the  event was cancelled"
    )
    assert code == 0
    assert out == "item:uji-terjadwal telegram part 1: stale (dismissed: the event was cancelled)\n"

    code, out, _ = run(project, "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] is True and data["counts"]["dead"] == 0
    assert [(r["key"], r["reason"]) for r in data["stale"]] == [
        ("item:uji-terjadwal", "dismissed: the event was cancelled")
    ]
    ledger = Ledger.open(project / LEDGER)
    last = ledger.audit("item:uji-terjadwal")[-1]
    assert (last["from_state"], last["to_state"], last["actor"]) == ("dead", "stale", "cli")
    assert last["reason"] == "dismissed: the event was cancelled"
    ledger.close()

    # Its time comes and goes: the sync never brings a dismissed post back.
    code, out, _ = run(project, "tick", "--now", "2027-03-03 19:00")
    assert code == 0 and "sent 0" in out
    ledger = Ledger.open(project / LEDGER)
    assert [r.state for r in ledger.rows(key="item:uji-terjadwal")] == ["stale"]
    ledger.close()

    # Undone by retry, like any stale post.
    code, out, _ = run(project, "retry", "item:uji-terjadwal")
    assert code == 0 and "pending" in out


def test_dismiss_refuses_what_it_must_not_close(project: Path) -> None:
    run(project, "tick", "--now", "2027-03-01 08:00")
    code, _, err = run(project, "dismiss", "item:uji-lama", "--reason", "old")
    assert code == 1 and err == (
        "item:uji-lama: nothing to dismiss (its rows are seeded; only dead, failed or stale ones can be)\n"
    )
    code, _, err = run(project, "dismiss", "item:nope", "--reason", "x")
    assert code == 1 and err == "item:nope: no such post in the ledger (see: publisher plan)\n"
    code, _, err = run(project, "dismiss", "item:uji-terjadwal", "--reason", "   ")
    assert code == 1 and "give --reason" in err
    ledger = Ledger.open(project / LEDGER)
    row = ledger.rows(key="item:uji-terjadwal")[0]
    ledger.move(row.id, "unknown", parse_time("2027-03-03 19:00"), "timeout", ["pending"])
    ledger.close()
    code, _, err = run(project, "dismiss", "item:uji-terjadwal", "--reason", "x")
    assert code == 1 and "is unknown (it may be posted); use publisher resolve first" in err


def test_a_dismissed_composition_error_is_recomposed_when_retried(tmp_path: Path) -> None:
    clock = Clock("2027-03-01 08:00")
    engine = engine_for(
        tmp_path, OutboxAdapter(catalog.default_limits()["x"], tmp_path / "outbox", clock)
    )
    engine.items.append(item("item:a", "2027-03-01 10:00", image=("poster.png", "")))
    engine.scheduler.tick()
    assert engine.states("item:a") == [(1, "dead")]  # an image without alt text
    actions.dismiss(engine.ledger, "item:a", clock.now, "the poster is withdrawn")
    ten = parse_time("2027-03-01 10:00")
    engine.scheduler.tick(ten)
    assert engine.states("item:a") == [(1, "stale")]  # dismissed: its time passes unsent

    # Retried unchanged: composed again (and refused again), never sent as the empty part
    # that marks a composition error in the ledger.
    actions.retry(engine.ledger, "item:a", ten)
    assert engine.scheduler.tick(ten).sent == []
    (row,) = engine.ledger.rows(key="item:a")
    assert (row.state, row.cause) == ("dead", "compose") and "alt" in row.reason

    engine.items[0] = item("item:a", "2027-03-01 10:00", image=("poster.png", "Poster TPPO"))
    report = engine.scheduler.tick(parse_time("2027-03-01 10:01"))
    assert [r.media for r in report.sent] == [[{"path_or_url": "poster.png", "alt": "Poster TPPO"}]]
