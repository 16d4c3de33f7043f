"""What staff see before it is sent (issue 16 §6): previews count links at the production
address, never a local build's 127.0.0.1; a campaign post dated in the past and text left
from `publisher new` are warned about; hostile text prints as text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from publisher.core.timeutil import parse_time
from publisher.engine import actions, upcoming
from publisher.platforms.registry import OutboxAdapter, platform_limits
from tests.cli_support import run
from tests.engine_support import item, make_settings

PRODUCTION = "https://pencegahan-tppo.bengkulutengahkab.go.id"
LOCAL = "http://127.0.0.1:8000"


def local_site(tmp: Path) -> Path:
    """A development build's feed (links at 127.0.0.1) beside a publishconf.py."""
    (tmp / "pelicanconf.py").write_text("SITEURL = ''\n")
    (tmp / "publishconf.py").write_text(f"SITEURL = {PRODUCTION!r}\n")
    feeds = tmp / "output" / "feeds"
    feeds.mkdir(parents=True)
    text = "Kenali tanda perekrutan palsu sebelum berangkat, dan simpan nomor bantuan resmi. " * 3
    records = [
        {
            "uid": "lokal",
            "kind": "article",
            "url": f"{LOCAL}/berita/2027/artikel-dengan-alamat-yang-panjang/",
            "title": "Artikel",
            "published": "2027-03-01T02:00:00+00:00",
            "social": {"default": text.strip()},
            "platforms": ["bluesky"],
        }
    ]
    (feeds / "syndication.json").write_text(json.dumps({"items": records}))
    (feeds / "all.atom.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>t</title><id>urn:t</id><updated>2027-03-01T00:00:00Z</updated></feed>"
    )
    return tmp


def test_previews_count_links_at_the_production_address(tmp_path: Path) -> None:
    local_site(tmp_path)
    settings = make_settings(tmp_path, platforms=["bluesky"], site_url=LOCAL)
    assert upcoming.production_url(settings) == PRODUCTION
    seen = upcoming.outlook(settings, parse_time("2027-03-01 08:00"))
    (planned,) = seen.planned
    assert planned.link == f"{PRODUCTION}/berita/2027/artikel-dengan-alamat-yang-panjang/"
    limits = platform_limits(settings)
    adapters = {"bluesky": OutboxAdapter(limits["bluesky"], tmp_path / "outbox")}
    (preview,) = actions.preview("item:lokal", seen.planned, None, adapters)
    (part,) = preview.parts
    assert PRODUCTION in part.text and "127.0.0.1" not in part.text
    # Counted as production sends it: the long address costs its full length on Bluesky.
    assert part.count == len(part.text) and part.count <= part.limit


def test_a_local_link_is_moved_to_production_and_a_public_one_kept() -> None:
    assert upcoming.at_production(f"{LOCAL}/a/?q=1#x", PRODUCTION) == f"{PRODUCTION}/a/?q=1#x"
    assert upcoming.at_production("https://other.example/a/", PRODUCTION) == (
        "https://other.example/a/"
    )
    assert upcoming.at_production(f"{LOCAL}/a/", "") == f"{LOCAL}/a/"


def test_warnings_for_a_past_campaign_post_and_a_placeholder() -> None:
    now = parse_time("2027-03-02 08:00")
    past = item("cal:k:lalu", "2027-03-01 09:00", kind="calendar", text="Sudah lewat.")
    draft = item("cal:k:draf", "2027-03-03 09:00", kind="calendar", text="Tulis pesan di sini.")
    planned_before = item("cal:k:lama", "2027-03-01 09:00", kind="calendar", text="Lama.")
    ahead = item("item:baru", "2027-03-03 09:00", text="Teks yang sudah jadi.")
    found = upcoming.warnings(
        [past, draft, planned_before, ahead], now, dt.timedelta(hours=6), {"cal:k:lama"}
    )
    assert len(found) == 2
    assert "cal:k:lalu is dated in the past (2027-03-01 09:00 WIB)" in found[0]
    assert "placeholder 'Tulis pesan di sini'" in found[1]


def test_plan_warns_and_prints_hostile_text_as_written(project: Path) -> None:
    campaign = project / "campaigns" / "kampanye-uji.md"
    text = campaign.read_text(encoding="utf-8")
    text = text.replace(
        'text: "Simpan nomor bantuan resmi. #UjiTPPO"',
        'text: "Simpan [/] nomor [bold]bantuan resmi. Tulis pesan di sini. #UjiTPPO"',
    )
    campaign.write_text(text, encoding="utf-8")
    code, out, err = run(project, "plan", "--now", "2027-03-01 08:00", "--days", "3")
    assert code == 0, err
    assert "Simpan [/] nomor [bold]bantuan resmi." in out
    assert "warning:" in err and "placeholder 'Tulis pesan di sini'" in err
    assert "p1-sebelum is dated in the past" in err
    code, out, err = run(project, "preview", "cal:kampanye-uji:p2-kartu")
    assert code == 0 and "Simpan [/] nomor [bold]bantuan" in out


def test_a_scheduled_release_can_be_previewed_before_it_is_live(project: Path) -> None:
    code, out, err = run(project, "preview", "item:uji-rilis", "--now", "2027-03-01 08:00")
    assert code == 0, err
    assert out.startswith("scheduled: not live yet; goes out at 2027-03-04 09:00 WIB")
    assert "== facebook (new)" in out
