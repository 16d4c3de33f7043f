"""End to end: a fixture site built by real Pelican, a simulated week of hourly ticks.

Posts go live, a campaign calendar runs, an embargoed release is rebuilt at its time, an
edit after sending does not repost; the ledger and the audit trail are compared exactly.
Each case runs twice: into the outbox, and through the five real adapters (tweepy,
Mastodon.py, atproto, plain HTTP for Facebook and Telegram) pointed at the local platform
servers, where what each server received is checked instead of the outbox files. Nothing
leaves 127.0.0.1: a guard refuses to resolve any other host.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import pytest

from publisher.cli.output import keep_every_line
from publisher.core.environment import Environment
from publisher.core.timeutil import format_wib, parse_time
from publisher.engine.events import TextFormatter
from publisher.engine.ledger import Ledger
from publisher.ops.runner import make_scheduler, redactor
from publisher.platforms import registry
from tests.engine_support import (
    SITE,
    Clock,
    build_fixture_site,
    log_events,
    loopback_only,
    make_project,
    make_settings,
    outbox_files,
    own_site_on_loopback,
)
from tests.platform_servers.fixtures import environ_for
from tests.platform_servers.received import Posted, by_ledger, from_outbox, received

OUTBOX_SECRETS = {
    "X_API_KEY": "xk-SECRET-111111",
    "X_API_SECRET": "xs-SECRET-222222",
    "X_ACCESS_TOKEN": "xt-SECRET-333333",
    "X_ACCESS_TOKEN_SECRET": "xts-SECRET-44444",
}
CAMPAIGN = "cal:kampanye-uji"
ALT = "Kartu uji berwarna biru dengan tulisan Cegah TPPO."
MODES = ["outbox", "real"]


@pytest.fixture(params=MODES)
def site(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A copy of the fixture content and campaigns (tests edit it), built as of the first run,
    with a scheduler posting into the outbox or to the five local platform servers."""
    mode = request.param
    loopback_only(monkeypatch)
    make_project(tmp_path)
    clock = Clock("2027-03-01 08:00")
    build_fixture_site(tmp_path / "content", tmp_path / "output", clock.now)
    servers: dict[str, Any] = {}
    with ExitStack() as stack:
        if mode == "outbox":
            # The X credentials exist only to prove they never reach a log or the ledger,
            # so the real adapters are switched off.
            monkeypatch.setattr("publisher.platforms.registry.REAL_ADAPTERS", {})
            environ = OUTBOX_SECRETS
        else:
            servers = request.getfixturevalue("all_servers")
            environ = environ_for(servers)
            for name, value in environ.items():  # the *_BASE_URL ones are read from here
                monkeypatch.setenv(name, value)
            stack.enter_context(own_site_on_loopback(monkeypatch, tmp_path / "output"))
        secrets = Environment(environ)
        # The five of the local servers (Instagram and Threads: tests/engine/test_engine_two_step.py).
        five = ["x", "mastodon", "bluesky", "facebook", "telegram"]
        settings = make_settings(tmp_path, per_tick_cap=5, platforms=five)
        ledger = stack.enter_context(closing(Ledger.open(settings.ledger, actor="e2e")))
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(TextFormatter(redactor(secrets), with_time=False))
        log = logging.getLogger("publisher.e2e")
        log.handlers[:] = [handler]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        keep_every_line(log)  # both modes run in one process: no line may be deduplicated
        rebuilds: list[dt.datetime] = []

        def rebuild(now: dt.datetime) -> None:
            rebuilds.append(now)
            build_fixture_site(tmp_path / "content", tmp_path / "output", now)

        scheduler = make_scheduler(settings, secrets, ledger, clock=clock, rebuild=rebuild, log=log)
        yield {
            "mode": mode,
            "tmp": tmp_path,
            "clock": clock,
            "settings": settings,
            "ledger": ledger,
            "scheduler": scheduler,
            "log": stream,
            "rebuilds": rebuilds,
            "servers": servers,
            "secrets": secrets.values(registry.secret_names()),
        }


