"""The engine's side of issue 15: the scheduler never trusts a folder to say what is live
(each record's go-live, by its own clock; a future build is never read or deployed), an
embargo that lifts late still posts, a translated pair posts once, and the ledger and its
companions are private files."""

from __future__ import annotations

import datetime as dt
import json
import random
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.content.golive import FUTURE_MARKER
from publisher.core.timeutil import parse_time
from publisher.engine import sources
from publisher.engine.ledger import Ledger
from publisher.engine.scheduler import Scheduler
from publisher.ops.deploy import DeployError, check_output
from publisher.ops.instance_lock import InstanceLock
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.engine_support import SITE, Clock, make_settings

START = "2027-03-01 08:00"


def record(uid: str, published: str, **extra: Any) -> dict[str, Any]:
    return {
        "uid": uid,
        "kind": "release",
        "slug": uid,
        "url": f"{SITE}/siaran-pers/{uid}/",
        "title": f"Rilis {uid}",
        "published": parse_time(published).isoformat(),
        "social": {"default": f"Rilis {uid} sudah terbit."},
        "platforms": ["x", "mastodon"],
        "lang": "id",
        **extra,
    }


def write_feed(output: Path, records: list[dict[str, Any]]) -> None:
    feeds = output / "feeds"
    feeds.mkdir(parents=True, exist_ok=True)
    (feeds / "syndication.json").write_text(json.dumps({"version": 1, "items": records}))
    (feeds / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:t</id><updated>2027-03-01T00:00:00Z</updated></feed>"
    )


class Site:
    """A scheduler reading a feed folder the test writes, on a clock the test moves."""

    def __init__(self, tmp: Path) -> None:
        self.clock = Clock(START)
        self.settings = make_settings(tmp, platforms=["x", "mastodon"])
        self.output = Path(self.settings.feed)
        write_feed(self.output, [])
        limits = platform_limits(self.settings)
        self.ledger = Ledger.open(self.settings.ledger, actor="test")
        adapters = {
            p: OutboxAdapter(limits[p], self.settings.outbox, self.clock) for p in ("x", "mastodon")
        }
        self.scheduler = Scheduler(
            self.settings,
            self.ledger,
            adapters,
            lambda: sources.snapshot(self.settings, calendars=False),
            clock=self.clock,
            rng=random.Random(5),
        )
        self.scheduler.tick()

    def until(self, when: str, step_minutes: int = 30, each: Any = None) -> None:
        end = parse_time(when)
        while self.clock.now < end:
            self.clock.advance(minutes=step_minutes)
            if each is not None:
                each(self.clock.now)
            self.scheduler.tick()

    def states(self, key: str) -> set[str]:
        return {r.state for r in self.ledger.rows(key=key)}


def test_nothing_is_posted_before_its_golive_whatever_the_folder_holds(tmp_path: Path) -> None:
    site = Site(tmp_path)
    # A folder that holds an embargoed release too early (a bad build, a copied folder):
    # its record says when it goes live, and the scheduler keeps to that by its own clock.
    write_feed(
        site.output,
        [record("bocor", "2027-03-01 09:00", golive="2027-03-01T06:00:00+00:00")],
    )
    site.until("2027-03-01 12:30")
    assert site.states("item:bocor") == {"pending"}
    assert site.ledger.rows(key="item:bocor")[0].due_at == parse_time("2027-03-01 13:00")
    site.until("2027-03-01 13:00")
    assert site.states("item:bocor") == {"sent"}


def test_without_a_golive_field_the_later_of_published_and_embargo_is_used() -> None:
    rec = record("lama", "2027-03-01 09:00", embargo="2027-03-02 10:00")
    assert sources.golive_of(rec, "t") == parse_time("2027-03-02 10:00")
    assert sources.golive_of(record("biasa", "2027-03-01 09:00"), "t") == parse_time(
        "2027-03-01 09:00"
    )


