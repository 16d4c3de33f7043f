"""Campaign files: the sample campaign, the reader's rules and locations, and robustness."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from publisher.content import frontmatter
from publisher.content.campaign_reader import load_campaign, load_campaigns, read_campaign
from publisher.content.campaigns import Campaign
from publisher.content.fields import parse_content_meta
from publisher.core.errors import ContentError
from publisher.core.timeutil import WIB
from tests.support import TESTS

ROOT = TESTS.parent
SAMPLE = ROOT / "campaigns" / "hari-dunia-anti-perdagangan-orang-2027.md"

HEAD = """\
---
title: Kampanye uji
start: 2027-07-20 08:00
end: 2027-08-05
summary: Ringkasan.
platforms: [x, mastodon, telegram]
image:
  src: images/contoh.png
  alt: Kotak biru.
"""


def write(tmp_path: Path, text: str, name: str = "kampanye-uji.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sample_campaign_meets_the_brief() -> None:
    campaign = load_campaign(SAMPLE)
    assert campaign.slug == "hari-dunia-anti-perdagangan-orang-2027"
    assert campaign.start == dt.datetime(2027, 7, 20, 0, 0, tzinfo=WIB)
    assert campaign.end == dt.datetime(2027, 8, 5, 23, 59, 59, tzinfo=WIB)
    assert campaign.start <= dt.datetime(2027, 7, 30, 12, tzinfo=WIB) <= campaign.end
    assert len(campaign.posts) >= 10
    assert len({p for post in campaign.posts for p in post.platforms}) >= 3
    assert len({post.id for post in campaign.posts}) == len(campaign.posts)
    assert all(post.at.tzinfo == dt.UTC for post in campaign.posts)
    assert campaign.cta.link == "bantuan"
    assert campaign.image is not None and campaign.image.alt
    assert {"CegahTPPO", "StopPerdaganganOrang"} <= set(campaign.hashtags)


def test_posts_carry_times_wording_and_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEAD
        + """\
posts:
  - id: satu
    at: 2027-07-21 09:00
    platforms: [x, telegram]
    text: |
      Baris pertama.
      Baris kedua.
    wording:
      x: Versi pendek.
    link: /bantuan/
    thread: true
---

