"""`check` and `accounts` read the rules the Instagram and Threads specs declare: a post
needs an image, at most 30 hashtags, emoji counted as bytes on Threads, and a token that
expires is shown with its days left and a warning two weeks before."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.accounts import EXPIRY_WARNING, accounts_command, expiry
from publisher.content.check import check_tree
from publisher.platforms import registry
from tests.content.test_check import add, make_site
from tests.platform_servers.container_fixtures import container_environ
from tests.platform_servers.instagram import TOKEN, InstagramServer

ARTICLE = """---
id: berita-uji-{n}
title: Berita uji {n}
slug: berita-uji-{n}
date: 2027-07-02 09:00
summary: Berita uji untuk aturan Instagram.
{extra}
---

Isi berita uji.
"""


def problems(site: Path) -> list[str]:
    return [str(p) for p in check_tree(site)]


def test_an_item_without_an_image_is_not_for_instagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    named = add(site, "article-named.md", ARTICLE.format(n=1, extra="platforms: [instagram, x]"))
    found = problems(site)
    assert found == [
        f"{named}:7: error: not posted on Instagram: it takes only posts with an image, and "
        "this item has none; add 'image:' or take it out of 'platforms'"
    ]
    (site / named).unlink()
    add(site, "article-plain.md", ARTICLE.format(n=2, extra=""))
    assert problems(site) == []  # names no platform: simply not for Instagram


def test_a_campaign_post_without_an_image_is_not_for_instagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    campaign = site / "campaigns/kampanye-contoh.md"
    text = campaign.read_text().replace("telegram]", "telegram, instagram]")
    campaign.write_text(text.replace("    at: 2027-07-21 09:00\n", "    at: 2027-07-21 09:00\n"
                                     "    platforms: [instagram]\n"))  # fmt: skip
    found = problems(site)
    assert len(found) == 1, found
    assert "post 'satu': not posted on Instagram: it takes only posts with an image" in found[0]
    assert found[0].startswith("campaigns/kampanye-contoh.md:") and ": error: " in found[0]


def test_more_than_30_hashtags_is_an_error_for_instagram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    tags = " ".join(f"#Tag{n}" for n in range(31))
    social = f'social:\n  instagram: "Waspadai tawaran kerja. {tags}"\n  default: Waspadai.'
    image = "image:\n  src: images/contoh.png\n  alt: Gambar contoh berupa kotak biru."
    path = add(site, "article-tags.md", ARTICLE.format(n=3, extra=f"{social}\n{image}"))
    found = problems(site)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:")
    assert "31 hashtags" in found[0] and "30" in found[0] and "remove some" in found[0]
    # Thirty are allowed.
    fewer = " ".join(f"#Tag{n}" for n in range(30))
    (site / path).write_text((site / path).read_text().replace(tags, fewer))
    assert problems(site) == []


def test_threads_counts_emoji_as_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path, monkeypatch)
    image = "image:\n  src: images/contoh.png\n  alt: Gambar contoh berupa kotak biru."
    # 110 characters and 410 by Threads' count, with the link (73) 483 of 500.
    text = "Hati-hati " + "\U0001f6a8" * 100
    social = f'social:\n  threads: "{text}"\n  default: Waspadai.'
    path = add(site, "article-emoji.md", ARTICLE.format(n=4, extra=f"{social}\n{image}"))
    assert problems(site) == []
    (site / path).write_text((site / path).read_text().replace(text, text + "\U0001f6a8" * 5))
    found = problems(site)
    assert len(found) == 1 and "Threads" in found[0] and found[0].startswith(f"{path}:"), found
    assert registry.count("threads", text) == 410


def test_the_days_left_and_a_warning_two_weeks_before() -> None:
    now = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
    assert expiry("instagram", None, now) == ("", "")
    note, warning = expiry("instagram", now + dt.timedelta(days=40), now)
    assert "token expires in 40 days" in note and warning == ""
    note, warning = expiry("threads", now + EXPIRY_WARNING - dt.timedelta(hours=1), now)
    assert "expires in 13 days" in note
    assert warning.startswith("Threads: the token expires in 13 days: make a new token now")
    assert expiry("threads", now - dt.timedelta(days=2), now)[1].startswith(
        "Threads: the token expires in 0 days"
    )


def test_accounts_shows_the_days_left_and_warns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, instagram_server: InstagramServer
) -> None:
    for name in registry.variable_names():
        monkeypatch.delenv(name, raising=False)
    for name, value in container_environ({"instagram": instagram_server}).items():
        monkeypatch.setenv(name, value)
    (tmp_path / "pelicanconf.py").write_text(
        'SITEURL = "https://tppo.example.go.id"\n'
        "PUBLISHER = {'platforms': ['instagram'], 'ledger': 'var/ledger.sqlite3'}\n"
    )
    settings = ["--settings", str(tmp_path / "pelicanconf.py")]

    instagram_server.token_expires_at = time.time() + 50 * 86400 + 3600
    result = CliRunner().invoke(accounts_command, settings)
    assert result.exit_code == 0, result.output
    assert "token expires in 50 days" in result.output and "warning:" not in result.output

    instagram_server.token_expires_at = time.time() + 5 * 86400 + 3600
    result = CliRunner().invoke(accounts_command, settings)
    assert result.exit_code == 0, result.output
    assert "WARN" in result.output
    assert "warning: Instagram: the token expires in 5 days: make a new token now" in (
        result.output
    )
    assert TOKEN not in result.output


def test_an_svg_picture_is_not_what_instagram_gets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path, monkeypatch)
    image = "image:\n  src: images/contoh.svg\n  alt: Gambar contoh berupa kotak biru."
    path = add(
        site, "article-svg.md", ARTICLE.format(n=5, extra=f"platforms: [instagram]\n{image}")
    )
    found = problems(site)
    assert len(found) == 1, found
    assert (
        found[0].startswith(f"{path}:") and ": warning: 'images/contoh.svg' is an SVG" in found[0]
    )
    assert "default social card (OG_DEFAULT_IMAGE)" in found[0]
    (site / path).write_text((site / path).read_text().replace("contoh.svg", "contoh.png"))
    assert problems(site) == []
