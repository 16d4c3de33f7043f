"""End to end: a fixture site built by real Pelican, a simulated week of hourly ticks.

Posts go live, a campaign calendar runs, an embargoed release is rebuilt at its time, an
edit after sending does not repost; the ledger, the audit trail and the outbox are compared
exactly. Nothing leaves 127.0.0.1: every platform falls back to the outbox.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pytest

from publisher.engine import make_scheduler
from publisher.ledger import Ledger
from publisher.settings import Secrets
from publisher.timeutil import format_wib, parse_time
from tests.engine_support import (
    SITE,
    Clock,
    build_fixture_site,
    make_project,
    make_settings,
    outbox_files,
)

SECRETS = {
    "X_API_KEY": "xk-SECRET-111111",
    "X_API_SECRET": "xs-SECRET-222222",
    "X_ACCESS_TOKEN": "xt-SECRET-333333",
    "X_ACCESS_TOKEN_SECRET": "xts-SECRET-44444",
}
CAMPAIGN = "cal:kampanye-uji"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the fixture content and campaigns (tests edit it), built as of the first run.

    Every platform posts to the outbox: the X credentials below exist only to prove they never
    reach a log, so the real adapters are switched off here.
    """
    monkeypatch.setattr("publisher.adapters.REAL_ADAPTERS", {})
    make_project(tmp_path)
    clock = Clock("2027-03-01 08:00")
    build_fixture_site(tmp_path / "content", tmp_path / "output", clock.now)
    settings = make_settings(tmp_path, per_tick_cap=5)
    ledger = Ledger.open(settings.ledger, actor="e2e")
    stream = io.StringIO()
    log = logging.getLogger("publisher.e2e")
    log.handlers[:] = [logging.StreamHandler(stream)]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    rebuilds: list[dt.datetime] = []

    def rebuild(now: dt.datetime) -> None:
        rebuilds.append(now)
        build_fixture_site(tmp_path / "content", tmp_path / "output", now)

    scheduler = make_scheduler(
        settings, Secrets(SECRETS), ledger, clock=clock, rebuild=rebuild, log=log
    )
    yield {
        "tmp": tmp_path,
        "clock": clock,
        "settings": settings,
        "ledger": ledger,
        "scheduler": scheduler,
        "log": stream,
        "rebuilds": rebuilds,
    }
    ledger.close()


def hourly(site, until: str) -> None:
    end = parse_time(until)
    while site["clock"].now < end:
        site["clock"].advance(hours=1)
        site["scheduler"].tick()


def wib(moment: dt.datetime | None) -> str | None:
    return format_wib(moment)[:16] if moment else None


# (key, platform, part, parts, state, planned at, sent at), times WIB.
WEEK = [
    (f"{CAMPAIGN}:p1-sebelum", "bluesky", 1, 1, "seeded", "2027-03-01 08:00", None),
    (f"{CAMPAIGN}:p1-sebelum", "mastodon", 1, 1, "seeded", "2027-03-01 08:00", None),
    (f"{CAMPAIGN}:p1-sebelum", "x", 1, 1, "seeded", "2027-03-01 08:00", None),
    (f"{CAMPAIGN}:p2-kartu", "bluesky", 1, 1, "sent", "2027-03-01 08:00", "2027-03-03 09:00"),
    (f"{CAMPAIGN}:p2-kartu", "x", 1, 1, "sent", "2027-03-01 08:00", "2027-03-03 09:00"),
    (f"{CAMPAIGN}:p3-utas", "mastodon", 1, 2, "sent", "2027-03-01 08:00", "2027-03-05 19:00"),
    (f"{CAMPAIGN}:p3-utas", "mastodon", 2, 2, "sent", "2027-03-01 08:00", "2027-03-05 19:00"),
    (f"{CAMPAIGN}:p3-utas", "x", 1, 2, "sent", "2027-03-01 08:00", "2027-03-05 19:00"),
    (f"{CAMPAIGN}:p3-utas", "x", 2, 2, "sent", "2027-03-01 08:00", "2027-03-05 19:00"),
    ("item:uji-baru", "mastodon", 1, 1, "sent", "2027-03-02 10:00", "2027-03-02 10:00"),
    ("item:uji-baru", "x", 1, 1, "sent", "2027-03-02 10:00", "2027-03-02 10:00"),
    *[
        ("item:uji-lama", p, 1, 1, "seeded", "2027-03-01 08:00", None)
        for p in ("bluesky", "facebook", "mastodon", "telegram", "x")
    ],
    *[
        ("item:uji-rilis", p, 1, 1, "sent", "2027-03-04 09:00", "2027-03-04 09:00")
        for p in ("bluesky", "facebook", "telegram", "x")
    ],
    ("item:uji-terjadwal", "telegram", 1, 1, "sent", "2027-03-01 08:00", "2027-03-03 19:00"),
]