Isi halaman.
""",
    )
    (post,) = load_campaign(path).posts
    assert post.key == "kampanye-uji/satu"
    assert post.at == dt.datetime(2027, 7, 21, 2, 0, tzinfo=dt.UTC)  # 09:00 WIB
    assert post.text_for("x") == "Versi pendek."
    assert post.text_for("telegram") == "Baris pertama.\nBaris kedua."
    assert post.link == "bantuan"
    assert post.thread is True
    assert post.lines["at"] == 12 and post.lines["wording.x"] == 18
    assert post.line_in("text", post.text, post.text.index("kedua")) == 16


def test_post_platforms_default_to_the_campaigns(tmp_path: Path) -> None:
    path = write(
        tmp_path, HEAD + "posts:\n  - id: a\n    at: 2027-07-21 09:00\n    text: Hai\n---\n"
    )
    assert load_campaign(path).posts[0].platforms == ["x", "mastodon", "telegram"]


def test_end_date_without_time_includes_that_day(tmp_path: Path) -> None:
    late = HEAD + "posts:\n  - id: a\n    at: 2027-08-05 23:30\n    text: Hai\n---\n"
    assert load_campaign(write(tmp_path, late)).posts[0].id == "a"
    early = HEAD + "posts:\n  - id: a\n    at: 2027-07-20 07:59\n    text: Hai\n---\n"
    with pytest.raises(ContentError, match="outside the campaign") as info:
        load_campaign(write(tmp_path, early))
    assert info.value.problem.line == 12


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    text = HEAD.replace("summary: Ringkasan.\n", "") + (
        "colour: merah\n"
        "posts:\n"
        "  - id: a\n    at: 2027-07-21 09:00\n    platforms: [x, facebook]\n    text: Hai\n"
        "  - id: b\n    at: kemarin\n    text: Hai\n"
        "  - id: Bad Id\n    at: 2027-07-21 09:00\n    text: Hai\n"
        "---\n"
    )
    campaign, problems = read_campaign(write(tmp_path, text))
    assert campaign is None
    assert [(p.line, p.message.split(";")[0].split(" (")[0]) for p in problems] == [
        (9, "unknown field 'colour' in a campaign"),
        (1, "'summary' is required"),
        (13, "post 'a' goes to facebook, which is not in the campaign's platforms"),
        (16, "at: 'kemarin' is not a valid date and time"),
        (18, "post id 'Bad Id' may hold only a-z, 0-9 and '-'"),
    ]


def test_slug_must_match_the_file_name(tmp_path: Path) -> None:
    text = HEAD.replace("title:", "slug: lain\ntitle:") + "---\n"
    with pytest.raises(ContentError, match=r"rename the file to lain\.md") as info:
        load_campaign(write(tmp_path, text))
    assert info.value.problem.line == 2


def test_load_campaigns_keeps_good_files_and_reports_bad(tmp_path: Path) -> None:
    write(tmp_path, HEAD + "---\n", "baik.md")
    write(tmp_path, "tanpa front matter\n", "rusak.md")
    (tmp_path / "catatan.txt").write_text("bukan kampanye")
    campaigns, problems = load_campaigns(tmp_path)
    assert [c.slug for c in campaigns] == ["baik"]
    assert len(problems) == 1 and problems[0].path.endswith("rusak.md")
    assert load_campaigns(tmp_path / "tidak-ada") == ([], [])


def test_states(tmp_path: Path) -> None:
    campaign = load_campaign(write(tmp_path, HEAD + "---\n"))
    assert campaign.state(dt.datetime(2027, 7, 1, tzinfo=dt.UTC)) == "upcoming"
    assert campaign.state(dt.datetime(2027, 7, 25, tzinfo=dt.UTC)) == "current"
    assert campaign.state(dt.datetime(2027, 8, 6, tzinfo=dt.UTC)) == "past"


# --- never a traceback ---------------------------------------------------------------------

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)
_post = st.fixed_dictionaries(
    {},
    optional={
        k: _values | st.just("2027-07-22 10:00")
        for k in ("id", "at", "platforms", "text", "wording", "image", "link", "thread", "status")
    },
)
_campaign = st.fixed_dictionaries(
    {"posts": st.lists(_post | _values, max_size=3)},
    optional={
        k: _values
        for k in ("title", "start", "end", "summary", "hashtags", "platforms", "image", "cta",
                  "status", "lang", "events", "slug")
    },
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(meta=_campaign)
def test_arbitrary_campaign_metadata(meta: dict, tmp_path: Path) -> None:
    path = write(tmp_path, "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n")
    try:
        assert isinstance(load_campaign(path), Campaign)
    except ContentError as exc:
        assert exc.problem.line >= 1 and exc.problem.path.endswith("kampanye-uji.md")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=300), kind=st.sampled_from(["page", "article", "release"]))
def test_arbitrary_text_to_the_readers(text: str, kind: str, tmp_path: Path) -> None:
    path = write(tmp_path, text)
    try:
        parse_content_meta(frontmatter.parse(path), kind)
    except ContentError as exc:
        assert exc.problem.line >= 1
    try:
        load_campaign(path)
    except ContentError as exc:
        assert exc.problem.line >= 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    meta=st.dictionaries(
        st.sampled_from(["title", "id", "date", "summary", "image", "images", "social", "platforms",
                         "tags", "attachments", "modified", "correction", "lang", "status"]),
        _values,
    ),
    kind=st.sampled_from(["page", "article", "release"]),
)  # fmt: skip
def test_arbitrary_content_metadata(meta: dict, kind: str, tmp_path: Path) -> None:
    path = write(tmp_path, "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n")
    try:
        parse_content_meta(frontmatter.parse(path), kind)
    except ContentError as exc:
        assert exc.problem.line >= 1


# --- the campaign pages on the site (real Pelican build) -----------------------------------


# Our reader and theme data, and the campaign pages: what these pages need, and nothing that
# other parts of the build (feeds, sitemap) could break while they are being worked on.
PLUGINS = ["publisher.site.plugin", "publisher.site.campaign_pages"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from publisher.site.build import build_site

    tmp = tmp_path_factory.mktemp("campaign-site")
    shutil.copytree(ROOT / "content", tmp / "content")
    shutil.copytree(ROOT / "data", tmp / "data")
    (tmp / "content" / "berita" / "berita-kampanye.md").write_text(
        "---\nid: berita-kampanye-uji\ntitle: Berita untuk kampanye\ndate: 2027-07-25 09:00\n"
        "summary: Berita yang ikut kampanye.\ncampaign: hari-dunia-anti-perdagangan-orang-2027\n"
        "---\n\nIsi.\n",
        encoding="utf-8",
    )
    campaigns = tmp / "campaigns"
    campaigns.mkdir()
    shutil.copy(SAMPLE, campaigns)
    image = "image:\n  src: images/og-default.png\n  alt: Kartu ajakan.\n"
    for slug, start, end, status in [
        ("kampanye-lalu", "2026-07-01", "2026-07-31", "published"),
        ("kampanye-nanti", "2027-12-01", "2027-12-31", "published"),
        ("kampanye-draf", "2027-07-01", "2027-08-31", "draft"),
    ]:
        (campaigns / f"{slug}.md").write_text(
            f"---\ntitle: Judul {slug}\nstart: {start}\nend: {end}\nsummary: Ringkasan {slug}.\n"
            f"platforms: [x]\nstatus: {status}\n{image}---\n\nIsi {slug}.\n",
            encoding="utf-8",
        )
    build_site(
        ROOT / "pelicanconf.py",
        tmp / "out",
        now=dt.datetime(2027, 7, 31, 12, 0, tzinfo=WIB),
        overrides={
            "PATH": str(tmp / "content"),
            "CAMPAIGNS_PATH": str(campaigns),
            "PLUGINS": PLUGINS,
        },
    )
    return tmp / "out"


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_campaign_list_puts_current_first_and_hides_drafts(built: Path) -> None:
    soup = _soup(built / "kampanye" / "index.html")
    assert [h.get_text() for h in soup.select("main h2")] == [
        "Sedang berjalan", "Akan datang", "Selesai",
    ]  # fmt: skip
    titles = [a.get_text() for a in soup.select("main ul.posts > li > a")]
    assert titles == [
        "Hari Dunia Anti Perdagangan Orang 2027", "Judul kampanye-nanti", "Judul kampanye-lalu",
    ]  # fmt: skip
    assert not (built / "kampanye" / "kampanye-draf").exists()
    assert len(soup.find_all("h1")) == 1


def test_landing_page(built: Path) -> None:
    soup = _soup(built / "kampanye" / "hari-dunia-anti-perdagangan-orang-2027" / "index.html")
    assert [h.get_text() for h in soup.find_all("h1")] == ["Hari Dunia Anti Perdagangan Orang 2027"]
    og_image = soup.find("meta", property="og:image")["content"]
    assert og_image.endswith("/images/kampanye/hari-dunia-anti-perdagangan-orang-2027.png")
    assert soup.find("meta", property="og:image:alt")["content"].startswith("Kartu kampanye")
    assert soup.select_one(".campaign-cta a")["href"] == "../../bantuan/"
    listed = [a.get_text() for a in soup.select("ul.posts a")]
    assert "Berita untuk kampanye" in listed
    assert not [t for t in listed if t.startswith("Sosialisasi")]  # no campaign: not listed
    # Posts appear once their time has passed: 9 of 12 by 31 July, 12:00 WIB.
    times = [t["datetime"] for t in soup.select(".campaign-posts time")]
    assert len(times) == 9 and times[0] == "2027-07-30T19:00:00+07:00"
    body_links = [a["href"] for a in soup.select(".prose a")]
    assert "../../tanda-tanda/" in body_links  # {filename} links resolved
    feed = soup.find("link", type="application/atom+xml", title=lambda t: t and "kampanye" in t)
    assert feed["href"] == "../../feeds/kampanye/hari-dunia-anti-perdagangan-orang-2027.atom.xml"


def test_campaign_feed_lists_its_articles(built: Path) -> None:
    feed = built / "feeds" / "kampanye" / "hari-dunia-anti-perdagangan-orang-2027.atom.xml"
    text = feed.read_text(encoding="utf-8")
    assert "Berita untuk kampanye" in text
    assert "Sosialisasi" not in text  # articles of no campaign stay out


def test_a_broken_campaign_stops_the_build(tmp_path: Path) -> None:
    from publisher.site.build import BuildFailed, build_site

    campaigns = tmp_path / "campaigns"
    campaigns.mkdir()
    (campaigns / "rusak.md").write_text(
        HEAD.replace("end: 2027-08-05", "end: 2027-02-30") + "---\n"
    )
    with pytest.raises(BuildFailed) as info:
        build_site(
            ROOT / "pelicanconf.py",
            tmp_path / "out",
            overrides={"CAMPAIGNS_PATH": str(campaigns), "PLUGINS": PLUGINS},
        )
    assert [p.line for p in info.value.problems] == [4]
    assert "end: '2027-02-30' is not a valid date" in info.value.problems[0].message
    assert not (tmp_path / "out").exists()