def posted(site: dict[str, Any]) -> dict[tuple, Posted]:
    if site["mode"] == "outbox":
        return by_ledger(site["ledger"], from_outbox(site["tmp"] / "outbox"))
    assert not (site["tmp"] / "outbox").exists()  # nothing fell back to the outbox
    return by_ledger(site["ledger"], received(site["servers"]))


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

    # What reached each platform (or the outbox): exactly the sent rows, none twice.
    got = posted(site)
    assert sorted(got) == sorted((p, key, part) for key, p, part, _, s, _, _ in WEEK if s == "sent")
    for (platform, key, part), post in got.items():
        row = ledger.rows(key=key, platform=platform)[part - 1]
        assert post.text == row.text  # what the ledger froze is what went out
        assert post.language in (None, "id")  # None: the platform takes no language
        previous = ledger.rows(key=key, platform=platform)[part - 2].remote_id if part > 1 else None
        assert post.reply_to == previous  # a thread's part answers the part before it
    baru = got[("x", "item:uji-baru", 1)]
    assert (
        baru.text == f"Versi X - warga desa belajar mengenali tawaran kerja palsu.\n\n{link('x')}"
    )
    assert (baru.images, baru.alts) == (1, (ALT,))
    assert got[("mastodon", "item:uji-baru", 1)].text.startswith("Warga desa belajar")
    assert got[("mastodon", "item:uji-baru", 1)].alts == (ALT,)
    rilis = got[("facebook", "item:uji-rilis", 1)]
    assert rilis.text == (
        "Pemerintah kabupaten meluncurkan layanan informasi pencegahan perdagangan orang.\n\n#UjiTPPO"
    )
    # UTM parameters are off by default (issue 16): the link is the page's own address.
    assert "utm_" not in rilis.link and rilis.link.startswith(SITE)
    for platform in ("x", "bluesky"):
        card = got[(platform, f"{CAMPAIGN}:p2-kartu", 1)]
        assert card.text == (f"Simpan nomor bantuan resmi. #UjiTPPO\n\n{SITE}/bantuan/")
        assert (card.images, card.alts) == (1, (ALT,))
    for platform in ("x", "mastodon"):
        thread = [got[(platform, f"{CAMPAIGN}:p3-utas", n)] for n in (1, 2)]
        assert [t.text[-5:] for t in thread] == ["(1/2)", "(2/2)"]
        assert f"{SITE}/kampanye/kampanye-uji/" in thread[0].text
    (check_outbox_files if site["mode"] == "outbox" else check_servers)(site, got)

    # The log: one key=value line per event, with the remote URL; never a secret.
    log = site["log"].getvalue()
    mode = "outbox (credentials found, but no adapter for this platform yet)"
    assert f"x: {mode if site['mode'] == 'outbox' else 'real (credentials configured)'}" in log
    sent = [e for e in log_events(log) if e["event"] == "sent"]
    assert sorted(
        (e["platform"], e["key"], e["part"], e["state"], e["url"]) for e in sent
    ) == sorted(
        (r.platform, r.key, f"{r.part}/{r.parts}", "sent", r.url)
        for r in ledger.rows(states=["sent"])
    )
    assert all(e["url"].startswith(("https://", "http://127.0.0.1", "file://")) for e in sent)
    assert site["secrets"]
    for value in site["secrets"]:
        assert value not in log
        assert value not in (tmp / "var" / "ledger.sqlite3").read_bytes().decode("latin-1")


def link(platform: str) -> str:
    return f"{SITE}/berita/2027/berita-baru-yang-tayang-pada-hari-kedua/"


def check_outbox_files(site: dict[str, Any], got: dict[tuple, Posted]) -> None:
    """The outbox keeps the whole request: the image's source and the time it was posted."""
    tmp = site["tmp"]
    files = outbox_files(tmp / "outbox")
    assert files["x/item+uji-baru.1.json"] == {
        "platform": "x",
        "key": "item:uji-baru",
        "part": 1,
        "parts": 1,
        "reply_to": None,
        "text": f"Versi X - warga desa belajar mengenali tawaran kerja palsu.\n\n{link('x')}",
        "media": [{"path_or_url": f"{SITE}/images/uji.png", "alt": ALT}],
        "language": "id",
        "link": link("x"),
        "posted_at": "2027-03-02T03:00:00+00:00",
    }
    card = files[f"x/{CAMPAIGN.replace(':', '+')}+p2-kartu.1.json"]
    assert card["media"][0]["path_or_url"] == str(tmp / "content" / "images" / "uji.png")
    thread = [files[f"x/{CAMPAIGN.replace(':', '+')}+p3-utas.{n}.json"] for n in (1, 2)]
    assert [t["reply_to"] for t in thread] == [None, "cal+kampanye-uji+p3-utas.1"]


def check_servers(site: dict[str, Any], got: dict[tuple, Posted]) -> None:
    """What only the real platforms show: languages, idempotency keys, the image bytes."""
    servers = site["servers"]
    for (platform, key, part), post in got.items():
        if platform == "mastodon":  # a retry within the hour can never make a second status
            assert (post.language, post.idempotency_key) == ("id", f"{key}/{part}")
        if platform == "bluesky":
            assert post.language == "id"
    # Both images were fetched (one from the site, one from content/) and uploaded whole.
    size = (site["tmp"] / "content" / "images" / "uji.png").stat().st_size
    assert [m["size"] for m in servers["x"].media.values()] == [size, size]
    assert [m["size"] for m in servers["mastodon"].media.values()] == [size]
    # X rewrote the links as t.co, and still knows where they point.
    tweet = next(
        t for t in servers["x"].posts if t["sent_text"] == got[("x", "item:uji-baru", 1)].text
    )
    assert "https://t.co/" in tweet["text"]
    assert tweet["entities"]["urls"][0]["expanded_url"] == link("x")


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
    assert sorted(posted(site)) == [
        ("bluesky", f"{CAMPAIGN}:p2-kartu", 1),
        ("x", f"{CAMPAIGN}:p2-kartu", 1),
    ]
