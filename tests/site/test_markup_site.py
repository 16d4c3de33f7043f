"""A site whose writers typed markup into every field builds whole, and shows it as text.

tests/markup_support.py puts `<!--`, `</title><script>alert(1)</script>` and
`"><img src=x onerror=alert(1)>` into titles, summaries, tags, alt text, captions, credits,
corrections, attachment titles, a contact's name, a menu label and every campaign field.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest
from bs4 import BeautifulSoup, Comment

from publisher.site.build import BuildResult, build_site
from tests.markup_support import HOSTILE, NOW, SLUGS, make_hostile_project
from tests.support import ROOT

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_NAME = "Cegah Perdagangan Orang — Bengkulu Tengah"
PAGES = {
    **{f"article {n}": f"berita/2027/{slug}/index.html" for n, slug in enumerate(SLUGS)},
    "release": "siaran-pers/sp-markup/index.html",
    "page": "halaman-markup/index.html",
    "campaign": "kampanye/kampanye-markup/index.html",
    "campaigns": "kampanye/index.html",
    "home": "index.html",
    "news": "berita/index.html",
    "press room": "ruang-media/index.html",
    "english home": "en/index.html",
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = make_hostile_project(tmp_path_factory.mktemp("hostile"), ROOT)
    return build_site(
        root / "pelicanconf.py", output=root / "output", now=NOW, overrides={"SEARCH_INDEX": False}
    )


def _page(site: BuildResult, name: str) -> BeautifulSoup:
    return BeautifulSoup((site.output / PAGES[name]).read_bytes(), "lxml")


def _no_handlers(soup: BeautifulSoup) -> bool:
    return not [tag for tag in soup.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


@pytest.mark.parametrize("name", list(PAGES))
def test_the_page_stays_whole(hostile_site: BuildResult, name: str) -> None:
    page = _page(hostile_site, name)
    assert len(page.find_all("title")) == 1
    assert page.title.get_text().endswith("— Bengkulu Tengah")
    # Nothing a writer typed became a comment, a script, an image or an event handler.
    assert not page.find_all(string=lambda text: isinstance(text, Comment))
    for script in page.find_all("script"):
        assert script.get("src") or script.get("type") == "application/ld+json"
        if script.get("type") == "application/ld+json":
            json.loads(script.string)
    assert not page.find_all("img", src="x")
    assert _no_handlers(page)
    # The parts that keep a person safe are all there.
    assert page.select("aside.safety a.quick-exit")
    assert [a["href"] for a in page.select("ul.strip a")][:3] == [
        "tel:110",
        "tel:129",
        "https://wa.me/628111129129",
    ]
    assert page.select("main#isi") and page.select("footer.site-footer ul.hotlines-short")


@pytest.mark.parametrize("number", range(len(HOSTILE)))
def test_a_title_is_text_in_title_heading_meta_and_json_ld(
    hostile_site: BuildResult, number: int
) -> None:
    text = HOSTILE[number]
    page = _page(hostile_site, f"article {number}")
    assert page.title.get_text() == f"{text} — {SITE_NAME}"
    assert page.select_one("article h1").get_text() == text
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.find_all("meta")}
    assert meta["og:title"] == text
    assert meta["og:description"] == meta["description"] == f"{text} ringkasan"
    assert meta["og:image:alt"] == f"{text} alt"
    blocks = [json.loads(s.string) for s in page.select('script[type="application/ld+json"]')]
    news = next(b for b in blocks if b["@type"] == "NewsArticle")
    assert news["headline"] == text and news["description"] == f"{text} ringkasan"
    figure = page.select_one("figure")
    assert figure.select_one("img")["alt"] == f"{text} alt"
    assert f"{text} keterangan" in figure.get_text()
    assert f"{text} kredit" in figure.get_text()


def test_release_fields_and_contacts_are_text(hostile_site: BuildResult) -> None:
    text = _page(hostile_site, "release").get_text()
    for words in ("koreksi", "keterangan foto", "kredit foto", "lampiran"):
        assert f"{HOSTILE[1]} {words}" in text, words
    assert f"{HOSTILE[2]} humas" in text and f"{HOSTILE[0]} peran" in text


def test_menu_and_campaign_fields_are_text(hostile_site: BuildResult) -> None:
    home = _page(hostile_site, "home")
    assert f"{HOSTILE[2]} menu" in [a.get_text() for a in home.select("nav ul.menu a")]
    campaign = _page(hostile_site, "campaign").get_text()
    for words in ("kampanye", "ringkasan kampanye", "ajakan", "acara", "tempat", "pesan"):
        assert f"{HOSTILE[0]} {words}" in campaign, words


def test_feeds_parse_and_carry_the_text_as_text(hostile_site: BuildResult) -> None:
    feeds = hostile_site.output / "feeds"
    atom = ElementTree.parse(feeds / "all.atom.xml").getroot()
    titles = {e.findtext(f"{ATOM}title") for e in atom.iter(f"{ATOM}entry")}
    assert set(HOSTILE) | {f"{HOSTILE[1]} siaran"} <= titles
    for entry in atom.iter(f"{ATOM}entry"):
        html = BeautifulSoup(entry.findtext(f"{ATOM}content") or "", "lxml")
        assert _no_handlers(html) and not html.find_all("script")
    rss = ElementTree.parse(feeds / "siaran-pers.rss.xml").getroot()
    assert f"{HOSTILE[1]} siaran" in {i.findtext("title") for i in rss.iter("item")}
    document = json.loads((feeds / "all.json").read_text(encoding="utf-8"))
    assert set(HOSTILE) <= {item["title"] for item in document["items"]}
    syndication = json.loads((feeds / "syndication.json").read_text(encoding="utf-8"))
    assert set(HOSTILE) <= {item["title"] for item in syndication["items"]}
    for campaign_feed in (feeds / "kampanye").glob("*.atom.xml"):
        ElementTree.parse(campaign_feed)
    ElementTree.parse(hostile_site.output / "sitemap.xml")
