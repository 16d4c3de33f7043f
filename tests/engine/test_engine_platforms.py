"""The engine on all five real platforms: text, an image with alt text and a thread each.

The registry picks the real adapters from credentials that point at the local platform
servers; the scheduler posts through them exactly as it does in production. Nothing leaves
127.0.0.1.
"""

from __future__ import annotations

import random
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from publisher.core.environment import Environment
from publisher.core.timeutil import parse_time
from publisher.engine.ledger import Ledger
from publisher.engine.scheduler import Scheduler
from publisher.engine.sources import Snapshot
from publisher.platforms.catalog import ITEM_PLATFORMS as PLATFORM_NAMES
from publisher.platforms.registry import choose_adapters
from tests.engine_support import Clock, item, loopback_only, make_settings
from tests.platform_servers.fixtures import environ_for
from tests.platform_servers.received import by_ledger, received

POSTER_ALT = "Poster: nomor bantuan 110 dan SAPA 129 di atas latar oranye."
LONG = "\n\n".join(
    f"{n}. Sebelum berangkat kerja ke luar negeri, periksa kontrak, izin perusahaan penempatan "
    "dan biaya yang diminta; tawaran tanpa dokumen resmi adalah tanda bahaya perdagangan orang."
    for n in range(1, 6)
)


def test_all_five_platforms_post_text_an_image_and_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, all_servers: dict[str, Any], png: Path
) -> None:
    """Through the registry, the scheduler and the real client libraries, to every server."""
    loopback_only(monkeypatch)
    environ = environ_for(all_servers)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    # The five served here (Instagram and Threads: tests/engine/test_engine_two_step.py).
    served = [p for p in PLATFORM_NAMES if p in all_servers]
    settings = make_settings(tmp_path, per_tick_cap=10, platforms=served)
    choices = choose_adapters(settings, Environment(environ))
    assert [(c.platform, c.mode) for c in choices] == [(p, "real") for p in served]
    items = [
        item("item:teks", "2027-03-01 10:00", text="Kenali ciri tawaran kerja palsu."),
        item(
            "item:gambar",
            "2027-03-01 10:00",
            text="Simpan nomor ini.",
            image=(str(png), POSTER_ALT),
        ),
        item("item:utas", "2027-03-01 10:00", text=LONG, thread=True),
    ]
    with closing(Ledger.open(settings.ledger, actor="e2e")) as ledger:
        scheduler = Scheduler(
            settings,
            ledger,
            {c.platform: c.adapter for c in choices},
            lambda: Snapshot(list(items), [], {"item"}),
            clock=Clock("2027-03-01 08:00"),
            rng=random.Random(0),
        )
        scheduler.tick()  # the first run: nothing is due yet, so nothing is seeded
        report = scheduler.tick(parse_time("2027-03-01 10:00"))
        assert report.failed == [] and {r.state for r in ledger.rows()} == {"sent"}
        got = by_ledger(ledger, received(all_servers))
        rows = {(r.platform, r.key, r.part): r for r in ledger.rows()}

    for platform in served:
        text = got[(platform, "item:teks", 1)]
        row = rows[(platform, "item:teks", 1)]
        assert text.text == row.text and text.text.startswith("Kenali ciri tawaran kerja palsu.")
        assert row.link in (text.link if platform == "facebook" else text.text)
        assert text.images == 0

        image = got[(platform, "item:gambar", 1)]
        assert image.images == 1
        if image.alts is None:  # Facebook and Telegram take no alt text: the bytes arrived
            assert image.image_bytes == (png.read_bytes(),)
        else:
            assert image.alts == (POSTER_ALT,)

        thread = [got[k] for k in sorted(got) if k[:2] == (platform, "item:utas")]
        if platform in ("facebook", "telegram"):  # no threads there: the whole text, once
            assert len(thread) == 1 and "5. Sebelum berangkat" in thread[0].text
            continue
        ids = [rows[(platform, "item:utas", n)].remote_id for n in range(1, len(thread) + 1)]
        assert len(thread) >= 2
        assert [t.reply_to for t in thread] == [None, *ids[:-1]]
        assert [t.text.endswith(f"({n}/{len(thread)})") for n, t in enumerate(thread, 1)] == [
            True
        ] * len(thread)

    for (platform, key, part), post in got.items():
        if platform in ("mastodon", "bluesky"):
            assert post.language == "id"
        if platform == "mastodon":
            assert post.idempotency_key == f"{key}/{part}"
