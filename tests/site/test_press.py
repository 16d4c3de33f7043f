"""Press room: full-content feeds, stable ids, releases, embargo, broken release metadata."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import urlparse

import feedparser
import jsonschema
import pytest
from bs4 import BeautifulSoup

from publisher.core.timeutil import parse_time
from publisher.site.build import BuildFailed, build_site
from publisher.site.syndication_feed import feed_entry_id
from tests.site.test_build import make_project, run_build
from tests.support import ROOT

EMBARGOED_PHRASE = "tanda bahaya yang patut diwaspadai keluarga di desa"
EMBARGO = parse_time("2027-07-30 09:00")
# Releases link to the help page; the small test sites need it to exist.
HELP_PAGE = {"pages/bantuan.md": "---\ntitle: Butuh Bantuan?\nslug: bantuan\n---\nIsi.\n"}
SCHEMA = json.loads((ROOT / "tests/data/jsonfeed-1.1.schema.json").read_text())
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or dt.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlparse(value).scheme and urlparse(value).netloc)


def test_release_page_has_contacts_images_credits_downloads_and_boilerplate(output: Path) -> None:
    soup = BeautifulSoup((output / "siaran-pers/sp-2026-001/index.html").read_text(), "lxml")
    article = soup.select_one("article.release")
    assert article is not None
    headings = [h.text for h in article.find_all("h2")]
    assert {"Foto untuk media", "Unduhan", "Tentang program", "Kontak media"} <= set(headings)
    figures = article.select("figure figcaption .credit")
    assert figures and all(f.text.strip() for f in figures)
    downloads = article.select("ul.downloads a")
    assert downloads[0]["href"].endswith("sp-2026-001/sp-2026-001.pdf")  # its own PDF first
    download = downloads[1]
    assert download["href"].endswith("files/lembar-fakta-tppo.pdf")
    assert "PDF" in download.parent.text and "KB" in download.parent.text
    assert "Humas Pemerintah Kabupaten Bengkulu Tengah" in article.text
    assert soup.find("link", rel="stylesheet", media="print")


def test_print_stylesheet_hides_navigation_and_sets_a4() -> None:
    css = (ROOT / "theme/static/css/print.css").read_text()
    assert "size:A4" in css
    for selector in (".safety", ".site-header", ".site-footer", ".skip"):
        assert selector in css.split("{display:none")[0]


def test_press_room_lists_releases_contacts_feeds_kit_and_embargo_notice(output: Path) -> None:
    soup = BeautifulSoup((output / "ruang-media/index.html").read_text(), "lxml")
    main = soup.find("main")
    assert main.select_one("ul.posts a[href*='siaran-pers/sp-2026-001/']")
    codes = [c.text for c in main.select("ul.feeds code")]
    assert "http://127.0.0.1:8000/feeds/siaran-pers.rss.xml" in codes
    assert all(c.startswith("http") for c in codes) and len(codes) == 5
    kit = [a["href"] for a in main.select("ul.downloads a")]
    assert any(h.endswith(".pdf") for h in kit) and any(h.endswith(".svg") for h in kit)
    assert "embargo" in main.text.lower()


@pytest.mark.parametrize("name", ["all.atom.xml", "siaran-pers.atom.xml", "siaran-pers.rss.xml"])
def test_xml_feeds_parse_and_carry_every_field(output: Path, name: str) -> None:
    feed = feedparser.parse((output / "feeds" / name).read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.entries
    release = next(e for e in feed.entries if e.id == feed_entry_id("sp-2026-001"))
    assert release.link == "http://127.0.0.1:8000/siaran-pers/sp-2026-001/"
    assert release.title.startswith("Pemerintah Kabupaten")
    assert release.published_parsed and release.updated_parsed
    assert release.author
    html = release.content[0].value if "content" in release else release.summary
    assert "Bengkulu Tengah, 16 November 2026" in html, "full content, not a summary"
    assert 'src="http://127.0.0.1:8000/images/siaran-pers.svg"' in html
    assert {t.term for t in release.tags} >= {"Siaran Pers", "siaran pers"}
    assert release.media_thumbnail[0]["url"].startswith("http://127.0.0.1:8000/images/")
    enclosure = next(link for link in release.links if link.rel == "enclosure")
    assert enclosure.href.endswith("/files/lembar-fakta-tppo.pdf")
    assert enclosure.type == "application/pdf" and int(enclosure.length) > 1000
    for item in feed.entries:
        assert "utm_" not in json.dumps(item, default=str)


@pytest.mark.parametrize("name", ["all.json", "siaran-pers.json"])
def test_json_feeds_validate_against_json_feed_1_1(output: Path, name: str) -> None:
    doc = json.loads((output / "feeds" / name).read_text())
    jsonschema.validate(doc, SCHEMA, format_checker=FORMATS)
    release = next(i for i in doc["items"] if i["id"] == feed_entry_id("sp-2026-001"))
    assert release["attachments"][0]["mime_type"] == "application/pdf"
    assert release["attachments"][0]["size_in_bytes"] > 1000
    assert release["image"].startswith("http://127.0.0.1:8000/")


def test_the_schema_rejects_a_broken_feed() -> None:
    broken = {"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA, format_checker=FORMATS)


def test_every_page_links_its_feeds(output: Path) -> None:
    for page in output.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(), "lxml")
        types = {link.get("type") for link in soup.find_all("link", rel="alternate")}
        assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= types, (
            page
        )


def _files_containing(root: Path, needle: str) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            hits.append(str(path.relative_to(root)))
    return hits


@pytest.fixture(scope="module")
def embargo_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("embargo")
    before = build_site(
        ROOT / "pelicanconf.py", output=base / "before", now=EMBARGO - dt.timedelta(minutes=1)
    )
    after = build_site(ROOT / "pelicanconf.py", output=base / "after", now=EMBARGO)
    return before.output, after.output


def test_embargoed_release_is_nowhere_before_its_time(embargo_builds: tuple[Path, Path]) -> None:
    before, _ = embargo_builds
    assert _files_containing(before, EMBARGOED_PHRASE) == []
    assert _files_containing(before, "sp-2027-001") == []
    assert _files_containing(before, "hari-dunia-2027") == []
    assert not (before / "siaran-pers/sp-2027-001").exists()
    assert not list(before.rglob("drafts"))


def test_embargoed_release_is_everywhere_after_its_time(embargo_builds: tuple[Path, Path]) -> None:
    _, after = embargo_builds
    hits = set(_files_containing(after, EMBARGOED_PHRASE))
    assert "siaran-pers/sp-2027-001/index.html" in hits
    assert {
        "feeds/all.atom.xml",
        "feeds/siaran-pers.atom.xml",
        "feeds/siaran-pers.rss.xml",
        "feeds/siaran-pers.json",
    } <= hits
    assert "sp-2027-001" in (after / "sitemap.xml").read_text()
    assert "sp-2027-001" in (after / "ruang-media/index.html").read_text()
    assert (after / "images/hari-dunia-2027.svg").is_file()


def test_release_url_and_feed_id_survive_slug_date_and_siteurl_changes(tmp_path: Path) -> None:
    release = (ROOT / "content/siaran-pers/program-pencegahan-tppo-bengkulu-tengah.md").read_text()
    changed = release.replace(
        "slug: program-pencegahan-tppo-bengkulu-tengah", "slug: judul-baru"
    ).replace("date: 2026-11-16 09:00", "date: 2026-11-17 10:00")
    ids = []
    for index, text in enumerate((release, changed)):
        settings = make_project(tmp_path / str(index), {"siaran-pers/rilis.md": text, **HELP_PAGE})
        overrides = {"FEED_DOMAIN": f"https://situs-{index}.example"}
        out = build_site(settings, output=tmp_path / f"out{index}", overrides=overrides).output
        feed = feedparser.parse((out / "feeds/siaran-pers.atom.xml").read_bytes())
        ids.append(feed.entries[0].id)
        assert (out / "siaran-pers/sp-2026-001/index.html").is_file()
        assert feed.entries[0].link == f"https://situs-{index}.example/siaran-pers/sp-2026-001/"
    assert ids[0] == ids[1] == feed_entry_id("sp-2026-001")


def test_a_correction_is_shown_and_carried_in_the_feeds(tmp_path: Path) -> None:
    release = (ROOT / "content/siaran-pers/program-pencegahan-tppo-bengkulu-tengah.md").read_text()
    corrected = release.replace(
        "contacts: [humas-pemkab]",
        "contacts: [humas-pemkab]\nmodified: 2026-11-18 14:00\ncorrection: Nama bidang kerja ketujuh diperbaiki.",
    )
    settings = make_project(tmp_path, {"siaran-pers/rilis.md": corrected, **HELP_PAGE})
    out = build_site(settings, output=tmp_path / "out").output
    page = (out / "siaran-pers/sp-2026-001/index.html").read_text()
    assert "Nama bidang kerja ketujuh diperbaiki." in page
    entry = feedparser.parse((out / "feeds/siaran-pers.atom.xml").read_bytes()).entries[0]
    assert "Nama bidang kerja ketujuh diperbaiki." in entry.content[0].value
    assert entry.updated.startswith("2026-11-18")


BROKEN_RELEASES = {
    "unknown contact": (
        "contacts: [humas-pemkab]",
        "contacts: [humas-pemkb]",
        "contact 'humas-pemkb' is not in data/press.yaml; did you mean 'humas-pemkab'?",
    ),
    "image without credit": (
        "    credit: Tim Program Pencegahan TPPO Bengkulu Tengah\n",
        "",
        "has no credit",
    ),
    "image without alt": (
        "  - src: images/siaran-pers.svg\n    alt: Ilustrasi lembar siaran pers di samping pengeras suara.\n",
        "  - src: images/siaran-pers.svg\n",
        "has no alt text",
    ),
    "embargo not a date": (
        "contacts: [humas-pemkab]",
        "embargo: besok pagi\ncontacts: [humas-pemkab]",
        "embargo: 'besok pagi' is not a valid date",
    ),
    "missing attachment": (
        "files/lembar-fakta-tppo.pdf",
        "files/tidak-ada.pdf",
        "does not exist under content/",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN_RELEASES))
def test_broken_release_metadata_stops_the_build_with_file_and_line(
    tmp_path: Path, case: str
) -> None:
    old, new, message = BROKEN_RELEASES[case]
    text = (ROOT / "content/siaran-pers/program-pencegahan-tppo-bengkulu-tengah.md").read_text()
    assert old in text
    broken = text.replace(old, new)
    settings = make_project(tmp_path, {"siaran-pers/rilis.md": broken, **HELP_PAGE})
    result = run_build(settings, tmp_path / "output")
    assert result.returncode == 1, result.stdout
    first = next(m for m in result.stderr.splitlines() if message in m)
    assert first.startswith("content/siaran-pers/rilis.md:") and ": error: " in first, first
    assert int(first.split(":")[1]) > 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


def test_build_failed_is_an_exception_with_problems(tmp_path: Path) -> None:
    settings = make_project(tmp_path, {"siaran-pers/x.md": "---\ntitle: x\n---\n"})
    with pytest.raises(BuildFailed) as info:
        build_site(settings, output=tmp_path / "out")
    assert info.value.problems[0].path.endswith("siaran-pers/x.md")


def test_fact_sheet_pdf_matches_the_hotline_data() -> None:
    """The committed PDF is exactly what scripts/make_factsheet.py makes from data/hotlines.yaml."""
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    import make_factsheet

    assert make_factsheet.render() == make_factsheet.OUTPUT.read_bytes(), "run: make factsheet"


def test_embargoed_release_is_never_in_the_search_index(embargo_builds: tuple[Path, Path]) -> None:
    from tests.site.test_i18n import index_text

    before, after = embargo_builds
    assert EMBARGOED_PHRASE not in index_text(before)
    assert EMBARGOED_PHRASE in index_text(after)


def test_feeds_hold_the_newest_feed_max_items(tmp_path: Path) -> None:
    posts = {
        f"berita/uji-{n}.md": f"---\nid: uji-{n:03d}\ntitle: Berita uji {n}\n"
        f"date: 2026-10-{n:02d} 09:00\nsummary: Ringkasan {n}.\n---\nIsi {n}.\n"
        for n in range(1, 6)
    }
    settings = make_project(tmp_path, {**HELP_PAGE, **posts})
    output = tmp_path / "out"
    build_site(settings, output, parse_time("2026-11-28 12:00"), {"FEED_MAX_ITEMS": 2})
    atom = feedparser.parse((output / "feeds/all.atom.xml").read_bytes())
    assert [e.title for e in atom.entries] == ["Berita uji 5", "Berita uji 4"]
    doc = json.loads((output / "feeds/all.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in doc["items"]] == ["Berita uji 5", "Berita uji 4"]
    syndication = json.loads((output / "feeds/syndication.json").read_text(encoding="utf-8"))
    assert len(syndication["items"]) == 5  # the publisher still sees every live item
