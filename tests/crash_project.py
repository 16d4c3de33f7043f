"""The project the crash harness runs `publisher run` on: due now, on the harness's clock.

A settings file, a site's feeds (syndication.json and Atom, as the build writes them) with
four articles, one with an image, and a campaign whose calendar has two threads and a plain
post, all due a minute ago. The site is served from 127.0.0.1 (images, Open Graph pages for
Bluesky's link cards), so nothing leaves the machine. The ledger is prepared in the harness
process the way earlier ticks would have left it: first run done, every post planned
(`pending`), so the child's first tick sends them and the expected rows are known up front.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from publisher.core.settings import PublisherSettings, load_settings
from publisher.core.timeutil import WIB
from publisher.engine.ledger import Ledger
from publisher.engine.report import TickReport
from publisher.engine.scheduler import FIRST_RUN, Scheduler
from publisher.engine.sources import snapshot
from publisher.platforms import registry
from publisher.platforms.registry import real_adapter
from tests.platform_servers.fixtures import png_bytes

PLATFORMS = ("x", "mastodon", "bluesky", "facebook", "telegram")
CONF = """\
SITEURL = {site!r}
PATH = "content"
# The default settings (60 s ticks, 60 s before a lookup, 5 posts per platform per tick):
# the harness runs the process on a faster clock (PUBLISHER_TIME_WARP), not on short settings.
PUBLISHER = {{
    "feed": "output",
    "ledger": "var/ledger.sqlite3",
    "outbox": "outbox",
    "campaigns": "campaigns",
    "platforms": ["x", "mastodon", "bluesky", "facebook", "telegram"],  # those served here
}}
"""
SENTENCES = (
    "Tawaran kerja dengan gaji tinggi tanpa syarat jelas adalah tanda bahaya pertama.",
    "Perekrut yang menahan paspor atau dokumen pribadi Anda melanggar hukum.",
    "Minta perjanjian kerja tertulis dan bacalah sebelum menandatanganinya.",
    "Periksa nama perusahaan penempatan di dinas tenaga kerja kabupaten.",
    "Jangan mau berutang kepada perekrut untuk biaya keberangkatan.",
    "Simpan salinan dokumen dan nomor kontak keluarga di tempat yang aman.",
    "Bila ragu, tanyakan dulu kepada petugas desa atau layanan pengaduan resmi.",
)


def _article(n: int, site: str, due: dt.datetime, **extra: object) -> dict[str, object]:
    slug = f"artikel-{n}"
    return {
        "feed_id": f"urn:uuid:crash-{n}",
        "uid": f"crash-{n}",
        "kind": "article",
        "slug": slug,
        "url": f"{site}/berita/{slug}/",
        "title": f"Artikel uji ketahanan {n}",
        "summary": "Ringkasan.",
        "published": due.isoformat(),
        "social": {"default": f"Artikel {n}: {SENTENCES[n % len(SENTENCES)]}"},
        "platforms": list(PLATFORMS),
        "campaign": "",
        "lang": "id",
        **extra,
    }


def _thread_text(seed: int, sentences: int) -> str:
    rng = random.Random(seed)
    picked = [f"({n}) {rng.choice(SENTENCES)}" for n in range(1, sentences + 1)]
    return " ".join(picked)


def write_project(root: Path, site: str, due: dt.datetime, extra: int = 0) -> Path:
    """Write the project under `root` (served at `site`); returns the settings file.
    `extra` more articles on the five platforms (five rows each)."""
    feeds = root / "output" / "feeds"
    feeds.mkdir(parents=True)  # output/ may exist: it is being served already
    (root / "output" / "images").mkdir()
    (root / "output" / "images" / "poster.png").write_bytes(png_bytes(16, "blue"))
    (root / "content" / "images").mkdir(parents=True)
    (root / "content" / "images" / "poster.png").write_bytes(png_bytes(16, "green"))
    image = {"url": "images/poster.png", "alt": "Poster biru bertuliskan Cegah TPPO."}
    items = [
        _article(1, site, due),
        _article(2, site, due, social={"default": "Artikel 2: teks umum.", "x": "Artikel 2 X."}),
        _article(3, site, due, image=image),
        _article(4, site, due, platforms=["x", "mastodon", "telegram"]),
        *(_article(n, site, due) for n in range(5, 5 + extra)),
    ]
    for item in items:
        page = root / "output" / "berita" / str(item["slug"])
        page.mkdir(parents=True)
        page.joinpath("index.html").write_text(
            f'<html><head><meta property="og:title" content="{item["title"]}">'
            '<meta property="og:description" content="Ringkasan."></head></html>'
        )
    (feeds / "syndication.json").write_text(json.dumps({"items": items}, ensure_ascii=False))
    entries = "".join(
        f"<entry><id>{i['feed_id']}</id><title>{i['title']}</title>"
        f'<link href="{i["url"]}"/><updated>{i["published"]}</updated></entry>'
        for i in items
    )
    (feeds / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>uji</title><id>urn:uji</id><updated>{due.isoformat()}</updated>{entries}</feed>"
    )
    (root / "campaigns").mkdir()
    wib = due.astimezone(WIB)
    at = wib.strftime("%Y-%m-%d %H:%M")
    start = (wib - dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    end = (wib + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    (root / "campaigns" / "uji-ketahanan.md").write_text(
        CAMPAIGN.format(
            start=start,
            end=end,
            at=at,
            thread1=json.dumps(_thread_text(1, 7), ensure_ascii=False),
            thread2=json.dumps(_thread_text(2, 5), ensure_ascii=False),
        ),
        encoding="utf-8",
    )
    conf = root / "pelicanconf.py"
    conf.write_text(CONF.format(site=site))
    return conf


CAMPAIGN = """---
title: Kampanye uji ketahanan
slug: uji-ketahanan
start: {start}
end: {end}
summary: Kalender kecil untuk uji mati paksa.
platforms: [x, mastodon, bluesky, facebook, telegram]
image:
  src: images/poster.png
  alt: Poster hijau bertuliskan Cegah TPPO.
posts:
  - id: utas-satu
    at: {at}
    platforms: [x, mastodon, bluesky]
    thread: true
    text: {thread1}
    link: artikel-1
  - id: utas-dua
    at: {at}
    platforms: [x, bluesky]
    thread: true
    text: {thread2}
  - id: biasa
    at: {at}
    platforms: [mastodon, facebook, telegram]
    text: "Kalender: simpan nomor layanan pengaduan resmi di ponsel Anda."
---

Halaman kampanye uji.
"""


def plan_ledger(conf: Path, env: dict[str, str], now: dt.datetime) -> PublisherSettings:
    """The ledger as earlier ticks would leave it: first run done, every post pending."""
    settings = registry.validate(load_settings(conf))
    adapters = {p: real_adapter(p, settings, env) for p in settings.platforms}
    missing = [p for p, a in adapters.items() if a is None]
    assert not missing, f"no real adapter for {missing}: check the environment"
    ledger = Ledger.open(settings.ledger, actor="harness")
    try:
        scheduler = Scheduler(settings, ledger, adapters, lambda: snapshot(settings))  # type: ignore[arg-type]
        snap = scheduler.sources()
        assert not snap.problems, snap.problems
        scheduler.sync(snap, now - dt.timedelta(hours=1), False, TickReport(now))
        ledger.set_meta(FIRST_RUN, (now - dt.timedelta(days=1)).isoformat())
    finally:
        ledger.close()
    return settings