def test_an_embargo_that_lifts_after_the_catch_up_window_still_posts_at_lift(
    tmp_path: Path,
) -> None:
    """Dated 09:00, embargoed to 20:00 (11 h later: past the 6 h catch-up window). The site
    is rebuilt at the lift; the release goes out then, not stale. Both with the site's
    `golive` field and with an older record that has only `published`."""
    site = Site(tmp_path)

    def lift(now: dt.datetime) -> None:
        if now >= parse_time("2027-03-01 20:00"):
            write_feed(
                site.output,
                [
                    record("rilis", "2027-03-01 09:00", golive="2027-03-01T13:00:00+00:00"),
                    record("lawas", "2027-03-01 09:00"),  # no golive, no embargo field
                ],
            )

    site.until("2027-03-01 21:00", each=lift)
    assert site.states("item:rilis") == {"sent"}
    assert site.states("item:lawas") == {"sent"}  # first seen late, while running: posted
    sent = site.ledger.rows(key="item:rilis")
    assert all(r.sent_at == parse_time("2027-03-01 20:00") for r in sent)


def test_only_real_downtime_makes_a_post_stale(tmp_path: Path) -> None:
    site = Site(tmp_path)
    write_feed(site.output, [record("a", "2027-03-01 09:00"), record("b", "2027-03-01 16:00")])
    site.scheduler.tick(site.clock.set("2027-03-01 08:30"))  # planned, not due
    site.scheduler.tick(site.clock.set("2027-03-01 17:00"))  # the publisher was down 8.5 h
    assert site.states("item:a") == {"stale"}  # due 09:00, while nothing ran
    assert site.states("item:b") == {"sent"}  # due 16:00: inside the window


def test_a_future_build_is_never_read_nor_deployed(tmp_path: Path) -> None:
    site = Site(tmp_path)
    write_feed(site.output, [record("a", "2027-03-01 09:00")])
    site.until("2027-03-01 09:00")
    assert site.states("item:a") == {"sent"}
    # `build --now 2027-04-01` into the same folder: a preview of the future.
    write_feed(site.output, [record("future", "2027-04-01 09:00")])
    marker = site.output / FUTURE_MARKER
    marker.write_text(json.dumps({"now": "2027-04-01T02:00:00Z"}))
    snap = sources.snapshot(site.settings, calendars=False)
    assert snap.planned == [] and "item" not in snap.complete
    assert "as the site will be at 2027-04-01 09:00 WIB" in snap.problems[0]
    site.until("2027-03-01 10:00")
    assert site.ledger.rows(key="item:future") == []
    assert site.states("item:a") == {"sent"}  # an unreadable source withdraws nothing
    (site.output / "index.html").write_text("<html></html>")
    with pytest.raises(DeployError, match="a preview of the future"):
        check_output(site.output)


def test_a_translated_pair_posts_once_under_the_originals_key(tmp_path: Path) -> None:
    site = Site(tmp_path)
    original = record("pasangan", "2027-03-01 09:00")
    english = record("pasangan", "2027-03-01 09:00", lang="en", title="The release")
    marked = record("pasangan-en", "2027-03-01 09:00", lang="en", translation_of="pasangan")
    write_feed(site.output, [original, english, marked])
    site.until("2027-03-01 09:30")
    keys = {r.key for r in site.ledger.rows()}
    assert keys == {"item:pasangan"}
    assert {r.language for r in site.ledger.rows()} == {"id"}
    assert site.states("item:pasangan") == {"sent"}


def test_the_ledger_its_companions_backups_and_lock_are_private(tmp_path: Path) -> None:
    site = Site(tmp_path)
    write_feed(site.output, [record("a", "2027-03-01 09:00")])
    site.until("2027-03-01 09:00")
    path = site.settings.ledger
    with InstanceLock(path):
        lock = path.with_name(path.name + ".lock")
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    for name in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert stat.S_IMODE(name.stat().st_mode) == 0o600, name
    conf = tmp_path / "conf.py"
    conf.write_text(f"PUBLISHER = {{'ledger': {str(path)!r}}}\n")
    result = CliRunner().invoke(
        cli, ["ledger", "backup", str(tmp_path / "copy.sqlite3"), "--settings", str(conf)]
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "copy.sqlite3").stat().st_mode) == 0o600
    site.ledger.close()
    path.chmod(0o644)  # a ledger made by an older version: narrowed when opened
    Ledger.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
