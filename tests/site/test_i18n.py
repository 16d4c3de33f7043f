"""Two languages: catalogue completeness, translation pairs, hreflang, switcher, feeds, search index."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
from pathlib import Path

import feedparser
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup

from tests.support import ROOT

TRANSLATED_PAGES = [
    "bantuan", "tanda-tanda", "migrasi-aman", "program", "ruang-media",
    "tentang", "privasi", "aksesibilitas", "keamanan",
]  # fmt: skip
# Common Indonesian words that must not appear in the English theme's own text.
INDONESIAN_WORDS = {"yang", "dan", "untuk", "dari", "ini", "situs", "telepon", "berita", "keluar"}


def soup_at(output: Path, relative: str) -> BeautifulSoup:
    return BeautifulSoup((output / relative).read_text(encoding="utf-8"), "lxml")


def theme_messages() -> set[str]:
    """Every gettext string of the theme, extracted the way `make translations` does."""
    method_map = [("**.html", "jinja2"), ("**.py", "python")]
    found = {
        m[2]
        for m in extract_from_dir(
            str(ROOT / "theme/templates"),
            method_map,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    found |= {
        m[2]
        for m in extract_from_dir(str(ROOT), [("pelicanconf.py", "python")], keywords={"N_": None})
    }
    return {m for m in found if isinstance(m, str)}


def test_every_theme_string_has_an_english_translation() -> None:
    with (ROOT / "theme/translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = theme_messages()
    assert len(messages) > 80
    missing = sorted(
        m
        for m in messages
        if not (catalog.get(m) and catalog.get(m).string) or catalog.get(m).fuzzy
    )
    assert missing == [], "run `make translations` and translate these in theme/translations/en"


def test_english_versions_of_the_required_pages_exist(output: Path) -> None:
    assert soup_at(output, "en/index.html").html["lang"] == "en"
    for slug in TRANSLATED_PAGES:
        soup = soup_at(output, f"en/{slug}/index.html")
        assert soup.html["lang"] == "en"
        assert len(soup.select_one("main").get_text(strip=True)) > 200, slug


def test_pairs_declare_each_other_with_hreflang(output: Path) -> None:
    for slug in TRANSLATED_PAGES:
        for lang, relative in (("id", f"{slug}/index.html"), ("en", f"en/{slug}/index.html")):
            links = {
                link["hreflang"]: link["href"]
                for link in soup_at(output, relative).find_all("link", hreflang=True)
            }
            assert links["id"].endswith(f"/{slug}/") and not links["id"].endswith(f"/en/{slug}/"), (
                lang,
                links,
            )
            assert links["en"].endswith(f"/en/{slug}/"), (lang, links)
            assert links["x-default"] == links["id"]


def test_english_theme_text_is_english(output: Path) -> None:
    for page in (output / "en").rglob("index.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
        chrome = " ".join(
            el.get_text(" ") for el in soup.select("nav.skip, aside.safety, header, footer")
        )
        words = set(re.findall(r"[a-z]+", chrome.lower()))
        assert not (words & INDONESIAN_WORDS), (page, words & INDONESIAN_WORDS)


def test_hotline_data_renders_in_both_languages(output: Path) -> None:
    id_help = soup_at(output, "bantuan/index.html").select("li.hotline h3")
    en_help = soup_at(output, "en/bantuan/index.html").select("li.hotline h3")
    assert len(id_help) == len(en_help) > 5
    assert id_help[0].text != en_help[0].text
    assert [a["href"] for a in soup_at(output, "en/bantuan/index.html").select("li.hotline a")] == [
        a["href"] for a in soup_at(output, "bantuan/index.html").select("li.hotline a")
    ]


def test_switcher_goes_to_the_translation_when_there_is_one(output: Path) -> None:
    switch = soup_at(output, "siaran-pers/sp-2026-001/index.html").select_one(".lang-switch a")
    assert switch["href"].endswith("en/press-releases/sp-2026-001/")
    back = soup_at(output, "en/press-releases/sp-2026-001/index.html").select_one(".lang-switch a")
    assert back["href"].endswith("siaran-pers/sp-2026-001/")


def test_switcher_says_so_when_there_is_no_translation(output: Path) -> None:
    news = next(p for p in (output / "berita").rglob("index.html") if p.parent != output / "berita")
    switch = BeautifulSoup(news.read_text(), "lxml").select_one(".lang-switch")
    assert switch.a["href"].endswith("en/") and switch.a["hreflang"] == "en"
    assert "belum diterjemahkan" in switch.text


def test_untranslated_items_have_no_english_page(output: Path) -> None:
    assert not (output / "en/news/2026").exists()
    english_news = soup_at(output, "en/news/index.html").select("ul.posts a")
    assert english_news and all("press-releases" in a["href"] for a in english_news)


def test_feeds_per_language(output: Path) -> None:
    english = feedparser.parse((output / "en/feeds/siaran-pers.atom.xml").read_bytes())
    indonesian = feedparser.parse((output / "feeds/siaran-pers.atom.xml").read_bytes())
    assert english.bozo == indonesian.bozo == 0
    assert english.feed.language == "en" and indonesian.feed.language == "id"
    assert all("/en/press-releases/" in e.link for e in english.entries)
    assert not any("/en/" in e.link for e in indonesian.entries)
    assert {e.id for e in english.entries}.isdisjoint({e.id for e in indonesian.entries})


def index_text(output: Path) -> str:
    """Every Pagefind file, decompressed: what a search could ever reveal."""
    texts = []
    for path in (output / "pagefind").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            with contextlib.suppress(OSError):
                data = gzip.decompress(data)
            texts.append(data.decode("utf-8", "ignore"))
    return "\n".join(texts)


def test_search_has_one_index_per_language(output: Path) -> None:
    shards = json.loads((output / "pagefind/shards.json").read_text(encoding="utf-8"))
    assert shards["languages"] == {"en": ["en-0"], "id": ["id-0"]}
    for lang in ("id", "en"):
        names = [p.name for p in (output / f"pagefind/{lang}-0/index").iterdir()]
        assert names and all(n.startswith(f"{lang}_") for n in names)
    assert "paspor" in index_text(output)
