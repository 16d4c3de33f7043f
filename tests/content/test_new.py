"""`publisher new`: complete drafts that already pass `publisher check`, never an overwrite."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli.main import cli
from publisher.content import frontmatter
from publisher.content.campaign_reader import load_campaign
from publisher.content.check import check_tree
from publisher.content.fields import ARTICLE_FIELDS, RELEASE_FIELDS, parse_content_meta
from publisher.content.scaffold import create, next_round_time
from publisher.core.timeutil import WIB
from tests.support import TESTS

HERE = TESTS
NOW = dt.datetime(2027, 7, 30, 9, 15, tzinfo=WIB)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    shutil.copytree(HERE / "broken" / "_base", root)
    shutil.copy(HERE.parent / "content" / "images" / "og-default.png", root / "content" / "images")
    monkeypatch.chdir(root)
    return root


def test_next_round_time_is_the_next_full_hour_in_wib() -> None:
    assert next_round_time(NOW) == dt.datetime(2027, 7, 30, 10, 0, tzinfo=WIB)
    on_the_hour = dt.datetime(2027, 7, 30, 3, 0, tzinfo=dt.UTC)  # 10:00 WIB
    assert next_round_time(on_the_hour) == dt.datetime(2027, 7, 30, 11, 0, tzinfo=WIB)


@pytest.mark.parametrize(("kind", "folder", "fields"), [
    ("post", "content/berita", ARTICLE_FIELDS),
    ("release", "content/siaran-pers", RELEASE_FIELDS),
])  # fmt: skip
def test_new_article_has_every_field_and_passes_check(
    site: Path, kind: str, folder: str, fields: set[str]
) -> None:
    path = create(kind, "Sosialisasi: di Desa #2", site, NOW)
    assert path == site / folder / "sosialisasi-di-desa-2.md"
    fm = frontmatter.parse(path)
    written = set(fm.meta) | {"image"}  # the image block is there, commented out
    assert written == fields - {"correction"}  # the older field is not offered any more
    meta = parse_content_meta(fm, "release" if kind == "release" else "article")
    assert meta.title == "Sosialisasi: di Desa #2"
    assert meta.date == dt.datetime(2027, 7, 30, 10, 0, tzinfo=WIB)
    assert meta.status == "draft"
    assert meta.uid == f"{'sp' if kind == 'release' else 'berita'}-2027-sosialisasi-di-desa-2"
    assert check_tree(site) == []


def test_new_campaign_is_a_valid_draft_with_a_post_in_its_window(site: Path) -> None:
    path = create("campaign", "Bulan Kenali Tanda", site, NOW)
    assert path == site / "campaigns" / "bulan-kenali-tanda.md"
    campaign = load_campaign(path)
    assert campaign.status == "draft"
    assert campaign.start == dt.datetime(2027, 7, 30, 10, 0, tzinfo=WIB)
    assert campaign.end == dt.datetime(2027, 8, 13, 23, 59, 59, tzinfo=WIB)
    (post,) = campaign.posts
    assert campaign.start <= post.at <= campaign.end
    assert check_tree(site) == []


def test_cli_prints_the_path_and_refuses_to_overwrite(site: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["new", "post", "Judul Baru", "--now", "2027-07-30 09:15"])
    assert first.exit_code == 0
    assert first.output == "content/berita/judul-baru.md\n"
    path = site / "content/berita/judul-baru.md"
    path.write_text(path.read_text() + "Tulisan yang tidak boleh hilang.\n")
    again = runner.invoke(cli, ["new", "post", "Judul Baru"])
    assert again.exit_code == 1
    assert again.output.startswith(
        "content/berita/judul-baru.md:1: error: this file already exists"
    )
    assert "Tulisan yang tidak boleh hilang." in path.read_text()


def test_slug_option_and_titles_without_letters(site: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "campaign", "!!!"]).exit_code == 1
    result = runner.invoke(cli, ["new", "campaign", "!!!", "--slug", "kampanye-baru"])
    assert result.output == "campaigns/kampanye-baru.md\n"
    assert load_campaign(site / "campaigns" / "kampanye-baru.md").title == "!!!"