def test_a_simulated_week(site) -> None:
    tmp, ledger = site["tmp"], site["ledger"]
    first = site["scheduler"].tick()
    assert first.seeded == 8 and first.sent == []
    hourly(site, "2027-03-03 11:00")
    # An editor fixes the wording and title of a post already sent; the site is rebuilt.
    article = tmp / "content" / "berita" / "baru.md"
    article.write_text(
        article.read_text()
        .replace("Warga desa belajar", "Warga desa BELAJAR")
        .replace("Berita baru yang tayang", "Berita baru (diperbaiki) yang tayang")
    )
    build_fixture_site(tmp / "content", tmp / "output", site["clock"].now)
    hourly(site, "2027-03-08 08:00")

    rows = ledger.rows(order="key, platform, part")
    planned = {
        (a["key"], a["platform"], a["part"]): a["at"]
        for a in ledger.audit()
        if a["from_state"] is None
    }
    got = [
        (
            r.key,
            r.platform,
            r.part,
            r.parts,
            r.state,
            wib(parse_time(planned[(r.key, r.platform, r.part)])),
            wib(r.sent_at),
        )
        for r in rows
    ]
    assert got == WEEK

    # The audit trail: every row planned (or seeded) once, then claimed once and sent once.
    for key, platform, part, _, state, planned_at, sent_at in WEEK:
        trail = [
            (wib(parse_time(a["at"])), a["from_state"], a["to_state"])
            for a in ledger.audit(key)
            if (a["platform"], a["part"]) == (platform, part)
        ]
        if state == "seeded":
            assert trail == [(planned_at, None, "seeded")]
        else:
            assert trail == [
                (planned_at, None, "pending"),
                (sent_at, "pending", "claimed"),
                (sent_at, "claimed", "sent"),
            ]

    # The embargo and the future-dated article were rebuilt exactly at their times.
    assert [wib(t) for t in site["rebuilds"]] == ["2027-03-02 10:00", "2027-03-04 09:00"]

    files = outbox_files(tmp / "outbox")
    assert sorted(files) == sorted(
        f"{p}/{key.replace(':', '+')}.{part}.json"
        for key, p, part, _, state, _, _ in WEEK
        if state == "sent"
    )
    utm = "utm_medium=social"
    assert files["x/item+uji-baru.1.json"] == {
        "platform": "x",
        "key": "item:uji-baru",
        "part": 1,
        "parts": 1,
        "reply_to": None,
        "text": "Versi X - warga desa belajar mengenali tawaran kerja palsu.\n\n"
        f"{SITE}/berita/2027/berita-baru-yang-tayang-pada-hari-kedua/?utm_source=x&{utm}&utm_campaign=site",
        "media": [
            {
                "path_or_url": f"{SITE}/images/uji.png",
                "alt": "Kartu uji berwarna biru dengan tulisan Cegah TPPO.",
            }
        ],
        "language": "id",
        "link": f"{SITE}/berita/2027/berita-baru-yang-tayang-pada-hari-kedua/?utm_source=x&{utm}&utm_campaign=site",
        "posted_at": "2027-03-02T03:00:00+00:00",
    }
    assert files["mastodon/item+uji-baru.1.json"]["text"].startswith("Warga desa belajar")
    rilis = files["facebook/item+uji-rilis.1.json"]
    assert rilis["text"] == (
        "Pemerintah kabupaten meluncurkan layanan informasi pencegahan perdagangan orang.\n\n#UjiTPPO"
    )
    assert rilis["link"].endswith(
        "?utm_source=facebook&utm_medium=social&utm_campaign=kampanye-uji"
    )
    card = files[f"x/{CAMPAIGN.replace(':', '+')}+p2-kartu.1.json"]
    assert card["text"] == (
        f"Simpan nomor bantuan resmi. #UjiTPPO\n\n{SITE}/bantuan/?utm_source=x&{utm}&utm_campaign=kampanye-uji"
    )
    assert card["media"][0]["path_or_url"] == str(tmp / "content" / "images" / "uji.png")
    thread = [files[f"x/{CAMPAIGN.replace(':', '+')}+p3-utas.{n}.json"] for n in (1, 2)]
    assert [t["reply_to"] for t in thread] == [None, "cal+kampanye-uji+p3-utas.1"]
    assert [t["text"][-5:] for t in thread] == ["(1/2)", "(2/2)"]
    assert f"{SITE}/kampanye/kampanye-uji/?utm_source=x" in thread[0]["text"]

    log = site["log"].getvalue()
    assert "x: outbox (credentials found, but no adapter for this platform yet)" in log
    assert "sent x item:uji-baru part 1/1" in log
    for value in SECRETS.values():
        assert value not in log
        assert value not in (tmp / "var" / "ledger.sqlite3").read_bytes().decode("latin-1")


def test_catch_up_after_downtime(site) -> None:
    ledger = site["ledger"]
    site["scheduler"].tick()  # first run, Monday 08:00
    # Down until Tuesday 17:00: the article that went live at 10:00 is 7 h late.
    report = site["scheduler"].tick(parse_time("2027-03-02 17:00"))
    assert report.rebuilt and report.stale == 2 and report.sent == []
    assert {r.state for r in ledger.rows(key="item:uji-baru")} == {"stale"}
    # Down again until Wednesday 14:00: the 09:00 campaign post is 5 h late and still goes.
    report = site["scheduler"].tick(parse_time("2027-03-03 14:00"))
    assert sorted((r.key, r.platform) for r in report.sent) == [
        (f"{CAMPAIGN}:p2-kartu", "bluesky"),
        (f"{CAMPAIGN}:p2-kartu", "x"),
    ]
    assert sorted(outbox_files(site["tmp"] / "outbox")) == [
        "bluesky/cal+kampanye-uji+p2-kartu.1.json",
        "x/cal+kampanye-uji+p2-kartu.1.json",
    ]
